/**
 * Erlang term text: {@link formatTerm} prints a term as `~w` does, {@link prettyTerm} as `~p` does, {@link parseTerm} and
 * {@link parseTerms} read it back (and what humans and `file:consult` files write).
 * @packageDocumentation
 */
export { formatTerm } from './print';
export type { FormatOptions } from './print';
export { briefTerm, prettyTerm } from './pretty';
export type { PrettyOptions } from './pretty';
export { parseTerm, parseTerms } from './parse';
export { TextParseError } from './lexer';
