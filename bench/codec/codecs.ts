/**
 * The codecs under test, behind one small interface. erlbridge is imported; the comparison codecs
 * live in bench/node_modules (bench/package.json, never a dependency of the library) and are
 * loaded at run time, so a codec that did not install is skipped with its reason, and the root
 * type-check never needs them.
 *
 * Each codec gets each workload in the closest form it supports (`prepare`), plus what its own
 * decoder must give back for it (`expected`): the bench refuses to time a codec that does not
 * decode what it encoded.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { decode, Decoder, encode, Encoder, equals, Term } from '../../codec';
import { blob, erlbridgeTerm, MAP_COUNT, nested, NODE, PID, REF, smallInts, WorkloadId } from './workloads';

/*
 * The comparison codecs ship no types (or none that the root type-check may see): what this file
 * uses of each, as it calls them.
 */

/** msgpackr, erlpack, etf.js, erlpackjs. */
interface PackUnpack {
  pack(input: unknown): Uint8Array;
  unpack(bytes: Uint8Array): unknown;
}

interface Msgpackr extends PackUnpack {
  isNativeAccelerationEnabled?: boolean;
}

interface EtfJs extends PackUnpack {
  Atom(name: string): unknown;
}

interface Ftee {
  encode(input: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** erlang_js: wrapper classes for the term kinds, and a callback API that reports its own Error subclasses. */
interface ErlangJs {
  OtpErlangAtom: new (name: string) => unknown;
  OtpErlangPid: new (node: unknown, id: Buffer, serial: Buffer, creation: Buffer) => unknown;
  OtpErlangReference: new (node: unknown, id: Buffer, creation: Buffer) => unknown;
  OtpErlangBinary: new (bytes: Buffer) => unknown;
  OtpErlangList: new (items: unknown[]) => unknown;
  OtpErlangMap: new (entries: Map<unknown, unknown>) => unknown;
  term_to_binary(term: unknown, done: (err: Error | undefined, bytes: Buffer) => void): void;
  binary_to_term(bytes: Uint8Array, done: (err: Error | undefined, term: unknown) => void): void;
}

/** erlang_js's callback API, which calls back before it returns, as a plain call. */
function viaCallback<T>(call: (done: (err: Error | undefined, value: T) => void) => void): T {
  const result: { err?: Error; value?: T } = {};
  call((err, value) => {
    result.err = err;
    result.value = value;
  });
  if (result.err !== undefined) throw result.err;
  return result.value as T;
}

export interface Prepared {
  /** What is handed to `encode`. */
  input: unknown;
  /** What `decode(encode(input))` must equal. */
  expected: unknown;
  /** Where this is not the Erlang term itself: what stands in for what. */
  note?: string;
}

export interface Codec {
  /** Column name. */
  name: string;
  /** Package and version, for the table. */
  version: string;
  /** erlbridge itself, another ETF codec, or a non-ETF reference point. */
  kind: 'erlbridge' | 'etf' | 'msgpack';
  /** Shown beside the results, not counted in ratios or goals. */
  informational?: boolean;
  prepare(w: WorkloadId): Prepared;
  encode(input: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
  /** Equality for the sanity check; `deepEqual` unless the codec has its own. */
  same(actual: unknown, expected: unknown): boolean;
  /** One line on what the codec cannot represent, for the footnotes. */
  limits: string;
}

export interface Skipped {
  name: string;
  reason: string;
}

/** bench/ (this file runs from bench/.build/js/bench/codec/). */
export function benchDir(): string {
  return process.env.ERLBRIDGE_BENCH_DIR ?? path.resolve(__dirname, '..', '..', '..', '..');
}

/** Structural equality for plain JS data: arrays, Maps in order, objects by key, bytes by content. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    const ea = [...a.entries()];
    const eb = [...b.entries()];
    for (let i = 0; i < ea.length; i++) {
      if (!deepEqual(ea[i][0], eb[i][0]) || !deepEqual(ea[i][1], eb[i][1])) return false;
    }
    return true;
  }
  const pa = Object.getPrototypeOf(a) as unknown;
  const pb = Object.getPrototypeOf(b) as unknown;
  // a plain object is a plain object whether or not a decoder gave it a prototype
  const plain = (p: unknown): boolean => p === null || p === Object.prototype;
  if (pa !== pb && !(plain(pa) && plain(pb))) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// erlbridge

function erlbridgeSame(a: unknown, b: unknown): boolean {
  return equals(a as Term, b as Term);
}

function erlbridgePrepare(w: WorkloadId): Prepared {
  const t = erlbridgeTerm(w);
  return { input: t, expected: t };
}

function erlbridgeVersion(): string {
  try {
    const root = path.resolve(benchDir(), '..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const rev = process.env.ERLBRIDGE_BENCH_REV;
    return `${pkg.version}${rev ? ` (${rev})` : ''}`;
  } catch {
    return '?';
  }
}

function erlbridgeCodecs(): Codec[] {
  const version = erlbridgeVersion();
  const encoder = new Encoder();
  const decoder = new Decoder();
  return [
    {
      name: 'erlbridge',
      version: `${version}, encode()/decode()`,
      kind: 'erlbridge',
      prepare: erlbridgePrepare,
      encode: (t) => encode(t as Term),
      decode: (b) => decode(b as Buffer),
      same: erlbridgeSame,
      limits: 'the full term model, byte-exact with term_to_binary',
    },
    {
      name: 'erlbridge (reused)',
      version: `${version}, one Encoder/Decoder`,
      kind: 'erlbridge',
      informational: true,
      prepare: erlbridgePrepare,
      encode: (t) => encoder.encode(t as Term),
      decode: (b) => decoder.decode(b as Buffer),
      same: erlbridgeSame,
      limits: 'the same codec, one instance of each kept across calls',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Comparison codecs

/** Plain-JS stand-ins for a pid and a reference, for codecs that have neither. */
function pidObject(node: unknown): Record<string, unknown> {
  return { node, id: PID.id, serial: PID.serial, creation: PID.creation };
}
function refObject(node: unknown): Record<string, unknown> {
  return { node, creation: REF.creation, ids: [...REF.ids] };
}

const ASCII_BLOB = (): string => blob().toString('latin1');

function mapsOf<T>(make: (n: number) => T): T[] {
  const list: T[] = [];
  for (let n = 1; n <= MAP_COUNT; n++) list.push(make(n));
  return list;
}

/**
 * For codecs whose JS data model is "strings, numbers, arrays, objects" (erlpack, erlpackjs, ftee):
 * atoms and binaries are strings, tuples are arrays, maps are objects with string keys.
 */
function plainPrepare(w: WorkloadId): Prepared {
  switch (w) {
    case 'a': {
      const t = ['$gen_call', [pidObject(NODE), refObject(NODE)], ['store', 'weather', 'fine']];
      return { input: t, expected: t, note: 'atoms and binaries as strings, tuples as lists, pid/ref as maps' };
    }
    case 'b': {
      const t = mapsOf((n) => ({ id: n, name: `user ${n}`, score: n * 1.5, active: true }));
      return { input: t, expected: t, note: 'binary keys (no atoms); names as strings; integral floats become integers' };
    }
    case 'c': {
      const s = ASCII_BLOB();
      return { input: s, expected: s, note: 'a 1 MiB string (no Buffer support)' };
    }
    case 'd': {
      const t = smallInts();
      return { input: t, expected: t };
    }
    case 'e': {
      const t = nested<unknown>([], (x) => [x]);
      return { input: t, expected: t };
    }
  }
}

type Loader = (req: NodeRequire) => Codec;

/** The installed version of `pkg` (read from its package.json: `exports` may hide it from require). */
function version(req: NodeRequire, pkg: string): string {
  try {
    let dir = path.dirname(req.resolve(pkg));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      }
      const up = path.dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

const loaders: Record<string, Loader> = {
  msgpackr: (req) => {
    const m = req('msgpackr') as Msgpackr;
    return {
      name: 'msgpackr',
      version: `msgpackr ${version(req, 'msgpackr')}${m.isNativeAccelerationEnabled ? ' (native string extraction on)' : ''}, pack()/unpack()`,
      kind: 'msgpack',
      prepare(w) {
        switch (w) {
          case 'a': {
            const t = ['$gen_call', [pidObject(NODE), refObject(NODE)], ['store', 'weather', Buffer.from('fine')]];
            return { input: t, expected: t, note: 'MessagePack: atoms as strings, tuples as arrays, pid/ref as maps' };
          }
          case 'b': {
            const t = mapsOf((n) => ({ id: n, name: Buffer.from(`user ${n}`), score: n * 1.5, active: true }));
            return { input: t, expected: t, note: 'string keys; integral floats become integers' };
          }
          case 'c': {
            const b = blob();
            return { input: b, expected: b };
          }
          default:
            return plainPrepare(w);
        }
      },
      encode: (x) => m.pack(x),
      decode: (b) => m.unpack(b),
      same: deepEqual,
      limits: 'MessagePack, not ETF: the same data as plain JS (objects, arrays, strings, Buffers); standard maps, no record extension',
    };
  },

  erlpack: (req) => {
    const m = req('erlpack') as PackUnpack;
    return {
      name: 'erlpack',
      version: `erlpack ${version(req, 'erlpack')} (native)`,
      kind: 'etf',
      prepare: plainPrepare,
      encode: (x) => m.pack(x),
      decode: (b) => m.unpack(b),
      same: deepEqual,
      limits:
        'no atoms, tuples, pids, refs or Buffers on encode; cannot decode SMALL_ATOM_UTF8_EXT or NEW_PID_EXT (what OTP 26+ writes); nesting limit 256 (it then throws "Out of memory")',
    };
  },

  erlang_js: (req) => {
    const E = (req('erlang_js') as { Erlang: ErlangJs }).Erlang;
    const A = (name: string): unknown => new E.OtpErlangAtom(name);
    const u32 = (...words: number[]): Buffer => {
      const b = Buffer.alloc(words.length * 4);
      words.forEach((w, i) => b.writeUInt32BE(w, i * 4));
      return b;
    };
    return {
      name: 'erlang_js',
      version: `erlang_js ${version(req, 'erlang_js')}`,
      kind: 'etf',
      prepare(w) {
        switch (w) {
          case 'a': {
            const node = A(NODE);
            const t = [
              A('$gen_call'),
              [
                new E.OtpErlangPid(node, u32(PID.id), u32(PID.serial), u32(PID.creation)),
                new E.OtpErlangReference(node, u32(...REF.ids), u32(REF.creation)),
              ],
              [A('store'), A('weather'), new E.OtpErlangBinary(Buffer.from('fine'))],
            ];
            return { input: t, expected: t };
          }
          case 'b': {
            const keys = { id: A('id'), name: A('name'), score: A('score'), active: A('active') };
            const t = new E.OtpErlangList(
              mapsOf(
                (n) =>
                  new E.OtpErlangMap(
                    new Map<unknown, unknown>([
                      [keys.id, n],
                      [keys.name, new E.OtpErlangBinary(Buffer.from(`user ${n}`))],
                      [keys.score, n * 1.5],
                      [keys.active, true],
                    ]),
                  ),
              ),
            );
            return { input: t, expected: t, note: 'integral floats (3.0) become integers' };
          }
          case 'c': {
            const t = new E.OtpErlangBinary(blob());
            return { input: t, expected: t };
          }
          case 'd': {
            const t = new E.OtpErlangList(smallInts());
            return { input: t, expected: t };
          }
          case 'e': {
            const t = nested<unknown>(new E.OtpErlangList([]), (x) => new E.OtpErlangList([x]));
            return { input: t, expected: t };
          }
        }
      },
      encode: (x) => viaCallback<Buffer>((done) => E.term_to_binary(x, done)),
      decode: (b) => viaCallback<unknown>((done) => E.binary_to_term(b, done)),
      same: deepEqual,
      limits: 'full term model through wrapper classes; no float type for integral values; callback API',
    };
  },

  'etf.js': (req) => {
    const m = req('etf.js') as EtfJs;
    const A = (name: string): unknown => m.Atom(name);
    return {
      name: 'etf.js',
      version: `etf.js ${version(req, 'etf.js')}`,
      kind: 'etf',
      prepare(w) {
        switch (w) {
          case 'a': {
            const t = ['$gen_call', [pidObject(A(NODE)), refObject(A(NODE))], [A('store'), A('weather'), 'fine']];
            const expected = ['$gen_call', [pidObject(NODE), refObject(NODE)], ['store', 'weather', 'fine']];
            return { input: t, expected, note: 'no tuples, pids or refs: lists and maps; atoms decode as strings' };
          }
          case 'b': {
            const t = mapsOf(
              (n) =>
                new Map<unknown, unknown>([
                  [A('id'), n],
                  [A('name'), `user ${n}`],
                  [A('score'), n * 1.5],
                  [A('active'), true],
                ]),
            );
            const expected = mapsOf((n) => ({ id: n, name: `user ${n}`, score: n * 1.5, active: true }));
            return { input: t, expected, note: 'atom keys; names as strings; integral floats become integers' };
          }
          default:
            return plainPrepare(w);
        }
      },
      encode: (x) => m.pack(x),
      decode: (b) => m.unpack(b),
      same: deepEqual,
      limits: 'no tuples, pids, refs or Buffers; binaries are strings both ways',
    };
  },

  erlpackjs: (req) => {
    const m = req('erlpackjs') as PackUnpack;
    return {
      name: 'erlpackjs',
      version: `erlpackjs ${version(req, 'erlpackjs')}`,
      kind: 'etf',
      prepare: plainPrepare,
      encode: (x) => m.pack(x),
      decode: (b) => m.unpack(b),
      same: deepEqual,
      limits: 'no atoms, tuples, pids, refs or Buffers; cannot decode SMALL_ATOM_UTF8_EXT (OTP 26+ atoms)',
    };
  },

  ftee: (req) => {
    const m = req('@typescord/ftee') as Ftee;
    return {
      name: 'ftee',
      version: `@typescord/ftee ${version(req, '@typescord/ftee')}`,
      kind: 'etf',
      prepare: plainPrepare,
      encode: (x) => m.encode(x),
      decode: (b) => m.decode(b),
      same: deepEqual,
      limits: 'no atoms or tuples on encode (decode only), no pids, refs or Buffers; writes every integer above 255 as SMALL_BIG_EXT',
    };
  },
};

/** erlbridge first, then every comparison codec that loads; the others with the reason. */
export function loadCodecs(wanted?: Set<string>): { codecs: Codec[]; skipped: Skipped[] } {
  const codecs: Codec[] = erlbridgeCodecs();
  const skipped: Skipped[] = [];
  const pkgJson = path.join(benchDir(), 'package.json');
  const req = createRequire(pkgJson);
  for (const [name, load] of Object.entries(loaders)) {
    if (wanted && !wanted.has(name)) continue;
    try {
      codecs.push(load(req));
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  return { codecs: wanted ? codecs.filter((c) => c.kind === 'erlbridge' || wanted.has(c.name)) : codecs, skipped };
}

export function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return text.split('\n')[0].slice(0, 160);
}
