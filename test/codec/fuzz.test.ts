/**
 * Mutation fuzzing of the decoder, seeded and bounded in time.
 *
 * Starting points: every byte string of every fixture vector (OTP 25, 27, 29). Mutations: bit
 * flips, byte sets, inserts, deletes, truncations, duplicated and spliced chunks, length fields
 * overwritten with huge values. Plus fully random bytes, random tag soup, and hand-made hostile
 * inputs (huge declared lengths, nesting past the depth limit, a zip bomb, a huge declared size).
 *
 * For every input: only DecodeError may be thrown (never RangeError, TypeError or a stack
 * overflow); each input finishes in bounded time; memory stays bounded; and whatever decodes must
 * encode, and decode again to an equal term.
 *
 * FUZZ_SEED picks another seed (default fixed, so CI is reproducible); FUZZ_CASES the number of
 * mutation cases (default 50,000, capped by a time budget of FUZZ_BUDGET_MS, default 7,000 ms).
 */
import * as zlib from 'zlib';
import { performance } from 'perf_hooks';
import { decode, Decoder } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { DecodeError } from '../../codec/errors';
import { equals } from '../../codec/compare';
import { Term } from '../../codec/terms';
import { loadVectorFile, showTerm, VECTOR_FILES, vectorBytes } from '../support/arbitrary';
import { thrownBy } from '../support/thrown';
import { seededRandom } from '../support/seeded-random';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_e7f);
const CASES = Number(process.env.FUZZ_CASES ?? 50_000);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 7_000);
/** No single input may take longer than this (generous: a GC pause on a loaded 2-core CI box). */
const CASE_LIMIT_MS = 2_000;

interface Failure {
  input: string;
  what: string;
}

function hexShort(b: Buffer, max = 300): string {
  const h = b.toString('hex');
  return h.length > max ? `${h.slice(0, max)}... (${b.length} bytes)` : h;
}

/** Runs inputs through the decoder and collects everything that breaks a rule. */
class Checker {
  readonly failures: Failure[] = [];
  cases = 0;
  decoded = 0;
  rejected = 0;
  slowest = 0;
  slowestInput: Buffer | null = null;
  readonly codes = new Map<string, number>();

  check(input: Buffer, decodeFn: (b: Buffer) => Term = decode): Term | undefined {
    this.cases++;
    const t0 = performance.now();
    let term: Term | undefined;
    try {
      term = decodeFn(input);
    } catch (e) {
      if (e instanceof DecodeError) {
        this.rejected++;
        this.codes.set(e.code, (this.codes.get(e.code) ?? 0) + 1);
      } else {
        this.fail(input, `decode threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      }
    }
    if (term !== undefined) {
      this.decoded++;
      try {
        const again = encode(term);
        const back = decode(again);
        if (!equals(back, term)) {
          this.fail(input, `decoded ${showTerm(term, 300)}, re-encoded as ${hexShort(again)}, which decodes to ${showTerm(back, 300)}`);
        }
      } catch (e) {
        this.fail(
          input,
          `decoded ${showTerm(term, 300)}, but re-encoding or decoding it again threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
        );
      }
    }
    const dt = performance.now() - t0;
    if (dt > this.slowest) {
      this.slowest = dt;
      this.slowestInput = input;
    }
    if (dt > CASE_LIMIT_MS) this.fail(input, `took ${dt.toFixed(0)} ms`);
    return term;
  }

  fail(input: Buffer, what: string): void {
    if (this.failures.length < 20) this.failures.push({ input: hexShort(input), what });
  }

  report(): string {
    return this.failures.map((f) => `  input ${f.input}\n    ${f.what}`).join('\n');
  }
}

function expectClean(c: Checker): void {
  if (c.failures.length > 0) {
    throw new Error(
      `${c.failures.length}${c.failures.length === 20 ? '+' : ''} of ${c.cases} inputs broke the decoder's rules:\n${c.report()}`,
    );
  }
}

const seeds: Buffer[] = [];
for (const file of VECTOR_FILES.map(loadVectorFile)) {
  for (const v of file.vectors) {
    if (v.hex !== undefined || v.hex_zlib !== undefined) seeds.push(vectorBytes(v, 'hex'));
    if (v.input !== undefined || v.input_zlib !== undefined) seeds.push(vectorBytes(v, 'input'));
  }
}
const smallSeeds = seeds.filter((s) => s.length <= 4096);

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xff, 131, 80, 97, 98, 104, 105, 106, 107, 108, 109, 116, 119];
const HUGE_U32 = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xffff, 0x1000000, 0x3ffffff];

