/**
 * Erlang maps keyed by any term, compared structurally (a tuple key finds an equal tuple key).
 */
import { inspect } from 'util';
import { Atom, ErlFloat, inspectTerm, Term } from './terms';
import { compare, equals } from './compare';
import { hashTerm } from './hash';

/** Small maps are searched linearly: cheaper than an index, and atoms compare by identity. */
const LINEAR_LIMIT = 8;

/** Keys that are equal exactly when they are identical after this normalisation. */
function identityKey(key: Term): Atom | number | undefined {
  switch (typeof key) {
    case 'number':
      return Number.isInteger(key) ? key + 0 : undefined;
    case 'boolean':
      return Atom.of(key ? 'true' : 'false');
    case 'bigint':
      return key >= BigInt(Number.MIN_SAFE_INTEGER) && key <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(key) : undefined;
    case 'object':
      return key instanceof Atom ? key : undefined;
  }
  return undefined;
}

/**
 * An Erlang map. Keeps its entries in insertion order (for a decoded map: the order on the wire, so
 * that re-encoding it gives the same bytes); lookups are by structural equality (`=:=`).
 */
export class ErlMap implements Iterable<[Term, Term]> {
  private keyList: Term[] = [];
  private valueList: Term[] = [];
  /** identity keys -> slot, and structural hash -> slots; built once the map grows past LINEAR_LIMIT. */
  private identity: Map<Atom | number, number> | null = null;
  private hashed: Map<number, number[]> | null = null;
  /**
   * True while the entries are in the order they were decoded in: the encoder then keeps that order
   * instead of sorting, so decode-then-encode is byte-identical whatever OTP wrote the map.
   */
  wireOrder = false;

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /**
   * A decoded map from its keys and values as they lie on the wire (`[k1, v1, k2, v2, ...]`), in
   * that order; null when a key appears twice. For the decoder: one pass, no per-entry lookup.
   */
  static fromWire(kv: Term[]): ErlMap | null {
    const m = new ErlMap();
    const n = kv.length >> 1;
    const keys = new Array<Term>(n);
    const values = new Array<Term>(n);
    let atoms = true;
    for (let i = 0; i < n; i++) {
      const k = kv[2 * i];
      if (!(k instanceof Atom) && typeof k !== 'boolean') atoms = false;
      keys[i] = k;
      values[i] = kv[2 * i + 1];
    }
    m.keyList = keys;
    m.valueList = values;
    m.wireOrder = true;
    if (n > LINEAR_LIMIT) return m.buildIndex() && !m.hasHashedDuplicates() ? m : null;
    if (atoms) {
      // Atoms (and booleans, the atoms true and false) are equal exactly when identical.
      for (let i = 1; i < n; i++) {
        const k = keys[i];
        for (let j = 0; j < i; j++) if (keys[j] === k) return null;
      }
      return m;
    }
    for (let i = 1; i < n; i++) {
      const k = keys[i];
      const id = identityKey(k);
      for (let j = 0; j < i; j++) {
        const other = keys[j];
        if (id !== undefined ? identityKey(other) === id : identityKey(other) === undefined && equals(other, k)) return null;
      }
    }
    return m;
  }

  /** True when two structurally equal keys share a hash bucket. */
  private hasHashedDuplicates(): boolean {
    for (const bucket of (this.hashed as Map<number, number[]>).values()) {
      for (let i = 1; i < bucket.length; i++) {
        for (let j = 0; j < i; j++) if (equals(this.keyList[bucket[i]], this.keyList[bucket[j]])) return true;
      }
    }
    return false;
  }

  /** A map with atom keys from a plain object: `ErlMap.fromObject({weather: bin('fine')})`. */
  static fromObject(object: Record<string, Term>): ErlMap {
    const m = new ErlMap();
    for (const name of Object.keys(object)) m.set(Atom.of(name), object[name]);
    return m;
  }

  get size(): number {
    return this.keyList.length;
  }

  private slotOf(key: Term): number {
    const n = this.keyList.length;
    if (this.identity === null) {
      const id = identityKey(key);
      for (let i = 0; i < n; i++) {
        const k = this.keyList[i];
        if (k === key) return i;
        if (id !== undefined) {
          if (identityKey(k) === id) return i;
        } else if (identityKey(k) === undefined && equals(k, key)) {
          return i;
        }
      }
      return -1;
    }
    const id = identityKey(key);
    if (id !== undefined) return this.identity.get(id) ?? -1;
    const bucket = (this.hashed as Map<number, number[]>).get(hashTerm(key));
    if (bucket) for (const i of bucket) if (equals(this.keyList[i], key)) return i;
    return -1;
  }

