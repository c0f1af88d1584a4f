/**
 * fast-check arbitraries of Erlang terms covering the whole term model, for property tests.
 *
 * Every term generated is one a real BEAM accepts from the wire (`binary_to_term`) and writes back
 * as an equal term:
 * - pids/ports/references are external ones (node names like 'a@b', creation >= 1, 32-bit fields,
 *   1..5 reference words, 64-bit port ids);
 * - export funs only: a local fun is only valid for code BEAM has loaded, so those are covered by
 *   the fixture vectors made by real erl instead;
 * - bitstrings have their unused bits zero (BEAM clears them; see the explicit test of that);
 * - map keys never contain -0.0: OTP 25 holds 0.0 =:= -0.0, so two keys differing only there are
 *   one key on OTP 25 and two on OTP 27+; -0.0 appears everywhere else;
 * - an improper list's tail is never a list (BEAM would flatten it into the list).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { ErlMap } from '../../codec/erlmap';
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../../codec/terms';

const NODES = ['a@b', 'node1@host', 'x@127.0.0.1', 'erlbridge@localhost', 'λ@höst', 'n@h'];

/** Integers with a safe JS value are `number`s; others `bigint`s (as the decoder yields them). */
function normInt(i: bigint): number | bigint {
  return i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
}

const P = (n: number): bigint => 1n << BigInt(n);

// prettier-ignore
const INT_BOUNDARIES: bigint[] = [
  0n, 1n, 255n, 256n, -1n, -255n, -256n,
  P(27) - 1n, P(27), -P(27), -P(27) - 1n,
  P(31) - 1n, P(31), -P(31), -P(31) - 1n,
  P(32) - 1n, P(32), -P(32),
  P(53) - 1n, P(53), P(53) + 1n, -(P(53) - 1n), -P(53), -(P(53) + 1n),
  P(63) - 1n, P(63), -P(63), P(64) - 1n, P(64), -P(64),
  P(2040) - 1n, -(P(2040) - 1n), P(2040), -P(2040), P(2048),
];

/** Integers of every encoding size. */
export const integerArb: fc.Arbitrary<number | bigint> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 4 },
  { arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weight: 3 },
  { arbitrary: fc.constantFrom(...INT_BOUNDARIES).map(normInt), weight: 2 },
  { arbitrary: fc.maxSafeInteger(), weight: 1 },
  {
    // Any size up to ~2100 bits: pick a bit length, then a value of that length, then a sign.
    arbitrary: fc
      .tuple(fc.integer({ min: 33, max: 2100 }), fc.boolean())
      .chain(([bits, neg]) => fc.bigInt({ min: P(bits - 1), max: P(bits) - 1n }).map((v) => normInt(neg ? -v : v))),
    weight: 2,
  },
  // A bigint holding a small value: the encoder must still choose the small encoding.
  { arbitrary: fc.integer({ min: -1000, max: 100000 }).map((i) => BigInt(i)), weight: 1 },
);

const FLOAT_SPECIALS = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.5,
  1e15,
  1e16,
  2 ** 53,
  2 ** 64,
  1e300,
  5e-324,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

/** Floats: {@link ErlFloat}s (integral ones, -0.0, subnormals, extremes) and plain non-integral numbers. */
export const floatArb: fc.Arbitrary<ErlFloat | number> = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new ErlFloat(d)), weight: 4 },
  { arbitrary: fc.constantFrom(...FLOAT_SPECIALS).map((d) => new ErlFloat(d)), weight: 2 },
  { arbitrary: fc.integer({ min: -1000, max: 1000 }).map((d) => new ErlFloat(d)), weight: 1 },
  {
    arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    weight: 1,
  },
);

/** A Unicode scalar value (no surrogates), biased to ASCII. */
const codePointArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0x61, max: 0x7a }), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 0x7f }), weight: 2 },
  { arbitrary: fc.integer({ min: 0x80, max: 0x7ff }), weight: 1 },
  { arbitrary: fc.integer({ min: 0x800, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff), weight: 1 },
  { arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }), weight: 1 },
);

const atomNameArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('ok', 'error', 'a', 'undefined', 'nil', '', 'EXIT', 'a@b'), weight: 3 },
  { arbitrary: fc.array(codePointArb, { maxLength: 12 }).map((cs) => String.fromCodePoint(...cs)), weight: 3 },
  { arbitrary: fc.array(codePointArb, { minLength: 200, maxLength: 255 }).map((cs) => String.fromCodePoint(...cs)), weight: 1 },
  { arbitrary: fc.constantFrom('a'.repeat(255), 'λ'.repeat(255), '😀'.repeat(255), 'é'.repeat(128)), weight: 1 },
);

/** Atoms of 0..255 characters, ASCII and any Unicode. */
export const atomArb: fc.Arbitrary<Atom> = atomNameArb.map((n) => Atom.of(n));

const nodeArb: fc.Arbitrary<Atom> = fc.constantFrom(...NODES).map((n) => Atom.of(n));
const u32Arb = fc.oneof(fc.integer({ min: 0, max: 0x7fff }), fc.nat({ max: 0xffffffff }), fc.constant(0xffffffff));
const creationArb = fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 0xffffffff }));

export const pidArb: fc.Arbitrary<Pid> = fc
  .tuple(nodeArb, u32Arb, u32Arb, creationArb)
  .map(([node, id, serial, creation]) => new Pid(node, id, serial, creation));

/** Port ids: below 2^28 (NEW_PORT_EXT on OTP 25), up to 2^32, up to 2^64 - 1 (V4_PORT_EXT). */
const portIdArb: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 28 - 1 }),
  fc.integer({ min: 2 ** 28, max: 2 ** 32 - 1 }),
  fc.bigInt({ min: 0n, max: P(64) - 1n }).map(normInt),
  fc.constantFrom(0, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32, P(64) - 1n).map((v) => (typeof v === 'bigint' ? normInt(v) : v)),
);

export const portArb: fc.Arbitrary<Port> = fc
  .tuple(nodeArb, portIdArb, creationArb)
  .map(([node, id, creation]) => new Port(node, id, creation));

export const referenceArb: fc.Arbitrary<Reference> = fc
  .tuple(nodeArb, creationArb, fc.array(u32Arb, { minLength: 1, maxLength: 5 }))
  .map(([node, creation, ids]) => new Reference(node, creation, ids));

export const exportFunArb: fc.Arbitrary<ExportFun> = fc
  .tuple(atomArb, atomArb, fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 255 })))
  .map(([m, f, a]) => new ExportFun(m, f, a));

export const binaryArb: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 32 }).map((u) => Buffer.from(u)), weight: 5 },
  { arbitrary: fc.uint8Array({ minLength: 200, maxLength: 2000 }).map((u) => Buffer.from(u)), weight: 1 },
);

/** Bitstrings of 1..7 bits past whole bytes, unused bits zero. */
export const bitstringArb: fc.Arbitrary<BitBinary> = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 7 }))
  .map(([u, bits]) => {
    const buf = Buffer.from(u);
    buf[buf.length - 1] &= (0xff << (8 - bits)) & 0xff;
    return new BitBinary(buf, bits);
  });

/** Byte lists (STRING_EXT), occasionally at the 65535/65536 boundary. */
export const byteListArb: fc.Arbitrary<number[]> = fc.oneof(
  { arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), weight: 20 },
  { arbitrary: fc.constantFrom(65535, 65536).map((n) => Array.from({ length: n }, (_, i) => (i * 7) & 255)), weight: 1 },
);

/** A JS string: the encoder writes it as a UTF-8 binary (it decodes as a Buffer). */
const jsStringArb: fc.Arbitrary<string> = fc.array(codePointArb, { maxLength: 20 }).map((cs) => String.fromCodePoint(...cs));

export const leafArb: fc.Arbitrary<Term> = fc.oneof(
  { arbitrary: integerArb, weight: 8 },
  { arbitrary: floatArb, weight: 4 },
  { arbitrary: atomArb, weight: 5 },
  { arbitrary: fc.boolean(), weight: 2 },
  { arbitrary: binaryArb, weight: 3 },
  { arbitrary: bitstringArb, weight: 2 },
  { arbitrary: byteListArb, weight: 3 },
  { arbitrary: fc.constant([] as Term[]), weight: 2 },
  { arbitrary: jsStringArb, weight: 1 },
  { arbitrary: pidArb, weight: 1 },
  { arbitrary: portArb, weight: 1 },
  { arbitrary: referenceArb, weight: 1 },
  { arbitrary: exportFunArb, weight: 1 },
);

