/**
 * Mutations in libFuzzer's spirit: each mutated input is a corpus entry with 1 to 8 of these
 * stacked. Integers are written big-endian (the External Term Format, EPMD and the distribution
 * protocol all are), sometimes little-endian.
 */
import { recentCompares } from './coverage';
import { Random } from './random';

/** What the mutations may draw from besides the input. */
export interface MutationSources {
  /** The target's tokens. */
  readonly dictionary: readonly Buffer[];
  /** Other corpus entries, for splicing. */
  readonly corpus: readonly Buffer[];
  /** Longest input to make. */
  readonly maxLength: number;
}

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 16, 32, 64, 100, 127, 131];
const INTERESTING_16 = [0, 0x80, 0xff, 0x100, 0x3ff, 0x400, 0x7fff, 0x8000, 0xffff, 1000, 4096];
const INTERESTING_32 = [0, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0x1000000, 0x7ffffff, 0x8000000, 65536, 100000];

type Mutation = (input: Buffer, random: Random, sources: MutationSources) => Buffer;

function insert(input: Buffer, at: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
}

function overwrite(input: Buffer, at: number, bytes: Uint8Array): Buffer {
  const out = Buffer.from(input);
  for (let i = 0; i < bytes.length && at + i < out.length; i++) out[at + i] = bytes[i];
  return out;
}

/** Write `value` as a `width`-byte integer at a random place: mostly big-endian. */
function writeInteger(input: Buffer, random: Random, value: number, width: number): Buffer {
  if (input.length < width) return insert(input, 0, integerBytes(random, value, width));
  return overwrite(input, random.below(input.length - width + 1), integerBytes(random, value, width));
}

function integerBytes(random: Random, value: number, width: number): Buffer {
  const bytes = Buffer.alloc(width);
  bytes.writeUIntBE(value % 2 ** (8 * width), 0, width);
  return random.oneIn(5) ? bytes.reverse() : bytes;
}

/** Put `token` in: over bytes already there, or inserted. */
function placeToken(input: Buffer, random: Random, token: Buffer): Buffer {
  const at = random.below(input.length + 1);
  return random.oneIn(2)
    ? insert(input, at, token)
    : overwrite(
        input.length < token.length ? insert(input, 0, token) : input,
        Math.min(at, Math.max(0, input.length - token.length)),
        token,
      );
}

const MUTATIONS: Mutation[] = [
  function flipBit(input, random) {
    if (input.length === 0) return Buffer.from([random.below(256)]);
    const out = Buffer.from(input);
    out[random.below(out.length)] ^= 1 << random.below(8);
    return out;
  },
  function randomByte(input, random) {
    if (input.length === 0) return Buffer.from([random.below(256)]);
    const out = Buffer.from(input);
    out[random.below(out.length)] = random.below(256);
    return out;
  },
  function addToByte(input, random) {
    if (input.length === 0) return input;
    const out = Buffer.from(input);
    const at = random.below(out.length);
    out[at] = (out[at] + random.below(35) - 17) & 0xff;
    return out;
  },
  function insertBytes(input, random) {
    const n = 1 + random.below(random.oneIn(4) ? 64 : 4);
    const bytes = Buffer.alloc(n, random.oneIn(2) ? random.below(256) : 0);
    if (random.oneIn(2)) for (let i = 0; i < n; i++) bytes[i] = random.below(256);
    return insert(input, random.below(input.length + 1), bytes);
  },
  function eraseRange(input, random) {
    if (input.length < 2) return input;
    const at = random.below(input.length);
    const n = 1 + random.below(Math.min(input.length - at, 16));
    return Buffer.concat([input.subarray(0, at), input.subarray(at + n)]);
  },
  function duplicateRange(input, random) {
    if (input.length === 0) return input;
    const at = random.below(input.length);
    const n = 1 + random.below(Math.min(input.length - at, 32));
    return insert(input, random.below(input.length + 1), input.subarray(at, at + n));
  },
  function copyRange(input, random) {
    if (input.length < 2) return input;
    const at = random.below(input.length);
    const n = 1 + random.below(Math.min(input.length - at, 32));
    return overwrite(input, random.below(input.length), Buffer.from(input.subarray(at, at + n)));
  },
  function interesting8(input, random) {
    return writeInteger(input, random, random.pick(INTERESTING_8), 1);
  },
  function interesting16(input, random) {
    return writeInteger(input, random, random.pick(INTERESTING_16), 2);
  },
  function interesting32(input, random) {
    return writeInteger(input, random, random.pick(INTERESTING_32), 4);
  },
  function arithmetic16or32(input, random) {
    const width = random.oneIn(2) ? 2 : 4;
    if (input.length < width) return input;
    const at = random.below(input.length - width + 1);
    const value = input.readUIntBE(at, width) + random.below(33) - 16;
    return overwrite(input, at, integerBytes(random, (value + 2 ** (8 * width)) % 2 ** (8 * width), width));
  },
  /** Set a 1, 2 or 4-byte field to the number of bytes after it: a length that fits. */
  function lengthFixup(input, random) {
    const width = random.pick([1, 2, 4]);
    if (input.length < width) return input;
    const at = random.below(input.length - width + 1);
    const after = input.length - at - width;
    const value = random.oneIn(3) ? Math.floor(after / random.pick([2, 4, 8])) : after;
    const bytes = Buffer.alloc(width);
    bytes.writeUIntBE(Math.min(value, 2 ** (8 * width) - 1), 0, width);
    return overwrite(input, at, bytes);
  },
  function dictionaryToken(input, random, sources) {
    if (sources.dictionary.length === 0) return input;
    return placeToken(input, random, random.pick(sources.dictionary));
  },
  /** The constant a compare wanted; half the time the latest one found, the frontier of coverage. */
  function compareOperand(input, random) {
    if (recentCompares.length === 0) return input;
    const token = random.oneIn(2) ? recentCompares[recentCompares.length - 1] : random.pick(recentCompares);
    return placeToken(input, random, token);
  },
  function splice(input, random, sources) {
    if (sources.corpus.length === 0) return input;
    const other = random.pick(sources.corpus);
    const cut = random.below(input.length + 1);
    const from = random.below(other.length + 1);
    return Buffer.concat([input.subarray(0, cut), other.subarray(from)]);
  },
];

/** Tokens are worth more than a random byte: they are drawn twice as often. */
const WEIGHTED = [...MUTATIONS, ...MUTATIONS.filter((m) => m.name === 'dictionaryToken' || m.name === 'compareOperand')];

/** A mutant of `input`: one mutation half the time, else 2 to 8 stacked; cut to `maxLength`. */
export function mutate(input: Buffer, random: Random, sources: MutationSources): Buffer {
  let out = input;
  const stack = random.oneIn(2) ? 1 : 2 + random.below(7);
  for (let i = 0; i < stack; i++) out = random.pick(WEIGHTED)(out, random, sources);
  return out.length > sources.maxLength ? out.subarray(0, sources.maxLength) : out;
}
