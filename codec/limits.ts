/**
 * Decode limits: what one untrusted input may make the decoder do, and the defaults.
 *
 * A decoded term can take up to about 40 times its encoded size in memory (an empty list is one
 * byte on the wire and a JS array in memory), so `maxInputSize` is the budget that bounds memory;
 * lower it where memory is tight. Binaries do not count against that factor: they are views.
 */

/** The largest integer BEAM holds: (2^19 - 1) 64-bit digits. binary_to_term rejects longer ones. */
export const BEAM_MAX_BIG_BYTES = 4_194_296;

/** The most characters an atom may have in BEAM. */
export const BEAM_MAX_ATOM_CHARACTERS = 255;

/** BEAM's default atom table size (`+t`): no real node can send more distinct atoms than that. */
export const BEAM_DEFAULT_ATOM_TABLE = 1_048_576;

/** The numeric limits of a decoder. Each is checked before the work or allocation it bounds. */
export interface DecodeLimits {
  /** Nesting depth (tuples, lists, maps, fun environments open at once). */
  maxDepth: number;
  /** Bytes of input (from the decode offset to the end of the buffer). */
  maxInputSize: number;
  /** The uncompressed size a compressed term (tag 80) may declare. */
  maxDecompressedSize: number;
  /** Digit bytes of one SMALL_BIG/LARGE_BIG integer. */
  maxBigIntBytes: number;
  /** Characters of one atom. */
  maxAtomLength: number;
  /**
   * Atoms one decode may create that did not exist before. Unreferenced atoms are reclaimed and
   * the whole table is capped (`setAtomLimit`); this bounds what a single input may add at once.
   */
  maxAtoms: number;
}

/**
 * The defaults, chosen so that input from a hostile peer stays bounded while anything a real BEAM
 * node can send decodes:
 * - `maxDepth` 1,000,000: the decoder keeps its own stack, so depth costs heap, not call stack;
 *   depth is bounded by input size anyway, this just stops absurd inputs early.
 * - `maxInputSize` and `maxDecompressedSize` 64 MiB: far above normal messages, and with the ~40x
 *   worst-case expansion still within a default Node heap.
 * - `maxBigIntBytes` {@link BEAM_MAX_BIG_BYTES}: BEAM itself rejects larger integers.
 * - `maxAtomLength` 255 characters: BEAM's limit.
 * - `maxAtoms` {@link BEAM_DEFAULT_ATOM_TABLE}: more new atoms than a whole default BEAM node can
 *   hold cannot come from one; this bounds how much one input grows the atom table before the
 *   atoms it does not keep are reclaimed (the table as a whole is capped by `setAtomLimit`).
 */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxDepth: 1_000_000,
  maxInputSize: 64 * 1024 * 1024,
  maxDecompressedSize: 64 * 1024 * 1024,
  maxBigIntBytes: BEAM_MAX_BIG_BYTES,
  maxAtomLength: BEAM_MAX_ATOM_CHARACTERS,
  maxAtoms: BEAM_DEFAULT_ATOM_TABLE,
});

/**
 * The defaults with `overrides` applied. A limit must be a non-negative integer or `Infinity`;
 * anything else is a programming error and throws a `RangeError` here, not at decode time.
 */
export function resolveDecodeLimits(overrides: Partial<DecodeLimits> = {}): DecodeLimits {
  const limits = { ...DEFAULT_DECODE_LIMITS };
  for (const key of Object.keys(DEFAULT_DECODE_LIMITS) as Array<keyof DecodeLimits>) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 0) {
      throw new RangeError(`${key} must be a non-negative integer or Infinity, not ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
