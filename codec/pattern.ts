/**
 * Patterns: Erlang's pattern matching for TypeScript, with typed results.
 *
 * A pattern is a function `(term) => T | undefined`: the value it extracts, or `undefined` when the
 * term does not match. So a pattern is a receive matcher as it is (`self.receive(pattern)`), an
 * argument guard of a served function, or a plain test (`if (pattern(t) !== undefined)`). Results
 * are typed from the pattern: `tuple(atom('store'), any, int)` gives `[Atom, Term, number]`, and
 * `record('store', { key: any, value: int })` gives `{ key: Term; value: number }`.
 *
 * Patterns accept a term in every form the term model allows for it (an integer as `number` or
 * `bigint`, a float as `ErlFloat` or a non-integral `number`, a binary as `Buffer` or JS `string`)
 * and give it in one form, the one their name says. Import them as a namespace: `P.tuple(...)`.
 *
 * | pattern            | matches                                    | gives                    |
 * |--------------------|--------------------------------------------|--------------------------|
 * | `any`              | any term                                   | the term                 |
 * | `atom()`, `atom(n)`| any atom (`true`/`false` too), atom `n`    | {@link Atom}             |
 * | `boolean`          | `true`, `false`                            | `boolean`                |
 * | `int`              | an integer within ±(2^53 - 1)              | `number`                 |
 * | `bigint`           | any integer                                | `bigint`                 |
 * | `integer`          | any integer                                | `number \| bigint`, as it is |
 * | `float`            | a float                                    | `number`                 |
 * | `number`           | a float, or an `int`                       | `number`                 |
 * | `binary`           | a binary (whole bytes)                     | `Buffer`                 |
 * | `string`           | a UTF-8 binary or a charlist               | `string`                 |
 * | `charlist`         | a list of Unicode code points              | `string`                 |
 * | `list(p)`          | a proper list whose every element matches  | an array of `p`'s results |
 * | `tuple(p1, ...)`   | a tuple of that size, element by element   | a JS tuple of results    |
 * | `record(tag, {..})`| `{tag, F1, ...}`, fields in the order given | an object of results     |
 * | `map({k: p}, o)`   | a map with these keys (atoms, or binaries) | an object of results     |
 * | `optional(p)`      | in `map`: the key may be missing           | `p`'s result or undefined |
 * | `pid`, `ref`, `port` | a pid, reference, port                   | {@link Pid}, ...         |
 * | `literal(v)`       | a term `=:=` to `v`                        | `v`                      |
 * | `oneOf(p, q, ...)` | what the first matching pattern matches    | its result               |
 * | `when(p, test)`    | what `p` matches and `test` accepts        | `p`'s result             |
 * | `js(options)`      | any term                                   | {@link toJS} of it       |
 */
import { equals } from './compare';
import { JsValue, toJS, ToJSOptions } from './convert';
import { ErlMap } from './erlmap';
import { Atom, ErlFloat, Pid, Port, Reference, Term, Tuple } from './terms';

/** Matches a term, giving `T`; `undefined` when it does not match. Also a receive `Matcher<T>`. */
export type Pattern<T> = (term: Term) => T | undefined;

/** The result type of a pattern: `Matched<typeof P.int>` is `number`. */
export type Matched<P> = P extends Pattern<infer T> ? T : never;

/** The results of a list of patterns, position by position. */
export type MatchedAll<Ps extends readonly Pattern<unknown>[]> = { -readonly [K in keyof Ps]: Matched<Ps[K]> };