/** A copy of `t` with every -0.0 made 0.0 (for map keys; see the file comment). */
export function withoutNegativeZero(t: Term): Term {
  if (t instanceof ErlFloat) return Object.is(t.value, -0) ? new ErlFloat(0) : t;
  if (typeof t === 'number') return Object.is(t, -0) ? 0 : t;
  if (Array.isArray(t)) return t.map(withoutNegativeZero);
  if (t instanceof Tuple) return new Tuple(t.elements.map(withoutNegativeZero));
  if (t instanceof ImproperList) return new ImproperList(t.elements.map(withoutNegativeZero), withoutNegativeZero(t.tail));
  if (t instanceof ErlMap) {
    const m = new ErlMap();
    for (const [k, v] of t) m.set(withoutNegativeZero(k), withoutNegativeZero(v));
    return m;
  }
  return t;
}

export interface TermArbOptions {
  /** Container nesting (default 4). */
  maxDepth?: number;
  /** Elements per container (default 6). */
  maxLength?: number;
}

/** Random Erlang terms over the whole model (see the file comment for what is left out and why). */
export function termArb(options: TermArbOptions = {}): fc.Arbitrary<Term> {
  const maxDepth = options.maxDepth ?? 4;
  const maxLength = options.maxLength ?? 6;
  const tree = fc.letrec<{
    term: Term;
    tuple: Tuple;
    list: Term[];
    improper: ImproperList;
    map: ErlMap;
    bigMap: ErlMap;
  }>((tie) => ({
    term: fc.oneof(
      { maxDepth, depthSize: 'small', withCrossShrink: true },
      { arbitrary: leafArb, weight: 6 },
      { arbitrary: tie('tuple'), weight: 2 },
      { arbitrary: tie('list'), weight: 2 },
      { arbitrary: tie('improper'), weight: 1 },
      { arbitrary: tie('map'), weight: 2 },
      { arbitrary: tie('bigMap'), weight: 1 },
    ),
    tuple: fc.oneof(
      { arbitrary: fc.array(tie('term'), { maxLength }).map((es) => new Tuple(es)), weight: 10 },
      // Past 255 elements: LARGE_TUPLE_EXT.
      { arbitrary: fc.integer({ min: 250, max: 300 }).map((n) => new Tuple(Array.from({ length: n }, (_, i) => i))), weight: 1 },
    ),
    list: fc.array(tie('term'), { minLength: 1, maxLength }),
    improper: fc
      .tuple(fc.array(tie('term'), { minLength: 1, maxLength }), tie('term'))
      .filter(([, tail]) => !Array.isArray(tail) && !(tail instanceof ImproperList))
      .map(([elements, tail]) => new ImproperList(elements, tail)),
    map: fc.array(fc.tuple(tie('term'), tie('term')), { maxLength }).map((entries) => {
      const m = new ErlMap();
      for (const [k, v] of entries) m.set(withoutNegativeZero(k), v);
      return m;
    }),
    // 30..40 keys: both sides of the 32-key flatmap/hashmap boundary.
    bigMap: fc.tuple(fc.integer({ min: 30, max: 40 }), fc.array(leafArb, { minLength: 40, maxLength: 40 })).map(([n, values]) => {
      const m = new ErlMap();
      for (let i = 0; i < n; i++) m.set(i % 3 === 0 ? Atom.of(`k${i}`) : i % 3 === 1 ? i : new Tuple([i]), values[i]);
      return m;
    }),
  }));
  return tree.term;
}

/** True when `t` holds a map of more than 32 keys anywhere (BEAM orders those by hash). */
export function hasLargeMap(t: Term): boolean {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop() as Term;
    if (Array.isArray(x)) stack.push(...x);
    else if (x instanceof Tuple) stack.push(...x.elements);
    else if (x instanceof ImproperList) stack.push(...x.elements, x.tail);
    else if (x instanceof ErlMap) {
      if (x.size > 32) return true;
      for (const [k, v] of x) stack.push(k, v);
    } else if (x instanceof Fun) stack.push(x.pid, ...x.free);
  }
  return false;
}

