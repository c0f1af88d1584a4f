/**
 * The term model: how Erlang terms look in TypeScript.
 *
 * | Erlang                    | TypeScript                                   |
 * |---------------------------|----------------------------------------------|
 * | integer                   | `number` when safe, `bigint` beyond          |
 * | float                     | {@link ErlFloat} (so `1.0` stays a float)    |
 * | atom                      | {@link Atom}, interned (`===` works)         |
 * | `true` / `false`          | `true` / `false`                             |
 * | tuple                     | {@link Tuple}                                |
 * | proper list, `[]`         | `Term[]` (a byte list is a `number[]`)       |
 * | improper list             | {@link ImproperList}                         |
 * | binary                    | `Buffer`                                     |
 * | bitstring                 | {@link BitBinary}                            |
 * | map                       | {@link ErlMap}                               |
 * | pid / port / reference    | {@link Pid} / {@link Port} / {@link Reference} |
 * | fun                       | {@link Fun} / {@link ExportFun}              |
 *
 * A JS `string` is accepted when encoding and becomes a UTF-8 binary; decoding never yields one.
 * A JS non-integral `number` is accepted when encoding and becomes a float.
 */
export type Term =
  | number
  | bigint
  | boolean
  | string
  | Atom
  | ErlFloat
  | Buffer
  | BitBinary
  | Tuple
  | Term[]
  | ImproperList
  | ErlMap
  | Pid
  | Port
  | Reference
  | Fun
  | ExportFun;

import { inspect } from 'util';
import type { ErlMap } from './erlmap';
import { AtomLimitError } from './errors';

/**
 * How `util.inspect` and `console.log` show a term: as its `~p` text. The printer lives in
 * codec/text, above the term model, and plugs itself in here when it loads; until then a term
 * shows as a plain object.
 */
let inspectText: ((term: Term) => string) | null = null;

/** For codec/text/pretty.ts: the text `util.inspect` shows for a term. @internal */
export function setInspectText(print: (term: Term) => string): void {
  inspectText = print;
}

/** A term's `util.inspect` text. @internal */
export function inspectTerm(term: Term): string {
  return inspectText === null ? inspect(term, { customInspect: false }) : inspectText(term);
}

/**
 * The default cap on live atoms: 2,097,152 (2^21), twice BEAM's default table (`+t`, 1,048,576),
 * so whatever fits a default BEAM node fits here. A live atom costs about 230 bytes here (the
 * object, its name, the table's weak entry), so a full table is about 480 MB, within the default
 * heap of a 64-bit Node (2 GiB and up). Unlike BEAM, which dies when its table is full, a full
 * table here refuses the new atom ({@link AtomLimitError}) and the node keeps running.
 */
export const DEFAULT_ATOM_LIMIT = 2_097_152;

/**
 * Atoms by name, held weakly: an atom nothing else refers to is collected and its entry deleted,
 * so a peer sending ever new atoms cannot grow the table without bound. A name interned again
 * after its atom died gets a new atom; nothing can tell, since nothing held the old one.
 */
const atomTable = new Map<string, WeakRef<Atom>>();

/**
 * Deletes the entry of a collected atom. The entry is deleted only while it is dead: the name may
 * have been interned again since (a live atom under it), and a sweep may have deleted it first.
 */
const reclaimed = new FinalizationRegistry<string>((name) => {
  if (atomTable.get(name)?.deref() === undefined) atomTable.delete(name);
});

let atomLimit = DEFAULT_ATOM_LIMIT;
/** Atoms ever created (monotonic): tells a decoder whether an `Atom.of` created one. */
let atomsCreated = 0;
/**
 * An object that lives until the first garbage collection after the last sweep of the table: while
 * it lives, no atom has died since, and sweeping again would find nothing.
 */
let sweptSinceGc: WeakRef<object> | undefined;

/**
 * Delete the entries of atoms already collected whose finalizers have not run yet (they run only
 * between tasks, and a full table needs the room now). At most once per garbage collection, so
 * attempts at a table that is full of live atoms do not each walk it.
 */
function sweepDeadAtoms(): void {
  if (sweptSinceGc?.deref() !== undefined) return;
  for (const [name, ref] of atomTable) if (ref.deref() === undefined) atomTable.delete(name);
  sweptSinceGc = new WeakRef({});
}