  /** Index one entry; false when an identical atom or integer key is indexed already. */
  private index(slot: number): boolean {
    const key = this.keyList[slot];
    const id = identityKey(key);
    if (id !== undefined) {
      const identity = this.identity as Map<Atom | number, number>;
      if (identity.has(id)) return false;
      identity.set(id, slot);
      return true;
    }
    const h = hashTerm(key);
    const hashed = this.hashed as Map<number, number[]>;
    const bucket = hashed.get(h);
    if (bucket) bucket.push(slot);
    else hashed.set(h, [slot]);
    return true;
  }

  /** Index every entry; false when two atom or integer keys are the same. */
  private buildIndex(): boolean {
    this.identity = new Map();
    this.hashed = new Map();
    let unique = true;
    for (let i = 0; i < this.keyList.length; i++) unique = this.index(i) && unique;
    return unique;
  }

  get(key: Term): Term | undefined {
    const i = this.slotOf(key);
    return i < 0 ? undefined : this.valueList[i];
  }

  has(key: Term): boolean {
    return this.slotOf(key) >= 0;
  }

  /** Add or replace. Replacing keeps the entry's place; a new key goes last. */
  set(key: Term, value: Term): this {
    const i = this.slotOf(key);
    if (i >= 0) {
      this.valueList[i] = value;
      return this;
    }
    this.wireOrder = false;
    this.keyList.push(key);
    this.valueList.push(value);
    if (this.identity !== null) this.index(this.keyList.length - 1);
    else if (this.keyList.length > LINEAR_LIMIT) this.buildIndex();
    return this;
  }

  /**
   * Add an entry known not to be present. For the decoder; returns false (and adds nothing) when
   * the key is already there, which a well-formed map never has.
   */
  addNew(key: Term, value: Term): boolean {
    if (this.slotOf(key) >= 0) return false;
    this.keyList.push(key);
    this.valueList.push(value);
    if (this.identity !== null) this.index(this.keyList.length - 1);
    else if (this.keyList.length > LINEAR_LIMIT) this.buildIndex();
    return true;
  }

  delete(key: Term): boolean {
    const i = this.slotOf(key);
    if (i < 0) return false;
    this.keyList.splice(i, 1);
    this.valueList.splice(i, 1);
    if (this.identity !== null) this.buildIndex();
    return true;
  }

  /** The keys in entry order, without a copy: for reading only (the encoder's fast path). */
  keysView(): readonly Term[] {
    return this.keyList;
  }

  /** The values in entry order, without a copy: for reading only. */
  valuesView(): readonly Term[] {
    return this.valueList;
  }

  keys(): Term[] {
    return this.keyList.slice();
  }

  values(): Term[] {
    return this.valueList.slice();
  }

  entries(): Array<[Term, Term]> {
    return this.keyList.map((k, i) => [k, this.valueList[i]]);
  }

  [Symbol.iterator](): Iterator<[Term, Term]> {
    return this.entries()[Symbol.iterator]();
  }

  /** The keys in map key order (Erlang term order where integers precede floats). */
  sortedKeys(): Term[] {
    return this.keyList.slice().sort((a, b) => compare(a, b, true));
  }

  /** `util.inspect` and `console.log` show the map's `~p` text. */
  [inspect.custom](): string {
    return inspectTerm(this);
  }

  /** A plain object, for maps whose keys are atoms, binaries or JS strings. */
  toObject(): Record<string, Term> {
    const out: Record<string, Term> = {};
    for (let i = 0; i < this.keyList.length; i++) {
      const k = this.keyList[i];
      let name: string;
      if (k instanceof Atom) name = k.name;
      else if (typeof k === 'string') name = k;
      else if (Buffer.isBuffer(k)) name = k.toString('utf8');
      else if (typeof k === 'boolean' || typeof k === 'number' || typeof k === 'bigint') name = String(k);
      else if (k instanceof ErlFloat) name = String(k.value);
      else throw new TypeError('toObject: the map has a key that is not an atom, binary or number');
      out[name] = this.valueList[i];
    }
    return out;
  }
}

/** Shorthand: `map([[atom('a'), 1]])`, or `map({a: 1})` for atom keys. */
export function map(entries: Iterable<readonly [Term, Term]> | Record<string, Term> = []): ErlMap {
  if (Symbol.iterator in (entries as object)) return new ErlMap(entries as Iterable<readonly [Term, Term]>);
  return ErlMap.fromObject(entries as Record<string, Term>);
}
