/**
 * The typed errors of the codec: what went wrong (a stable `code`) and, when decoding, where.
 */

/** Why bytes could not be decoded. */
export type DecodeErrorCode =
  /** The input ends inside a term. */
  | 'truncated'
  /** The first byte is not 131. */
  | 'bad_version'
  /** A byte where a tag belongs is no tag (or a tag not allowed there, such as 80 inside a term). */
  | 'bad_tag'
  /** A whole term was decoded but bytes are left over. */
  | 'trailing_bytes'
  /** Nesting deeper than `maxDepth`. */
  | 'depth_limit'
  /** The input is longer than `maxInputSize`. */
  | 'size_limit'
  /** A compressed term declares more than `maxDecompressedSize` bytes. */
  | 'decompressed_size_limit'
  /** The zlib data is corrupt or does not inflate to exactly the declared size. */
  | 'bad_compressed'
  /** An integer with more digit bytes than `maxBigIntBytes`. */
  | 'bigint_limit'
  /** An atom longer than `maxAtomLength` characters. */
  | 'atom_length'
  /** More new atoms in one term than `maxAtoms`. */
  | 'atom_limit'
  /** A new atom would pass the cap on live atoms ({@link AtomLimitError}). */
  | 'atom_table_full'
  /** An ATOM_CACHE_REF to an index the atom cache does not have. */
  | 'atom_cache_miss'
  /** LOCAL_EXT: a node-local format this decoder cannot read. */
  | 'local_ext'
  /** An atom whose bytes are not valid UTF-8. */
  | 'bad_utf8'
  /** A map with the same key twice, which binary_to_term rejects. */
  | 'duplicate_map_key'
  /** A field out of range: NaN, a malformed FLOAT_EXT, bad BIT_BINARY bits, more than 5 reference words... */
  | 'bad_value';

/** Thrown by the decoder for every kind of bad input; it throws nothing else. */
export class DecodeError extends Error {
  override readonly name: string = 'DecodeError';

  constructor(
    /** What is wrong, stable for programs to test. */
    readonly code: DecodeErrorCode,
    /** The byte offset in the input where the problem was found. */
    readonly offset: number,
    detail: string,
  ) {
    super(`${detail} (${code} at byte ${offset})`);
  }
}

/**
 * Creating an atom would pass the cap on live atoms (`setAtomLimit`). Decoding raises it for
 * input that names new atoms when the table is full, so callers that treat a {@link DecodeError}
 * as bad input treat this the same way; `Atom.of`/`atom()` in the program raise it too.
 */
export class AtomLimitError extends DecodeError {
  override readonly name: string = 'AtomLimitError';

  constructor(
    /** The cap that was reached: live atoms allowed at once. */
    readonly limit: number,
    /** Where in the input, when a decoder raised it; 0 when `Atom.of` did. */
    offset = 0,
  ) {
    super('atom_table_full', offset, `a new atom would pass the limit of ${limit} live atoms`);
  }
}

/** Why a value could not be encoded. */
export type EncodeErrorCode =
  /** NaN or ±Infinity: Erlang floats are finite. */
  | 'bad_float'
  /** A value that is not an Erlang term in the term model (undefined, a plain object, a symbol...). */
  | 'not_a_term'
  /** An integer beyond what BEAM can hold. */
  | 'integer_too_large'
  /** An atom of more than 255 characters. */
  | 'atom_too_long'
  /** A field out of range: a pid id over 32 bits, a fun uniq not 16 bytes, bitstring bits not 1..8... */
  | 'bad_value'
  /** Nesting deeper than the encoder's `maxDepth`: usually a term that contains itself. */
  | 'depth_limit';

/** Thrown by the encoder when a value has no External Term Format encoding. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';

  constructor(
    /** What is wrong, stable for programs to test. */
    readonly code: EncodeErrorCode,
    detail: string,
  ) {
    super(`${detail} (${code})`);
  }
}
