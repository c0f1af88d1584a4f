/**
 * The External Term Format codec: bytes <-> terms. Pure: no sockets, no timers, no node state.
 *
 * `decode(bytes)` reads what `term_to_binary/1` writes (every tag, bounded against hostile
 * input); `encode(term)` writes exactly what `term_to_binary(T, [{minor_version, 2}])` does;
 * `formatTerm`/`parseTerm` print and read Erlang text. Everything here is also exported by
 * `erlbridge` itself.
 *
 * ```ts
 * import { atom, decode, encode, formatTerm, tuple } from 'erlbridge/codec';
 * const bytes = encode(tuple(atom('ok'), [1, 2, 3])); // <<131,104,2,119,2,111,107,107,0,3,1,2,3>>
 * formatTerm(decode(bytes)); // '{ok,[1,2,3]}'
 * ```
 *
 * @module erlbridge/codec
 */
export * from './terms';
export { ErlMap, map } from './erlmap';
export { compare, equals, compareAtomNames } from './compare';
export { hashTerm } from './hash';
export { TermMap } from './term-map';
export { Decoder, decode } from './decoder';
export type { DecodeOptions } from './decoder';
export { Encoder, encode } from './encoder';
export type { EncodeOptions, AtomCacheHook } from './encoder';
export { AtomLimitError, DecodeError, EncodeError } from './errors';
export type { DecodeErrorCode, EncodeErrorCode } from './errors';
export {
  DEFAULT_DECODE_LIMITS,
  resolveDecodeLimits,
  BEAM_MAX_BIG_BYTES,
  BEAM_MAX_ATOM_CHARACTERS,
  BEAM_DEFAULT_ATOM_TABLE,
} from './limits';
export type { DecodeLimits } from './limits';
export * as P from './pattern';
export type { Pattern, Matched, MatchedAll, MatchedFields, MapPatternOptions } from './pattern';
export { toJS, fromJS, integersAs } from './convert';
export type { JsValue, ToJSOptions, FromJSOptions } from './convert';
export { briefTerm, formatTerm, prettyTerm, parseTerm, parseTerms, TextParseError } from './text';
export type { FormatOptions, PrettyOptions } from './text';