/** An Erlang atom. Atoms are interned: two atoms with the same name are the same object. */
export class Atom {
  /**
   * For the encoder: the atom's SMALL_ATOM_UTF8_EXT bytes (tag, length, UTF-8, zero-padded), as
   * big-endian 32-bit words, computed on first use; null when the atom does not fit that form.
   * Not enumerable: not part of the term.
   * @internal
   */
  declare smallUtf8Ext: Int32Array | null | undefined;

  private constructor(readonly name: string) {
    Object.defineProperty(this, 'smallUtf8Ext', { value: undefined, writable: true, enumerable: false, configurable: false });
  }

  /**
   * The interned atom for `name`: while an atom named `name` is referenced anywhere, this returns
   * that same object. `true`/`false` are atoms too, but decode as JS booleans.
   * @throws {@link AtomLimitError} when the atom does not exist yet and the table already holds
   * the most live atoms allowed ({@link setAtomLimit}), after reclaiming those no longer referenced.
   */
  static of(name: string): Atom {
    const a = atomTable.get(name)?.deref();
    return a === undefined ? Atom.create(name) : a;
  }

  private static create(name: string): Atom {
    if (atomTable.size >= atomLimit) {
      // The name's own dead entry, if any, goes too: replacing it must not pass the cap either.
      sweepDeadAtoms();
      if (atomTable.size >= atomLimit) throw new AtomLimitError(atomLimit);
    }
    const a = new Atom(name);
    atomTable.set(name, new WeakRef(a));
    reclaimed.register(a, name);
    atomsCreated++;
    return a;
  }

  /**
   * How many atoms the table holds: the live ones, and those collected whose entries are not
   * deleted yet (that happens soon after each garbage collection).
   */
  static get count(): number {
    return atomTable.size;
  }

  /** The cap on live atoms ({@link setAtomLimit}), like `erlang:system_info(atom_limit)`. */
  static get limit(): number {
    return atomLimit;
  }

  /** How many atoms were ever created (for a decoder's `maxAtoms`). @internal */
  static get created(): number {
    return atomsCreated;
  }

