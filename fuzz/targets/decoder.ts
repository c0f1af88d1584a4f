/**
 * The External Term Format decoder through each of its entry points, with and without low limits.
 *
 * The first input byte chooses how the rest is decoded (the seeds are the fixture vectors behind
 * every kind of choice byte):
 *   bits 0-1  the entry point: `decode(bytes)` (the shared decoder; `decode(bytes, options)` when
 *             an option bit is set), a long-lived `Decoder` (state kept from input to input, as
 *             per connection), a new `Decoder(options)`, or `decodeAt(bytes, offset)` after the
 *             version byte, as the distribution does
 *   bit 2     low limits, from the next three bytes (depth, atoms, atom length, big integer
 *             bytes, input size, decompressed size)
 *   bit 3     an `atomCache` with holes, for ATOM_CACHE_REF
 *   bit 4     `floats: 'number'`
 *   bits 5-6  `copyBinaries`: no, yes, `'small'`
 *   bit 7     a `decodeAt` offset one further (into the term)
 * Whatever decodes is printed (`formatTerm`, `briefTerm`, as logs do with peer data) and, when
 * floats are wrapped, must encode and decode again to an equal term.
 */
import { equals } from '../../codec/compare';
import { Decoder, decode, DecodeOptions } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { DecodeError } from '../../codec/errors';
import { Atom, Term } from '../../codec/terms';
import { briefTerm, formatTerm } from '../../codec/text';
import { etfVectors } from '../support/fixture-seeds';
import { FuzzTarget } from '../target';

const ATOM_CACHE: ReadonlyArray<Atom | undefined> = [Atom.of('ok'), undefined, Atom.of('$gen_call'), Atom.of('a'), undefined, Atom.of('')];
const longLived = new Decoder();

/** Limits from three bytes: each small enough that inputs of a few bytes reach it. */
function lowLimits(a: number, b: number, c: number): DecodeOptions {
  return {
    maxDepth: a & 0x0f,
    maxAtoms: a >> 4,
    maxAtomLength: b & 0x3f,
    maxBigIntBytes: [0, 1, 8, 16][b >> 6],
    maxInputSize: c * 4,
    maxDecompressedSize: c * 8,
  };
}

function roundTrip(term: Term): void {
  const again = decode(encode(term));
  if (!equals(term, again)) throw new Error(`round trip changed ${briefTerm(term)} into ${briefTerm(again)}`);
}

export const target: FuzzTarget = {
  name: 'decoder',
  covers: ['codec/decoder.ts', 'codec/erlmap.ts'],
  seeds: () => etfVectors().map((bytes, k) => Buffer.concat([Buffer.from([k & 0xfb]), bytes])),
  run(input) {
    if (input.length === 0) return;
    const choice = input[0];
    let bytes = input.subarray(1);
    const options: DecodeOptions = {};
    if ((choice & 0x04) !== 0) {
      if (bytes.length < 3) return;
      Object.assign(options, lowLimits(bytes[0], bytes[1], bytes[2]));
      bytes = bytes.subarray(3);
    }
    if ((choice & 0x08) !== 0) options.atomCache = ATOM_CACHE;
    if ((choice & 0x10) !== 0) options.floats = 'number';
    options.copyBinaries = [false, true, 'small' as const, false][(choice >> 5) & 3];
    let term: Term;
    switch (choice & 3) {
      case 0:
        term = (choice & 0x7c) === 0 ? decode(bytes) : decode(bytes, options);
        break;
      case 1:
        term = longLived.decode(bytes);
        break;
      case 2:
        term = new Decoder(options).decode(bytes);
        break;
      default: {
        const offset = 1 + (choice >> 7);
        const { end, term: t } = new Decoder(options).decodeAt(bytes, Math.min(offset, bytes.length));
        if (end > bytes.length) throw new Error(`decodeAt ended at ${end}, past the ${bytes.length} bytes`);
        term = t;
      }
    }
    formatTerm(term);
    briefTerm(term);
    if (options.floats !== 'number' && input.length < 2048) roundTrip(term);
  },
  expected: (error) => error instanceof DecodeError,
  dictionary: [
    Buffer.from([131]),
    Buffer.from([131, 80]),
    Buffer.from([119, 2, 111, 107]), // small utf8 atom 'ok'
    Buffer.from([104, 2]),
    Buffer.from([108, 0, 0, 0, 1]),
    Buffer.from([106]),
    Buffer.from([116, 0, 0, 0, 1]),
    Buffer.from([88]), // NEW_PID_EXT
    Buffer.from([90, 0, 3]), // NEWER_REFERENCE_EXT with 3 words
    Buffer.from([112]), // NEW_FUN_EXT
    Buffer.from([113]), // EXPORT_EXT
    Buffer.from([77]), // BIT_BINARY_EXT
    Buffer.from([82, 0]), // ATOM_CACHE_REF
    Buffer.from([110, 8, 0]), // SMALL_BIG_EXT
    Buffer.from([70]), // NEW_FLOAT_EXT
    Buffer.from([99]), // FLOAT_EXT
    Buffer.from([121]), // LOCAL_EXT
  ],
};