function showAtom(name: string): string {
  return /^[a-z][a-zA-Z0-9_@]*$/.test(name) ? name : `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Erlang-like text of a term, for failure messages (not the project's printer: independent of it). */
export function showTerm(t: Term, limit = 4000): string {
  const out = show(t);
  return out.length > limit ? out.slice(0, limit) + `... (${out.length} chars)` : out;
}

function show(t: Term): string {
  switch (typeof t) {
    case 'number':
      return Number.isInteger(t) ? (Object.is(t, -0) ? '0' : String(t)) : `${t} (JS number)`;
    case 'bigint':
      return `${t}`;
    case 'boolean':
      return String(t);
    case 'string':
      return `<<${JSON.stringify(t)}/utf8>> (JS string)`;
  }
  if (t instanceof Atom) return showAtom(t.name);
  if (t instanceof ErlFloat) return Object.is(t.value, -0) ? '-0.0' : Number.isInteger(t.value) ? `${t.value}.0` : String(t.value);
  if (Buffer.isBuffer(t)) return `<<${[...t].join(',')}>>`;
  if (t instanceof BitBinary) {
    const b = [...t.buffer];
    const last = b.pop() as number;
    return `<<${[...b.map(String), `${last >> (8 - t.bits)}:${t.bits}`].join(',')}>>`;
  }
  if (Array.isArray(t)) return `[${t.map(show).join(',')}]`;
  if (t instanceof ImproperList) return `[${t.elements.map(show).join(',')}|${show(t.tail)}]`;
  if (t instanceof Tuple) return `{${t.elements.map(show).join(',')}}`;
  if (t instanceof ErlMap)
    return `#{${t
      .entries()
      .map(([k, v]) => `${show(k)}=>${show(v)}`)
      .join(',')}}`;
  if (t instanceof Pid) return `#Pid<${showAtom(t.node.name)}.${t.id}.${t.serial}.${t.creation}>`;
  if (t instanceof Port) return `#Port<${showAtom(t.node.name)}.${t.id}.${t.creation}${t.v4 ? ' v4' : ''}>`;
  if (t instanceof Reference) return `#Ref<${showAtom(t.node.name)}.${t.creation}.${t.ids.join('.')}>`;
  if (t instanceof ExportFun) return `fun ${showAtom(t.module.name)}:${showAtom(t.function.name)}/${t.arity}`;
  if (t instanceof Fun) return `#Fun<${showAtom(t.module.name)}.${t.index}.${t.uniq.toString('hex')}|${t.free.map(show).join(',')}>`;
  return String(t);
}

// ---------------------------------------------------------------------------------------------
// The fixture vectors written by real OTP (fixtures/etf, see its README).

export interface Vector {
  name: string;
  kind: 'term' | 'decode' | 'reject';
  otp: string;
  hex?: string;
  hex_zlib?: string;
  hex_size?: number;
  hex_sha256?: string;
  input?: string;
  input_zlib?: string;
  input_size?: number;
  input_sha256?: string;
  text?: string;
  expr?: string;
  words?: number;
  compressed_input?: boolean;
}

export interface VectorFile {
  otp: string;
  file: string;
  vectors: Vector[];
}

const DIR = path.join(__dirname, '../../fixtures/etf');
/** The committed vector files: OTP 25 (the byte-exact reference), 27, 29. */
export const VECTOR_FILES = ['vectors.json', 'vectors-otp27.json', 'vectors-otp29.json'];

export function loadVectorFile(file: string): VectorFile {
  const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { otp: string; vectors: Vector[] };
  return { otp: json.otp, file, vectors: json.vectors };
}

/** The bytes of `field` ('hex' or 'input'), inflating and checking the stored size and SHA-256 of large ones. */
export function vectorBytes(v: Vector, field: 'hex' | 'input'): Buffer {
  const plain = v[field];
  if (plain !== undefined) return Buffer.from(plain, 'hex');
  const z = v[`${field}_zlib`];
  if (z === undefined) throw new Error(`vector ${v.name} has no ${field}`);
  const bytes = zlib.inflateSync(Buffer.from(z, 'base64'));
  if (bytes.length !== v[`${field}_size`]) throw new Error(`vector ${v.name}: ${field} size ${bytes.length} != ${v[`${field}_size`]}`);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== v[`${field}_sha256`]) throw new Error(`vector ${v.name}: ${field} sha256 mismatch`);
  return bytes;
}
