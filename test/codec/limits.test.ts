/**
 * Decode limits: the defaults, their validation, and for each limit the error code and the byte
 * offset it reports. Hex strings are built by hand here unless a comment names the Erlang term.
 */
import * as zlib from 'node:zlib';
import { Decoder } from '../../codec/decoder';
import { DecodeError } from '../../codec/errors';
import {
  BEAM_DEFAULT_ATOM_TABLE,
  BEAM_MAX_ATOM_CHARACTERS,
  BEAM_MAX_BIG_BYTES,
  DEFAULT_DECODE_LIMITS,
  resolveDecodeLimits,
} from '../../codec/limits';
import { Atom, Term } from '../../codec/terms';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function failure(run: () => unknown): DecodeError {
  try {
    run();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`expected a DecodeError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a DecodeError, but it decoded');
}

/** code and offset of the error decoding `bytes` with `limits`. */
function violation(bytes: Buffer, limits: ConstructorParameters<typeof Decoder>[0] = {}): [string, number] {
  const e = failure(() => new Decoder(limits).decode(bytes));
  return [e.code, e.offset];
}

describe('defaults', () => {
  it('are what BEAM itself allows, and 64 MiB of input or inflated data', () => {
    expect(DEFAULT_DECODE_LIMITS).toEqual({
      maxDepth: 1_000_000,
      maxInputSize: 64 * 1024 * 1024,
      maxDecompressedSize: 64 * 1024 * 1024,
      maxBigIntBytes: 4_194_296,
      maxAtomLength: 255,
      maxAtoms: 1_048_576,
    });
    expect([BEAM_MAX_BIG_BYTES, BEAM_MAX_ATOM_CHARACTERS, BEAM_DEFAULT_ATOM_TABLE]).toEqual([4_194_296, 255, 1_048_576]);
    expect(Object.isFrozen(DEFAULT_DECODE_LIMITS)).toBe(true);
  });

  it('overrides apply one by one; Infinity is allowed', () => {
    expect(resolveDecodeLimits({ maxDepth: 5, maxAtoms: Infinity })).toEqual({ ...DEFAULT_DECODE_LIMITS, maxDepth: 5, maxAtoms: Infinity });
    expect(resolveDecodeLimits({ maxDepth: undefined })).toEqual(DEFAULT_DECODE_LIMITS);
  });

  it.each<[string, unknown]>([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', NaN],
    ['string', '10'],
  ])('a %s limit is a RangeError when the decoder is made', (_name, value) => {
    expect(() => resolveDecodeLimits({ maxInputSize: value as number })).toThrow(RangeError);
    expect(() => new Decoder({ maxBigIntBytes: value as number })).toThrow(RangeError);
  });
});

describe('maxDepth', () => {
  // [[[300]]]: three levels; the second LIST_EXT is at byte 6, the third at 11
  const nested = hex('83 6c00000001 6c00000001 6c00000001 620000012c 6a 6a 6a');

  it('the container that opens one level too many is reported', () => {
    expect(violation(nested, { maxDepth: 1 })).toEqual(['depth_limit', 6]);
    expect(violation(nested, { maxDepth: 2 })).toEqual(['depth_limit', 11]);
    expect(new Decoder({ maxDepth: 3 }).decode(nested)).toEqual([[[300]]]);
  });

  it('tuples, maps and the free variables of funs are levels too; strings and binaries are not', () => {
    expect(violation(hex('83 6801 6801 6101'), { maxDepth: 1 })).toEqual(['depth_limit', 3]); // {{1}}
    expect(violation(hex('83 7400000001 6101 6801 6a'), { maxDepth: 1 })).toEqual(['depth_limit', 8]); // #{1 => {[]}}: the tuple
    expect(new Decoder({ maxDepth: 1 }).decode(hex('83 6801 6b000161'))).toBeDefined(); // {"a"}
    expect(violation(hex('83 6801 6c00000001 6101 6a'), { maxDepth: 1 })).toEqual(['depth_limit', 3]); // {[1]}
  });

  it('a flat chain of LIST_EXT tails is one level, however long', () => {
    const chain = Buffer.concat([hex('83'), Buffer.from('6c000000016101'.repeat(1000), 'hex'), hex('6a')]);
    expect((new Decoder({ maxDepth: 1 }).decode(chain) as Term[]).length).toBe(1000);
  });
});

describe('maxInputSize', () => {
  const ten = hex('83 6d00000004 01020304'); // <<1,2,3,4>>: 10 bytes

  it('counts the bytes from the start (decode) or from the offset (decodeAt)', () => {
    expect(violation(ten, { maxInputSize: 9 })).toEqual(['size_limit', 9]);
    expect(new Decoder({ maxInputSize: 10 }).decode(ten)).toEqual(hex('01020304'));
    const e = failure(() => new Decoder({ maxInputSize: 8 }).decodeAt(ten, 1));
    expect([e.code, e.offset]).toEqual(['size_limit', 9]);
    expect(new Decoder({ maxInputSize: 9 }).decodeAt(ten, 1).end).toBe(10);
  });
});

describe('maxDecompressedSize and zip bombs', () => {
  const term = hex('83 6b0064' + '61'.repeat(100)); // lists:duplicate(100, $a)
  const packed = Buffer.concat([hex('8350 00000067'), zlib.deflateSync(term.subarray(1))]);

  it('a declared size over the limit is rejected before inflating', () => {
    expect(violation(packed, { maxDecompressedSize: 102 })).toEqual(['decompressed_size_limit', 2]);
    expect(new Decoder({ maxDecompressedSize: 103 }).decode(packed)).toEqual(new Array(100).fill(97));
  });

  it('a huge declared size is rejected at once', () => {
    const huge = Buffer.concat([hex('8350 ffffffff'), zlib.deflateSync(Buffer.alloc(1000))]);
    expect(violation(huge)).toEqual(['decompressed_size_limit', 2]);
  });

  it('data that inflates far beyond its small declared size stops at the declared size', () => {
    // 64 MiB of zeros in about 64 KiB of zlib, declared as 100 bytes.
    const bomb = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const input = Buffer.concat([hex('8350 00000064'), bomb]);
    const heapBefore = process.memoryUsage().arrayBuffers;
    const started = process.hrtime.bigint();
    expect(violation(input)).toEqual(['bad_compressed', 6]);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('a declared size within the limit that the data does not reach is bad_compressed', () => {
    const short = Buffer.concat([hex('8350 00000100'), zlib.deflateSync(term.subarray(1))]);
    expect(violation(short)).toEqual(['bad_compressed', 6]);
  });
});

describe('maxBigIntBytes', () => {
  it('counts the digit bytes on the wire, before reading them', () => {
    const nine = hex('83 6e09 00 000000000000000001'); // 2^64
    expect(violation(nine, { maxBigIntBytes: 8 })).toEqual(['bigint_limit', 1]);
    expect(new Decoder({ maxBigIntBytes: 9 }).decode(nine)).toBe(2n ** 64n);
    const large = Buffer.concat([hex('83 6801 6f00000100 00'), Buffer.alloc(255), hex('01')]); // {1 bsl 2040}
    expect(violation(large, { maxBigIntBytes: 255 })).toEqual(['bigint_limit', 3]);
  });

  it("by default allows exactly BEAM's largest integer, as binary_to_term does", () => {
    const digits = (n: number): Buffer => {
      const b = Buffer.alloc(7 + n); // tag, length, sign, digits
      b[0] = 131;
      b[1] = 111;
      b.writeUInt32BE(n, 2);
      b[b.length - 1] = 1;
      return b;
    };
    // erl: binary_to_term accepts 4194296 digit bytes and rejects 4194297
    expect(new Decoder().decode(digits(BEAM_MAX_BIG_BYTES))).toBe(1n << BigInt(8 * (BEAM_MAX_BIG_BYTES - 1)));
    expect(violation(digits(BEAM_MAX_BIG_BYTES + 1))).toEqual(['bigint_limit', 1]);
  });
});

describe('maxAtomLength', () => {
  const utf8Atom = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    const head = Buffer.from([131, 118, 0, 0]);
    head.writeUInt16BE(bytes.length, 2);
    return Buffer.concat([head, bytes]);
  };

  it('255 characters by default, counted as characters, not bytes (erl agrees on each)', () => {
    expect(new Decoder().decode(utf8Atom('a'.repeat(255)))).toBe(Atom.of('a'.repeat(255)));
    expect(violation(utf8Atom('a'.repeat(256)))).toEqual(['atom_length', 1]);
    expect(new Decoder().decode(utf8Atom('\u{1f600}'.repeat(255)))).toBe(Atom.of('\u{1f600}'.repeat(255)));
    expect(violation(utf8Atom('\u{1f600}'.repeat(256)))).toEqual(['atom_length', 1]);
    expect(violation(Buffer.concat([hex('83 64 0100'), Buffer.alloc(256, 0x61)]))).toEqual(['atom_length', 1]); // ATOM_EXT
  });

  it('a lower limit applies to every atom tag, the cached ones too', () => {
    const d = new Decoder({ maxAtomLength: 3 });
    expect(d.decode(hex('83 7703 616263'))).toBe(Atom.of('abc'));
    expect(d.decode(utf8Atom('\u00e9\u00e9\u00e9'))).toBe(Atom.of('\u00e9\u00e9\u00e9')); // 6 bytes, 3 characters
    expect(failure(() => d.decode(hex('83 6802 6101 7704 61626364'))).offset).toBe(5);
    expect(failure(() => d.decode(hex('83 7304 61626364'))).code).toBe('atom_length');
    new Decoder().decode(hex('83 7704 7a7a7a7a')); // 'zzzz' exists now, and another decoder has it cached
    expect(failure(() => d.decode(hex('83 7704 7a7a7a7a'))).code).toBe('atom_length');
  });
});

describe('maxAtoms', () => {
  const fresh = `fresh${process.pid}${Date.now()}`;
  const names = [0, 1, 2].map((i) => `${fresh}_${i}`);
  const list = Buffer.concat([
    hex('83 6c00000003'),
    ...names.map((n) => Buffer.concat([Buffer.from([119, n.length]), Buffer.from(n)])),
    hex('6a'),
  ]);

  it('counts atoms that did not exist before; the one over the limit is reported', () => {
    const e = failure(() => new Decoder({ maxAtoms: 2 }).decode(list));
    expect(e.code).toBe('atom_limit');
    expect(e.offset).toBe(6 + 2 * (2 + names[0].length));
  });

  it('existing atoms do not count', () => {
    // Held: an atom nothing refers to may be reclaimed, and would then be new again.
    const existing = names.map((n) => Atom.of(n));
    expect(new Decoder({ maxAtoms: 0 }).decode(list)).toEqual(existing);
    const known = Atom.of('known');
    expect(new Decoder({ maxAtoms: 0 }).decode(hex('83 7705 6b6e6f776e'))).toBe(known);
  });
});
