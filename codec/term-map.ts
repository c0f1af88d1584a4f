/**
 * A map keyed by Erlang terms compared with `=:=`, as an ETS set is: `{room, 1}` decoded from the
 * wire finds the key `tuple(atom('room'), 1)`. global's names, resource ids and lock requesters
 * and pg's groups are arbitrary terms (tuples, lists, binaries), not JS-comparable keys.
 */
import { equals } from './compare';
import { hashTerm } from './hash';
import { Term } from './terms';

export class TermMap<V> {
  private readonly buckets = new Map<number, Array<[Term, V]>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: Term): V | undefined {
    const bucket = this.buckets.get(hashTerm(key));
    if (bucket) for (const [k, v] of bucket) if (equals(k, key)) return v;
    return undefined;
  }

  has(key: Term): boolean {
    return this.get(key) !== undefined;
  }

  set(key: Term, value: V): void {
    const hash = hashTerm(key);
    const bucket = this.buckets.get(hash);
    if (!bucket) {
      this.buckets.set(hash, [[key, value]]);
      this.count++;
      return;
    }
    for (const entry of bucket) {
      if (equals(entry[0], key)) {
        entry[1] = value;
        return;
      }
    }
    bucket.push([key, value]);
    this.count++;
  }

  delete(key: Term): boolean {
    const hash = hashTerm(key);
    const bucket = this.buckets.get(hash);
    if (!bucket) return false;
    const i = bucket.findIndex(([k]) => equals(k, key));
    if (i < 0) return false;
    bucket.splice(i, 1);
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