function mutate(src: Buffer, r: () => number, donors: Buffer[]): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(r() * 4);
  const pos = (len: number) => Math.floor(r() * Math.max(len, 1));
  for (let i = 0; i < n; i++) {
    switch (Math.floor(r() * 10)) {
      case 0: {
        if (b.length === 0) break;
        const p = pos(b.length);
        b[p] ^= 1 << Math.floor(r() * 8);
        break;
      }
      case 1: {
        if (b.length === 0) break;
        b[pos(b.length)] = Math.floor(r() * 256);
        break;
      }
      case 2: {
        if (b.length === 0) break;
        b[pos(b.length)] = INTERESTING_BYTES[Math.floor(r() * INTERESTING_BYTES.length)];
        break;
      }
      case 3: {
        const p = pos(b.length + 1);
        const ins = Buffer.alloc(1 + Math.floor(r() * 8));
        for (let j = 0; j < ins.length; j++) ins[j] = Math.floor(r() * 256);
        b = Buffer.concat([b.subarray(0, p), ins, b.subarray(p)]);
        break;
      }
      case 4: {
        if (b.length === 0) break;
        const p = pos(b.length);
        const len = 1 + Math.floor(r() * Math.min(16, b.length - p));
        b = Buffer.concat([b.subarray(0, p), b.subarray(p + len)]);
        break;
      }
      case 5: {
        b = b.subarray(0, pos(b.length));
        break;
      }
      case 6: {
        // A 4-byte length field (or any 4 bytes) becomes huge.
        if (b.length < 4) break;
        b.writeUInt32BE(HUGE_U32[Math.floor(r() * HUGE_U32.length)], pos(b.length - 3));
        break;
      }
      case 7: {
        // A 2-byte length becomes large.
        if (b.length < 2) break;
        b.writeUInt16BE(Math.floor(r() * 65536), pos(b.length - 1));
        break;
      }
      case 8: {
        // Duplicate a chunk in place.
        if (b.length < 2) break;
        const p = pos(b.length);
        const len = 1 + Math.floor(r() * Math.min(32, b.length - p));
        const q = pos(b.length + 1);
        b = Buffer.concat([b.subarray(0, q), b.subarray(p, p + len), b.subarray(q)]);
        break;
      }
      default: {
        // Splice in a piece of another vector (after its version byte).
        const d = donors[Math.floor(r() * donors.length)];
        if (d.length < 2) break;
        const p = 1 + pos(d.length - 1);
        const piece = d.subarray(p, p + 1 + Math.floor(r() * 64));
        const q = pos(b.length + 1);
        b = Buffer.concat([b.subarray(0, q), piece, b.subarray(q + Math.floor(r() * 8))]);
      }
    }
  }
  return b;
}

