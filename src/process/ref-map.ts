/**
 * A map keyed by references compared by value (node, creation, ids), as Erlang compares them:
 * a reference decoded from the wire is a new object each time, and a string key built per lookup
 * costs an allocation on every message. Entries are chained in buckets of a numeric hash.
 */
import type { Reference } from '../../codec';
import { sameRef } from './identity';

interface Entry<V> {
  readonly ref: Reference;
  value: V;
  next: Entry<V> | undefined;
}

/** A small integer from the ids: this node's refs differ in the first two words (a counter). */
function hashOf(ref: Reference): number {
  const ids = ref.ids;
  let h = ref.creation | 0;
  for (let i = 0; i < ids.length; i++) h = (Math.imul(h, 31) + ids[i]) | 0;
  return h & 0x3fffffff;
}

export class RefMap<V> {
  private readonly buckets = new Map<number, Entry<V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(ref: Reference): V | undefined {
    for (let e = this.buckets.get(hashOf(ref)); e !== undefined; e = e.next) if (sameRef(e.ref, ref)) return e.value;
    return undefined;
  }

  has(ref: Reference): boolean {
    for (let e = this.buckets.get(hashOf(ref)); e !== undefined; e = e.next) if (sameRef(e.ref, ref)) return true;
    return false;
  }

  set(ref: Reference, value: V): this {
    const h = hashOf(ref);
    const first = this.buckets.get(h);
    for (let e = first; e !== undefined; e = e.next) {
      if (sameRef(e.ref, ref)) {
        e.value = value;
        return this;
      }
    }
    this.buckets.set(h, { ref, value, next: first });
    this.count++;
    return this;
  }

  /** Remove `ref`'s entry; its value, or undefined when there was none. */
  take(ref: Reference): V | undefined {
    return this.remove(ref)?.value;
  }

  delete(ref: Reference): boolean {
    return this.remove(ref) !== undefined;
  }

  private remove(ref: Reference): Entry<V> | undefined {
    const h = hashOf(ref);
    let prev: Entry<V> | undefined;
    for (let e = this.buckets.get(h); e !== undefined; prev = e, e = e.next) {
      if (!sameRef(e.ref, ref)) continue;
      if (prev) prev.next = e.next;
      else if (e.next) this.buckets.set(h, e.next);
      else this.buckets.delete(h);
      this.count--;
      return e;
    }
    return undefined;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }

  /** The entries as [ref, value] pairs, a copy: the map may change while they are used. */
  entries(): Array<[Reference, V]> {
    const out: Array<[Reference, V]> = [];
    for (const first of this.buckets.values())
      for (let e: Entry<V> | undefined = first; e !== undefined; e = e.next) out.push([e.ref, e.value]);
    return out;
  }

  /** The values, a copy. */
  values(): V[] {
    const out: V[] = [];
    for (const first of this.buckets.values()) for (let e: Entry<V> | undefined = first; e !== undefined; e = e.next) out.push(e.value);
    return out;
  }
}