/** The results of an object of patterns, field by field. */
export type MatchedFields<F extends Record<string, Pattern<unknown>>> = { [K in keyof F]: Matched<F[K]> };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TRUE = Atom.of('true');
const FALSE = Atom.of('false');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Any term, as it is (Erlang's `_`, or a fresh variable). */
export const any: Pattern<Term> = (t) => t;

/** Any atom (`atom()`), or only the atom `name`. `true` and `false` are atoms too, as in Erlang. */
export function atom(name?: string): Pattern<Atom> {
  const only = name === undefined ? undefined : Atom.of(name);
  return (t) => {
    const a = typeof t === 'boolean' ? (t ? TRUE : FALSE) : t instanceof Atom ? t : undefined;
    return only === undefined || a === only ? a : undefined;
  };
}

/** `true` or `false`. */
export const boolean: Pattern<boolean> = (t) => (typeof t === 'boolean' ? t : t === TRUE ? true : t === FALSE ? false : undefined);

/** An integer that a `number` holds exactly (|i| < 2^53); a larger one does not match. */
export const int: Pattern<number> = (t) => {
  if (typeof t === 'number') return Number.isInteger(t) ? t : undefined;
  if (typeof t === 'bigint') return t >= -MAX_SAFE && t <= MAX_SAFE ? Number(t) : undefined;
  return undefined;
};

/** Any integer, as a `bigint`. */
export const bigint: Pattern<bigint> = (t) => {
  if (typeof t === 'bigint') return t;
  return typeof t === 'number' && Number.isInteger(t) ? BigInt(t) : undefined;
};

/** Any integer, as the term model has it: `number` when safe, `bigint` beyond. */
export const integer: Pattern<number | bigint> = (t) =>
  typeof t === 'bigint' || (typeof t === 'number' && Number.isInteger(t)) ? t : undefined;

/** A float (an {@link ErlFloat}, or a non-integral `number`), as a `number`. */
export const float: Pattern<number> = (t) => {
  if (t instanceof ErlFloat) return t.value;
  return typeof t === 'number' && !Number.isInteger(t) ? t : undefined;
};

/** A float or an integer that a `number` holds exactly (Erlang's `is_number`, within JS's reach), as a `number`. */
export const number: Pattern<number> = (t) => float(t) ?? int(t);

/** A binary, as a `Buffer` (a JS `string` term is the UTF-8 binary it encodes to). A bitstring does not match. */
export const binary: Pattern<Buffer> = (t) => (Buffer.isBuffer(t) ? t : typeof t === 'string' ? Buffer.from(t, 'utf8') : undefined);

function charlistText(t: Term): string | undefined {
  if (!Array.isArray(t)) return undefined;
  let s = '';
  for (const e of t) {
    const c = int(e);
    // Code points, surrogates excluded: what unicode:characters_to_binary accepts.
    if (c === undefined || c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return undefined;
    s += String.fromCodePoint(c);
  }
  return s;
}

/** A charlist (a proper list of Unicode code points, `[]` included), as a JS string. */
export const charlist: Pattern<string> = charlistText;

/** Text: a binary of valid UTF-8 or a charlist, as a JS string. */
export const string: Pattern<string> = (t) => {
  if (typeof t === 'string') return t;
  if (Buffer.isBuffer(t)) {
    try {
      return utf8.decode(t);
    } catch {
      return undefined;
    }
  }
  return charlistText(t);
};

/** A process identifier. */
export const pid: Pattern<Pid> = (t) => (t instanceof Pid ? t : undefined);

/** A reference. */
export const ref: Pattern<Reference> = (t) => (t instanceof Reference ? t : undefined);

/** A port identifier. */
export const port: Pattern<Port> = (t) => (t instanceof Port ? t : undefined);

/** A proper list whose every element matches `of` (default: any list), as an array of its results. */
export function list<T = Term>(of: Pattern<T> = any as Pattern<T>): Pattern<T[]> {
  return (t) => {
    if (!Array.isArray(t)) return undefined;
    const out: T[] = [];
    for (const e of t) {
      const r = of(e);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  };
}

function matchAll(patterns: readonly Pattern<unknown>[], terms: readonly Term[]): unknown[] | undefined {
  if (terms.length !== patterns.length) return undefined;
  const out: unknown[] = [];
  for (let i = 0; i < patterns.length; i++) {
    const r = patterns[i](terms[i]);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/** A tuple of exactly these elements: `tuple(atom('ok'), int)` matches `{ok, 3}`, giving `[ok, 3]`. */
export function tuple<const Ps extends readonly Pattern<unknown>[]>(...elements: Ps): Pattern<MatchedAll<Ps>> {
  return (t) => (t instanceof Tuple ? (matchAll(elements, t.elements) as MatchedAll<Ps> | undefined) : undefined);
}

/**
 * A tagged tuple `{tag, F1, F2, ...}` (an Erlang record's shape), its fields in the order `fields`
 * lists them, giving the fields by name: `record('store', { key: any, value: int })` matches
 * `{store, weather, 3}` giving `{ key: weather, value: 3 }`.
 */
export function record<F extends Record<string, Pattern<unknown>>>(tag: string, fields: F): Pattern<MatchedFields<F>> {
  const tagAtom = Atom.of(tag);
  const names = Object.keys(fields);
  const patterns = names.map((n) => fields[n]);
  return (t) => {
    if (!(t instanceof Tuple) || t.elements[0] !== tagAtom) return undefined;
    const values = matchAll(patterns, t.elements.slice(1));
    return values === undefined ? undefined : (Object.fromEntries(names.map((n, i) => [n, values[i]])) as MatchedFields<F>);
  };
}

const OPTIONAL = Symbol('optional');

/** In a {@link map} pattern: the key may be missing (then its field is `undefined`); when present, its value must match. */
export function optional<T>(pattern: Pattern<T>): Pattern<T | undefined> {
  return Object.assign((t: Term) => pattern(t), { [OPTIONAL]: true });
}

/** Options of {@link map}. */
export interface MapPatternOptions {
  /** The keys are atoms (default, as `#{name := N}`) or UTF-8 binaries (as `#{<<"name">> := N}`, JSON's). */
  keys?: 'atom' | 'binary';
}

/**
 * A map that has these keys, with values matching (Erlang's `#{key := Pattern}`; other keys may be
 * there too), giving the values by name.
 */
export function map<F extends Record<string, Pattern<unknown>>>(fields: F, options: MapPatternOptions = {}): Pattern<MatchedFields<F>> {
  const names = Object.keys(fields);
  const keys = names.map((n) => (options.keys === 'binary' ? Buffer.from(n, 'utf8') : Atom.of(n)));
  return (t) => {
    if (!(t instanceof ErlMap)) return undefined;
    const out: [string, unknown][] = [];
    for (let i = 0; i < names.length; i++) {
      const p = fields[names[i]];
      const v = t.get(keys[i]);
      if (v === undefined) {
        if (!(OPTIONAL in p)) return undefined;
        out.push([names[i], undefined]);
        continue;
      }
      const r = p(v);
      if (r === undefined) return undefined;
      out.push([names[i], r]);
    }
    return Object.fromEntries(out) as MatchedFields<F>;
  };
}

/** A term exactly equal (`=:=`) to `value`: `literal(ref)` in a receive is Erlang's bound variable. */
export function literal<const T extends Term>(value: T): Pattern<T> {
  return (t) => (equals(t, value) ? value : undefined);
}

/** What the first of `patterns` to match gives (alternatives: `oneOf(int, atom('infinity'))`). */
export function oneOf<const Ps extends readonly Pattern<unknown>[]>(...patterns: Ps): Pattern<Matched<Ps[number]>> {
  return (t) => {
    for (const p of patterns) {
      const r = p(t);
      if (r !== undefined) return r as Matched<Ps[number]>;
    }
    return undefined;
  };
}

/** What `pattern` matches and `test` accepts (Erlang's `when` guard): `when(int, (n) => n > 0)`. */
export function when<T>(pattern: Pattern<T>, test: (value: T) => boolean): Pattern<T> {
  return (t) => {
    const r = pattern(t);
    return r !== undefined && test(r) ? r : undefined;
  };
}

/** Any term, converted by {@link toJS} with `options` (maps to objects, lists to arrays, ...). */
export function js(options?: ToJSOptions): Pattern<JsValue> {
  return (t) => toJS(t, options);
}