/** A random, roughly well-formed term: right tags, random fields, sometimes wrong lengths. */
function tagSoup(r: () => number, out: number[], depth: number): void {
  const u8 = () => Math.floor(r() * 256);
  const small = () => Math.floor(r() * 4);
  const u32 = (n: number) => out.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  const atom = () => {
    const len = small();
    out.push(119, len);
    for (let i = 0; i < len; i++) out.push(97 + Math.floor(r() * 26));
  };
  const tags = [
    97, 98, 70, 99, 100, 115, 118, 119, 106, 107, 108, 109, 77, 110, 111, 104, 105, 116, 88, 89, 120, 90, 101, 102, 103, 114, 112, 113, 117,
    82, 80, 121,
  ];
  const tag = depth > 6 ? 97 : tags[Math.floor(r() * tags.length)];
  out.push(tag);
  const kids = (n: number) => {
    for (let i = 0; i < n; i++) tagSoup(r, out, depth + 1);
  };
  // prettier-ignore
  switch (tag) {
    case 97: out.push(u8()); break;
    case 98: u32(Math.floor(r() * 2 ** 32)); break;
    case 70: for (let i = 0; i < 8; i++) out.push(u8()); break;
    case 99: for (let i = 0; i < 31; i++) out.push(r() < 0.5 ? 48 + Math.floor(r() * 10) : u8()); break;
    case 100: case 118: { const n = small(); out.push(0, n); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 115: case 119: { const n = small(); out.push(n); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 107: { const n = small(); out.push(0, n); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 108: { const n = small(); u32(n); kids(n + 1); break; }
    case 109: { const n = small(); u32(n); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 77: { const n = small(); u32(n); out.push(small() * 3); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 110: { const n = small() * 3; out.push(n, small() % 2); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 111: { const n = small() * 3; u32(n); out.push(small() % 2); for (let i = 0; i < n; i++) out.push(u8()); break; }
    case 104: { const n = small(); out.push(n); kids(n); break; }
    case 105: { const n = small(); u32(n); kids(n); break; }
    case 116: { const n = small(); u32(n); kids(2 * n); break; }
    case 88: atom(); u32(u8()); u32(u8()); u32(small()); break;
    case 103: atom(); u32(u8()); u32(u8()); out.push(small()); break;
    case 89: atom(); u32(u8()); u32(small()); break;
    case 102: atom(); u32(u8()); out.push(small()); break;
    case 120: atom(); u32(0); u32(u8()); u32(small()); break;
    case 90: case 114: { const n = small() + (r() < 0.1 ? 3 : 0); out.push(0, n); atom(); if (tag === 90) u32(small()); else out.push(small()); for (let i = 0; i < n; i++) u32(u8()); break; }
    case 101: atom(); u32(u8()); out.push(small()); break;
    case 113: atom(); atom(); out.push(97, small()); break;
    case 112: {
      const start = out.length;
      u32(0);
      out.push(small());
      for (let i = 0; i < 16; i++) out.push(u8());
      u32(small());
      const free = small();
      u32(free);
      atom();
      out.push(97, small(), 98); u32(u8());
      out.push(88); atom(); u32(1); u32(0); u32(1);
      kids(free);
      if (r() < 0.8) {
        const size = out.length - start;
        out[start] = (size >>> 24) & 255; out[start + 1] = (size >>> 16) & 255; out[start + 2] = (size >>> 8) & 255; out[start + 3] = size & 255;
      }
      break;
    }
    case 117: { const free = small(); u32(free); out.push(88); atom(); u32(1); u32(0); u32(1); atom(); out.push(97, small(), 97, small()); kids(free); break; }
    case 82: out.push(u8()); break;
    case 80: { const inner = [] as number[]; tagSoup(r, inner, depth + 1); const z = zlib.deflateSync(Buffer.from(inner)); u32(inner.length + (r() < 0.2 ? small() : 0)); for (const x of z) out.push(x); break; }
    default: break;
  }
}

describe('decoder fuzzing', () => {
  it('has seeds from every fixture vector', () => {
    expect(seeds.length).toBeGreaterThan(900);
  });

  it(`mutated fixture vectors: only DecodeError, bounded time and memory, re-encodable results (seed ${SEED})`, () => {
    const r = seededRandom(SEED);
    const c = new Checker();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < CASES && performance.now() - t0 < BUDGET_MS; i++) {
      // Mostly small vectors; now and then a large one (65536-element lists, 10 kB bitstrings).
      const src = r() < 0.997 ? smallSeeds[Math.floor(r() * smallSeeds.length)] : seeds[Math.floor(r() * seeds.length)];
      const input = mutate(src, r, smallSeeds);
      // Keep the version byte most of the time: a bad one only ever tests the first check.
      if (input.length > 0 && r() < 0.95) input[0] = 131;
      c.check(input);
    }
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    if (process.env.FUZZ_VERBOSE) {
      const codes = [...c.codes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stderr.write(
        `fuzz: ${c.cases} cases in ${(performance.now() - t0).toFixed(0)} ms, ${c.decoded} decoded, ${c.rejected} rejected (${codes}); ` +
          `slowest ${c.slowest.toFixed(1)} ms (${c.slowestInput?.length} bytes); heap growth ${(heapGrowth / 1048576).toFixed(1)} MB\n`,
      );
    }
    expectClean(c);
    // The budget may cut the run short on a slow machine, but not to nothing.
    expect(c.cases).toBeGreaterThan(Math.min(CASES, 10_000));
    expect(c.decoded).toBeGreaterThan(c.cases / 50);
    expect(c.rejected).toBeGreaterThan(c.cases / 4);
    expect(heapGrowth).toBeLessThan(256 * 1024 * 1024);
  });

  it('random bytes and random tag soup: only DecodeError, re-encodable results', () => {
    const r = seededRandom(SEED ^ 0xabcdef);
    const c = new Checker();
    const decoder = new Decoder();
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(r() * 64);
      const b = Buffer.alloc(len + 1);
      b[0] = 131;
      for (let j = 1; j <= len; j++) b[j] = Math.floor(r() * 256);
      c.check(b);
      // The same bytes without a version byte, through decodeAt (as after a distribution header).
      c.check(b.subarray(1), (x) => decoder.decodeAt(x, 0).term);
    }
    for (let i = 0; i < 10000; i++) {
      const out = [131];
      tagSoup(r, out, 0);
      c.check(Buffer.from(out));
    }
    expectClean(c);
    expect(c.decoded).toBeGreaterThan(1000);
  });

  describe('hostile inputs', () => {
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n >>> 0);
      return b;
    };
    const hostile: Array<[string, Buffer]> = [
      ['LIST_EXT claiming 2^32-1 elements', Buffer.concat([Buffer.from([131, 108]), u32(0xffffffff), Buffer.from([97, 1, 106])])],
      ['LIST_EXT claiming 2^31 elements of NIL', Buffer.concat([Buffer.from([131, 108]), u32(0x80000000), Buffer.alloc(64, 106)])],
      ['LARGE_TUPLE claiming 2^32-1 elements', Buffer.concat([Buffer.from([131, 105]), u32(0xffffffff), Buffer.from([97, 1])])],
      ['MAP_EXT claiming 2^32-1 pairs', Buffer.concat([Buffer.from([131, 116]), u32(0xffffffff), Buffer.from([97, 1, 97, 2])])],
      ['BINARY_EXT claiming 2^32-1 bytes', Buffer.concat([Buffer.from([131, 109]), u32(0xffffffff), Buffer.alloc(16)])],
      ['BIT_BINARY claiming 2^32-1 bytes', Buffer.concat([Buffer.from([131, 77]), u32(0xffffffff), Buffer.from([3]), Buffer.alloc(16)])],
      [
        'LARGE_BIG claiming 2^32-1 digits',
        Buffer.concat([Buffer.from([131, 111]), u32(0xffffffff), Buffer.from([0]), Buffer.alloc(16, 1)]),
      ],
      ['LARGE_BIG of 2^31 digits', Buffer.concat([Buffer.from([131, 111]), u32(0x80000000), Buffer.from([0]), Buffer.alloc(16, 1)])],
      ['STRING_EXT claiming 65535 bytes', Buffer.from([131, 107, 255, 255, 1, 2, 3])],
      ['ATOM_UTF8 claiming 65535 bytes', Buffer.from([131, 118, 255, 255, 97, 97])],
      ['NEWER_REFERENCE claiming 65535 words', Buffer.from([131, 90, 255, 255, 119, 3, 97, 64, 98, 0, 0, 0, 1, 0, 0, 0, 1])],
      [
        'NEW_FUN_EXT claiming 2^32-1 free variables',
        Buffer.concat([
          Buffer.from([131, 112]),
          u32(100),
          Buffer.from([1]),
          Buffer.alloc(16),
          u32(0),
          u32(0xffffffff),
          Buffer.from([119, 1, 109, 97, 0, 97, 0]),
        ]),
      ],
      [
        'compressed, declared 2^32-1 bytes',
        Buffer.concat([Buffer.from([131, 80]), u32(0xffffffff), zlib.deflateSync(Buffer.from([97, 1]))]),
      ],
      ['compressed, declared 0 bytes', Buffer.concat([Buffer.from([131, 80]), u32(0), zlib.deflateSync(Buffer.from([97, 1]))])],
      [
        'compressed inside compressed',
        Buffer.concat([
          Buffer.from([131, 80]),
          u32(8),
          zlib.deflateSync(Buffer.concat([Buffer.from([80]), u32(2), zlib.deflateSync(Buffer.from([97, 1]))])),
        ]),
      ],
    ];

    it.each(hostile)('%s: DecodeError at once', (_name, input) => {
      const c = new Checker();
      const t0 = performance.now();
      const thrown = thrownBy(() => decode(input));
      expect(thrown).toBeInstanceOf(DecodeError);
      expect(performance.now() - t0).toBeLessThan(500);
      c.check(input);
      expectClean(c);
    });

    it('1,000,001 nested 1-tuples (past the default depth limit of 1,000,000): DecodeError, no stack overflow', () => {
      const n = 1_000_001;
      const b = Buffer.alloc(1 + 2 * n + 1);
      b[0] = 131;
      for (let i = 0; i < n; i++) {
        b[1 + 2 * i] = 104;
        b[2 + 2 * i] = 1;
      }
      b[1 + 2 * n] = 106;
      const thrown = thrownBy(() => decode(b));
      expect(thrown).toBeInstanceOf(DecodeError);
      expect((thrown as DecodeError).code).toBe('depth_limit');
    });

    it('1,000,001 nested one-element lists: DecodeError (depth_limit)', () => {
      const n = 1_000_001;
      const b = Buffer.alloc(1 + 5 * n + 1 + n);
      b[0] = 131;
      for (let i = 0; i < n; i++) {
        b[1 + 5 * i] = 108;
        b.writeUInt32BE(1, 2 + 5 * i);
      }
      b.fill(106, 1 + 5 * n);
      const thrown = thrownBy(() => decode(b));
      expect(thrown).toBeInstanceOf(DecodeError);
      expect((thrown as DecodeError).code).toBe('depth_limit');
    });

    it('a smaller maxDepth is enforced (2,000 deep with maxDepth 1,000), and deep terms under it decode', () => {
      const nest = (n: number) => Buffer.concat([Buffer.from([131]), Buffer.alloc(2 * n, Buffer.from([104, 1])), Buffer.from([106])]);
      expect(() => decode(nest(2000), { maxDepth: 1000 })).toThrow(DecodeError);
      const c = new Checker();
      expect(c.check(nest(100_000))).toBeDefined();
      expectClean(c);
    });

    it('a zip bomb (declared 1,000 bytes, inflating to 100 MB) is refused without inflating it all', () => {
      const bomb = zlib.deflateSync(Buffer.concat([Buffer.from([109]), u32(100 * 1024 * 1024), Buffer.alloc(100 * 1024 * 1024)]), {
        level: 9,
      });
      expect(bomb.length).toBeLessThan(200 * 1024);
      for (const declared of [1000, 64 * 1024 * 1024, 100 * 1024 * 1024 + 5]) {
        const input = Buffer.concat([Buffer.from([131, 80]), u32(declared), bomb]);
        const before = process.memoryUsage();
        const t0 = performance.now();
        const thrown = thrownBy(() => decode(input));
        const dt = performance.now() - t0;
        const after = process.memoryUsage();
        expect(thrown).toBeInstanceOf(DecodeError);
        expect(dt).toBeLessThan(2000);
        if (declared === 1000) {
          // Inflating 100 MB would show as ~100 MB of new external memory right after the call.
          expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
        }
      }
    });

    it('a compressed term within the limits but declared larger than maxDecompressedSize is refused', () => {
      const inner = Buffer.concat([Buffer.from([109]), u32(1 << 20), Buffer.alloc(1 << 20, 1)]);
      const input = Buffer.concat([Buffer.from([131, 80]), u32(inner.length), zlib.deflateSync(inner)]);
      expect(() => decode(input, { maxDecompressedSize: 1 << 16 })).toThrow(DecodeError);
      const t = decode(input);
      expect(Buffer.isBuffer(t) && t.length).toBe(1 << 20);
    });

    it('the largest integer BEAM holds (4,194,296 digit bytes) decodes in bounded time; one byte more is refused', () => {
      const digits = 4_194_296;
      const big = Buffer.alloc(1 + 1 + 4 + 1 + digits, 0xa5);
      big[0] = 131;
      big[1] = 111;
      big.writeUInt32BE(digits, 2);
      big[6] = 1;
      const t0 = performance.now();
      const t = decode(big);
      const dt = performance.now() - t0;
      expect(typeof t).toBe('bigint');
      expect((t as bigint) < 0n).toBe(true);
      expect(dt).toBeLessThan(3000);
      const again = encode(t);
      expect(again.equals(big)).toBe(true);
      const tooBig = Buffer.concat([big.subarray(0, 2), u32(digits + 1), big.subarray(6), Buffer.from([1])]);
      expect(() => decode(tooBig)).toThrow(DecodeError);
    });

    it('a map of 100,000 keys decodes in bounded time (duplicate checks stay linear)', () => {
      const n = 100_000;
      const parts: Buffer[] = [Buffer.from([131, 116]), u32(n)];
      for (let i = 0; i < n; i++) {
        const k = Buffer.alloc(5);
        k[0] = 98;
        k.writeInt32BE(i - 50_000, 1);
        parts.push(k, Buffer.from([104, 1, 97, i & 255]));
      }
      const input = Buffer.concat(parts);
      const t0 = performance.now();
      const t = decode(input);
      expect(performance.now() - t0).toBeLessThan(CASE_LIMIT_MS);
      expect(equals(decode(encode(t)), t)).toBe(true);
      // The same map with its last key repeated: duplicate_map_key, as binary_to_term refuses it.
      const dup = Buffer.from(input);
      dup.writeInt32BE(-50_000, input.length - 8);
      const thrown = thrownBy(() => decode(dup));
      expect(thrown).toBeInstanceOf(DecodeError);
      expect((thrown as DecodeError).code).toBe('duplicate_map_key');
    });
  });
});
