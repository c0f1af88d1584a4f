/**
 * The External Term Format codec: bytes <-> terms. Pure: no sockets, no timers, no node state.
 * @packageDocumentation
 */
export * from './terms';
export { ErlMap, map } from './erlmap';
export { compare, equals, compareAtomNames } from './compare';
export { formatTerm, parseTerm, parseTerms, TextParseError } from './text';
export type { FormatOptions } from './text';