  toString(): string {
    return this.name;
  }
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/**
 * Shorthand for {@link Atom.of}.
 * @throws {@link AtomLimitError} when `name` is a new atom and the table is full ({@link setAtomLimit}).
 */
export function atom(name: string): Atom {
  return Atom.of(name);
}

/**
 * Cap the number of live atoms (default {@link DEFAULT_ATOM_LIMIT}). Atoms are shared by the
 * whole process, so this is one cap for every node and decoder in it. Past the cap, creating an
 * atom throws {@link AtomLimitError}: a connection whose input would do so is closed as bad
 * input, and the program's own `atom()` calls throw it too. Existing atoms are unaffected: a cap
 * below the current count only stops new ones. Like BEAM's `+t`, but refusing instead of dying.
 */
export function setAtomLimit(limit: number): void {
  if (!(Number.isInteger(limit) || limit === Infinity) || limit < 0) {
    throw new RangeError(`atom limit must be a non-negative integer or Infinity, not ${String(limit)}`);
  }
  atomLimit = limit;
}

/** An Erlang float. Wrapped so that an integral float such as `1.0` survives a round trip. */
export class ErlFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** Shorthand for `new ErlFloat(value)`. */
export function float(value: number): ErlFloat {
  return new ErlFloat(value);
}

/**
 * An Erlang tuple. `T` is the element types when known: `tuple(atom('ok'), 1)` is a
 * `Tuple<[Atom, number]>`, so `t.get(1)` is a `number` and `const [tag, n] = t.elements` is typed
 * by position. Iterable too (`const [tag, value] = t`, each element typed as any of `T`'s).
 */
export class Tuple<T extends Term[] = Term[]> {
  constructor(readonly elements: T) {}
  get length(): T['length'] {
    return this.elements.length;
  }
  /** The element at 0-based `index` (Erlang's `element(index + 1, T)`). */
  get<I extends number>(index: I): T[I] {
    return this.elements[index];
  }
  [Symbol.iterator](): Iterator<T[number]> {
    return this.elements[Symbol.iterator]();
  }
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** `T` with literal element types widened (`1` to `number`): what a tuple built of them holds. */
export type Widened<T extends Term[]> = {
  [K in keyof T]: T[K] extends number
    ? number
    : T[K] extends string
      ? string
      : T[K] extends boolean
        ? boolean
        : T[K] extends bigint
          ? bigint
          : T[K];
};

/** Shorthand: `tuple(atom('ok'), 1)` is `{ok, 1}`, typed `Tuple<[Atom, number]>`. */
export function tuple<T extends Term[]>(...elements: T): Tuple<Widened<T>> {
  return new Tuple(elements as Widened<T>);
}

/** A list whose tail is not `[]`: `[a, b | c]`. `elements` is never empty. */
export class ImproperList {
  constructor(
    readonly elements: Term[],
    readonly tail: Term,
  ) {}
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** Shorthand for `new ImproperList(elements, tail)`. */
export function improperList(elements: Term[], tail: Term): ImproperList {
  return new ImproperList(elements, tail);
}

/** A bitstring whose length is not a whole number of bytes. `bits` (1..7) of the last byte are used. */
export class BitBinary {
  constructor(
    readonly buffer: Buffer,
    readonly bits: number,
  ) {}
  /** The length in bits. */
  get bitLength(): number {
    return this.buffer.length === 0 ? 0 : (this.buffer.length - 1) * 8 + this.bits;
  }
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** A process identifier. `node` is the node's full name. */
export class Pid {
  constructor(
    readonly node: Atom,
    readonly id: number,
    readonly serial: number,
    readonly creation: number,
  ) {}
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/**
 * A port identifier. `id` is a `bigint` when it does not fit a safe integer. `v4` records that the
 * port arrived as V4_PORT_EXT, so that re-encoding it writes the same bytes.
 */
export class Port {
  constructor(
    readonly node: Atom,
    readonly id: number | bigint,
    readonly creation: number,
    readonly v4 = false,
  ) {}
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** A reference: a node, a creation and 1 to 5 32-bit words. */
export class Reference {
  constructor(
    readonly node: Atom,
    readonly creation: number,
    readonly ids: readonly number[],
  ) {}
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/**
 * A local fun (NEW_FUN_EXT, or the pre-R8 FUN_EXT when `legacy`). Kept whole so it round-trips
 * byte-identically; it cannot be called from TypeScript.
 */
export class Fun {
  constructor(
    readonly module: Atom,
    readonly arity: number,
    readonly uniq: Buffer,
    readonly index: number,
    readonly oldIndex: number,
    readonly oldUniq: number,
    readonly pid: Term,
    readonly free: Term[],
    readonly legacy = false,
  ) {}
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** An external fun: `fun Module:Function/Arity`. */
export class ExportFun {
  readonly function: Atom;
  constructor(
    readonly module: Atom,
    fn: Atom,
    readonly arity: number,
  ) {
    this.function = fn;
  }
  [inspect.custom](): string {
    return inspectTerm(this);
  }
}

/** Shorthand for a binary: `bin('fine')` is `<<"fine">>` (UTF-8). */
export function bin(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Shorthand for a charlist: `charlist('abc')` is `"abc"` in Erlang, the list `[97, 98, 99]`. */
export function charlist(text: string): number[] {
  const codes: number[] = [];
  for (const ch of text) codes.push(ch.codePointAt(0) as number);
  return codes;
}

/** True for a proper list of Unicode code points (what Erlang's `io_lib:printable_unicode_list` accepts, roughly). */
export function isCharlist(term: Term): term is number[] {
  if (!Array.isArray(term)) return false;
  for (const c of term) {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0x10ffff) return false;
  }
  return true;
}

/** The text of a charlist: `charlistToString([104, 105])` is `'hi'`. */
export function charlistToString(codes: number[]): string {
  let s = '';
  for (const c of codes) s += String.fromCodePoint(c);
  return s;
}

/** True for a tuple whose first element is the atom `tag` (and of `size` elements, when given). */
export function isRecord(term: Term, tag: string, size?: number): term is Tuple {
  return (
    term instanceof Tuple &&
    term.elements.length > 0 &&
    term.elements[0] === Atom.of(tag) &&
    (size === undefined || term.elements.length === size)
  );
}
