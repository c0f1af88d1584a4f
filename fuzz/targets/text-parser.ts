/**
 * The Erlang text parser (codec/text: the lexer, `parseTerm`, `parseTerms`) on arbitrary UTF-8,
 * with a property: every term it reads prints (`formatTerm`, `~w`; `prettyTerm`, `~p`, for terms
 * without pids, ports, references and local funs, whose creation `~p` leaves out) as text that
 * parses back to an equal term.
 */
import { equals } from '../../codec/compare';
import { ErlMap } from '../../codec/erlmap';
import { BitBinary, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../../codec/terms';
import { briefTerm, formatTerm, parseTerm, parseTerms, prettyTerm, TextParseError } from '../../codec/text';
import { erlangTexts } from '../support/fixture-seeds';
import { FuzzTarget } from '../target';

function reparses(term: Term, text: string, how: string): void {
  const again = parseTerm(text);
  if (!equals(term, again)) throw new Error(`${how} of ${briefTerm(term)} reads back as ${briefTerm(again)}`);
}

/** The printers are checked on terms of inputs up to this size: they dominate the time otherwise. */
const PRINT_CHECK_MAX = 1024;
/**
 * Nor on terms whose binaries hold more bytes than this: a few characters (`<<0:134217720>>`) make
 * 16 MiB, whose text takes seconds to print and read back. That is linear work, not a bug.
 */
const PRINT_CHECK_BINARY_BYTES = 64 * 1024;

/** What decides which checks a term gets: the bytes of its binaries (counted up to past `limit`), whether it holds a pid, port, reference or local fun. */
function survey(term: Term, limit: number): { binaryBytes: number; opaque: boolean } {
  const stack: Term[] = [term];
  let binaryBytes = 0;
  let opaque = false;
  while (stack.length > 0 && binaryBytes <= limit) {
    const t = stack.pop() as Term;
    if (Buffer.isBuffer(t)) binaryBytes += t.length;
    else if (t instanceof BitBinary) binaryBytes += t.buffer.length;
    else if (Array.isArray(t)) for (const item of t) stack.push(item);
    else if (t instanceof Tuple) for (const item of t.elements) stack.push(item);
    else if (t instanceof ImproperList) for (const item of [...t.elements, t.tail]) stack.push(item);
    else if (t instanceof ErlMap) for (const [key, value] of t) stack.push(key, value);
    else if (t instanceof Pid || t instanceof Port || t instanceof Reference || t instanceof Fun) opaque = true;
  }
  return { binaryBytes, opaque };
}

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
      const { binaryBytes, opaque } = survey(term, PRINT_CHECK_BINARY_BYTES);
      if (binaryBytes > PRINT_CHECK_BINARY_BYTES) continue;
      reparses(term, formatTerm(term), 'formatTerm');
      reparses(term, formatTerm(term, { unicode: true }), 'formatTerm unicode');
      // ~p leaves out the creation of pids, ports and references, as erl does: by design not lossless.
      if (!opaque) reparses(term, prettyTerm(term), 'prettyTerm');
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
