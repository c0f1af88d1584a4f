/**
 * Conversions between terms and plain JavaScript values, for code that wants JSON-like data rather
 * than the lossless term model. They lose what JavaScript cannot tell apart (a tuple and a list
 * both become arrays, `1.0` becomes `1`), so use them at the edges, not for terms that must
 * round-trip.
 *
 * `toJS(term, options)`:
 *
 * | term                                 | JavaScript                                              |
 * |--------------------------------------|---------------------------------------------------------|
 * | integer                              | `number` when safe, else per `bigints`: `bigint` (default), `number` (rounded), `string` (decimal) |
 * | float ({@link ErlFloat})             | `number`                                                |
 * | `true`, `false`                      | `true`, `false`                                         |
 * | `null`, `undefined`                  | `null` (JS's one "no value" that survives arrays and JSON) |
 * | any other atom                       | its name, a `string`                                    |
 * | binary                               | `Buffer` (default), or per `binaries: 'string'` its UTF-8 text |
 * | proper list                          | array of converted elements; per `charlists: 'string'` a non-empty list of code points is a `string` |
 * | tuple                                | array of converted elements                             |
 * | map, every key an atom or binary     | plain object (keys: the atom names, the binaries' text) |
 * | any other map                        | `Map` of converted keys to converted values             |
 * | pid, port, reference, fun, bitstring, improper list | as they are                              |
 *
 * `fromJS(value, options)`:
 *
 * | JavaScript                           | term                                                    |
 * |--------------------------------------|---------------------------------------------------------|
 * | integral `number`, `bigint`          | integer (`-0` is `0`; beyond 2^53 a `bigint`, as the decoder gives it) |
 * | other finite `number`                | float; NaN and ±Infinity are an {@link EncodeError} `bad_float` |
 * | `boolean`                            | `true`, `false`                                         |
 * | `null`, `undefined`                  | the atoms `null`, `undefined`                            |
 * | `string`                             | UTF-8 binary (default), or per `strings: 'charlist'` a charlist |
 * | array                                | proper list of converted elements                        |
 * | plain object                         | map; keys atoms (default) or per `keys: 'binary'` UTF-8 binaries |
 * | `Map`                                | map of converted keys to converted values               |
 * | `Uint8Array` (`Buffer` included)     | binary                                                  |
 * | a term object ({@link Atom}, {@link Tuple}, {@link ErlMap}, {@link ErlFloat}, pid, ...) | as it is |
 * | anything else (functions, symbols, class instances, cycles) | an {@link EncodeError} `not_a_term` (cycles: `depth_limit`) |
 */
import { ErlMap } from './erlmap';
import { EncodeError } from './errors';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from './terms';

/** What {@link toJS} gives (and {@link fromJS} takes, with term objects as well). */
export type JsValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | JsValue[]
  | { [key: string]: JsValue }
  | Map<JsValue, JsValue>
  | Pid
  | Port
  | Reference
  | Fun
  | ExportFun
  | BitBinary
  | ImproperList;

/** Options of {@link toJS}. */
export interface ToJSOptions {
  /** Integers beyond ±(2^53 - 1): kept as `bigint` (default), rounded to `number`, or as decimal `string`. */
  bigints?: 'bigint' | 'number' | 'string';
  /** Binaries stay `Buffer`s (default) or become their UTF-8 text. */
  binaries?: 'buffer' | 'string';
  /** Lists of code points stay arrays of numbers (default) or become strings (`[]` stays `[]`). */
  charlists?: 'list' | 'string';
}

const NULL = Atom.of('null');
const UNDEFINED = Atom.of('undefined');

