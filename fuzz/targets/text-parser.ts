/**
 * The Erlang text parser (codec/text: the lexer, `parseTerm`, `parseTerms`) on arbitrary UTF-8,
 * with a property: every term it reads prints (`formatTerm`, `~w`; `prettyTerm`, `~p`) as text
 * that parses back to an equal term.
 */
import { equals } from '../../codec/compare';
import { Term } from '../../codec/terms';
import { briefTerm, formatTerm, parseTerm, parseTerms, prettyTerm, TextParseError } from '../../codec/text';
import { erlangTexts } from '../fixture-seeds';
import { FuzzTarget } from '../target';

function reparses(term: Term, text: string, how: string): void {
  const again = parseTerm(text);
  if (!equals(term, again)) throw new Error(`${how} of ${briefTerm(term)} reads back as ${briefTerm(again)}`);
}

/** The printers are checked on terms of inputs up to this size: they dominate the time otherwise. */
const PRINT_CHECK_MAX = 1024;

export const target: FuzzTarget = {
  name: 'text-parser',
  covers: ['codec/text/lexer.ts', 'codec/text/parse.ts', 'codec/text/binary.ts', 'codec/text/print.ts', 'codec/text/pretty.ts'],
  seeds: erlangTexts,
  run(input) {
    const text = input.toString('utf8');
    let terms: Term[];
    try {
      terms = parseTerms(text);
    } catch (error) {
      if (!(error instanceof TextParseError)) throw error;
      terms = [parseTerm(text)];
    }
    if (input.length > PRINT_CHECK_MAX) return;
    for (const term of terms) {
      reparses(term, formatTerm(term), 'formatTerm');
      reparses(term, formatTerm(term, { unicode: true }), 'formatTerm unicode');
      reparses(term, prettyTerm(term), 'prettyTerm');
    }
  },
  expected: (error) => error instanceof TextParseError,
  dictionary: [
    '<<',
    '>>',
    '#{',
    '=>',
    '$\\x{',
    '"',
    "'",
    '#Pid<',
    '#Ref<',
    '#Port<',
    '#Fun<',
    'fun ',
    '/utf8',
    ':size(',
    '2#',
    '16#',
    'e+',
    '.0',
    '\\^',
  ].map((t) => Buffer.from(t, 'utf8')),
};
