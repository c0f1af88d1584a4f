/**
 * A map keyed by Erlang terms, equal when `=:=` (so `{room, 1}` from the wire finds the key
 * `tuple(atom('room'), 1)`), holding any TypeScript value. pg's group names are any terms.
 */
import { equals, Term } from '../../codec';
import { hashTerm } from '../../codec/hash';

export class TermMap<V> {
  private readonly buckets = new Map<number, Array<[Term, V]>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  private slot(key: Term): { bucket: Array<[Term, V]> | undefined; index: number; hash: number } {
    const hash = hashTerm(key);
    const bucket = this.buckets.get(hash);
    const index = bucket === undefined ? -1 : bucket.findIndex(([k]) => equals(k, key));
    return { bucket, index, hash };
  }

  get(key: Term): V | undefined {
    const { bucket, index } = this.slot(key);
    return index < 0 ? undefined : (bucket as Array<[Term, V]>)[index][1];
  }

  has(key: Term): boolean {
    return this.slot(key).index >= 0;
  }

  set(key: Term, value: V): this {
    const { bucket, index, hash } = this.slot(key);
    if (bucket === undefined) this.buckets.set(hash, [[key, value]]);
    else if (index < 0) bucket.push([key, value]);
    else bucket[index][1] = value;
    if (index < 0) this.count++;
    return this;
  }

  delete(key: Term): boolean {
    const { bucket, index, hash } = this.slot(key);
    if (bucket === undefined || index < 0) return false;
    bucket.splice(index, 1);
    if (bucket.length === 0) this.buckets.delete(hash);
    this.count--;
    return true;
  }

  *entries(): IterableIterator<[Term, V]> {
    for (const bucket of this.buckets.values()) for (const entry of bucket) yield entry;
  }

  keys(): Term[] {
    return [...this.entries()].map(([k]) => k);
  }
}