function isCodePoints(list: Term[]): list is number[] {
  if (list.length === 0) return false;
  for (const c of list) {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** A map key as an object key, or undefined when it is not an atom or a binary. */
function objectKey(key: Term): string | undefined {
  if (key instanceof Atom) return key.name;
  if (typeof key === 'boolean') return String(key);
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  if (typeof key === 'string') return key;
  return undefined;
}

/** A term as a plain JavaScript value, by the rules in this module's table. */
export function toJS(term: Term, options: ToJSOptions = {}): JsValue {
  const convert = (t: Term): JsValue => {
    switch (typeof t) {
      case 'number':
      case 'boolean':
      case 'string':
        return t;
      case 'bigint':
        if (t >= BigInt(Number.MIN_SAFE_INTEGER) && t <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(t);
        return options.bigints === 'number' ? Number(t) : options.bigints === 'string' ? t.toString() : t;
    }
    if (t instanceof ErlFloat) return t.value;
    if (t instanceof Atom) return t === NULL || t === UNDEFINED ? null : t.name;
    if (Buffer.isBuffer(t)) return options.binaries === 'string' ? t.toString('utf8') : t;
    if (Array.isArray(t)) {
      if (options.charlists === 'string' && isCodePoints(t)) return t.reduce((s, c) => s + String.fromCodePoint(c), '');
      return t.map(convert);
    }
    if (t instanceof Tuple) return t.elements.map(convert);
    if (t instanceof ErlMap) {
      const entries = t.entries();
      const named = entries.map(([k, v]) => [objectKey(k), v] as const);
      if (named.every(([k]) => k !== undefined)) return Object.fromEntries<JsValue>(named.map(([k, v]) => [k as string, convert(v)]));
      return new Map(entries.map(([k, v]) => [convert(k), convert(v)]));
    }
    return t;
  };
  return convert(term);
}

/** Options of {@link fromJS}. */
export interface FromJSOptions {
  /** Object keys become atoms (default, as Erlang code matches `#{name := N}`) or UTF-8 binaries (as JSON decoders give them). */
  keys?: 'atom' | 'binary';
  /** Strings become UTF-8 binaries (default) or charlists. */
  strings?: 'binary' | 'charlist';
}

function isTermObject(v: object): v is Term & object {
  return (
    v instanceof Atom ||
    v instanceof ErlFloat ||
    v instanceof Tuple ||
    v instanceof ErlMap ||
    v instanceof Pid ||
    v instanceof Port ||
    v instanceof Reference ||
    v instanceof Fun ||
    v instanceof ExportFun ||
    v instanceof BitBinary ||
    v instanceof ImproperList
  );
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain JavaScript value as a term, by the rules in this module's table. */
export function fromJS(value: unknown, options: FromJSOptions = {}): Term {
  const ancestors = new Set<object>();
  const text = (s: string): Term =>
    options.strings === 'charlist' ? Array.from(s, (c) => c.codePointAt(0) as number) : Buffer.from(s, 'utf8');
  const key = (k: string): Term => (options.keys === 'binary' ? Buffer.from(k, 'utf8') : Atom.of(k));
  const convert = (v: unknown): Term => {
    switch (typeof v) {
      case 'number':
        if (Number.isSafeInteger(v)) return v + 0; // -0 is the integer 0
        if (Number.isInteger(v)) return BigInt(v); // the term model's form beyond 2^53
        if (!Number.isFinite(v)) throw new EncodeError('bad_float', `fromJS: ${v} is no Erlang float`);
        return new ErlFloat(v);
      case 'bigint':
      case 'boolean':
        return v;
      case 'string':
        return text(v);
      case 'undefined':
        return UNDEFINED;
      case 'object':
        break;
      default:
        throw new EncodeError('not_a_term', `fromJS: a ${typeof v} has no term`);
    }
    if (v === null) return NULL;
    if (Buffer.isBuffer(v)) return v;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (isTermObject(v)) return v;
    if (ancestors.has(v)) throw new EncodeError('depth_limit', 'fromJS: the value contains itself');
    ancestors.add(v);
    let out: Term;
    if (Array.isArray(v)) out = v.map(convert);
    else if (v instanceof Map) out = new ErlMap(Array.from(v as Map<unknown, unknown>, ([k, x]) => [convert(k), convert(x)] as const));
    else if (isPlainObject(v)) out = new ErlMap(Object.entries(v).map(([k, x]) => [key(k), convert(x)] as const));
    else throw new EncodeError('not_a_term', `fromJS: a ${v.constructor?.name ?? 'object'} has no term`);
    ancestors.delete(v);
    return out;
  };
  return convert(value);
}

/**
 * `term` with every integer in it (in lists, tuples, maps, keys too) in one form: all `bigint`, or
 * all `number`; `undefined` when an integer is too large for a `number` to hold exactly. Floats
 * stay floats. The term model's own mixed form is what the decoder gives.
 */
export function integersAs(term: Term, form: 'bigint' | 'number'): Term | undefined {
  let fits = true;
  const convert = (t: Term): Term => {
    if (typeof t === 'number') return form === 'bigint' && Number.isInteger(t) ? BigInt(t) : t;
    if (typeof t === 'bigint') {
      if (form === 'bigint') return t;
      const n = Number(t);
      if (!Number.isSafeInteger(n) || BigInt(n) !== t) fits = false;
      return n;
    }
    if (Array.isArray(t)) return t.map(convert);
    if (t instanceof Tuple) return new Tuple(t.elements.map(convert));
    if (t instanceof ErlMap) return new ErlMap(Array.from(t, ([k, v]) => [convert(k), convert(v)] as const));
    if (t instanceof ImproperList) return new ImproperList(t.elements.map(convert), convert(t.tail));
    return t;
  };
  const out = convert(term);
  return fits ? out : undefined;
}
