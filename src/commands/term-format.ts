/**
 * `--format p|w`: how a command prints a term. `p` (the default) is the erl shell's `~tp`, in
 * column 1 and 80 characters wide, as `io:format("~tp~n", [T])` prints it; `w` is one lossless
 * line (`~w`, with pids, ports and references in the text {@link parseTerm} reads back).
 *
 * The shell itself also cuts a result at depth 30 (`[1,2,...|...]`) and breaks lines sooner
 * (io_lib_pretty's `line_max_chars` 60); the CLI prints data that scripts read, so it keeps
 * every element, as `~tp` does.
 */
import type { Term } from '../../codec';
import { formatTerm } from '../../codec/text';
import { prettyTerm } from '../../codec/text/pretty';
import { UsageError } from './options';

/** The two ways to print a term, named after their `io:format` control sequences. */
export type TermFormat = 'p' | 'w';

/** The valued option, for parseArgs. */
export const FORMAT_OPTION = 'format';

/** The usage line's part for it. */
export const FORMAT_USAGE = '[--format p|w]';

/** `--format`'s value, checked; `p` when it is not given. */
export function termFormat(options: Record<string, string | true>): TermFormat {
  const v = options[FORMAT_OPTION] ?? 'p';
  if (v === 'p' || v === 'w') return v;
  throw new UsageError(`--format takes p (as the erl shell prints) or w (one line), not ${String(v)}`);
}

/** `term` as text in `format`, without a final newline. */
export function printTerm(term: Term, format: TermFormat): string {
  return format === 'w' ? formatTerm(term) : prettyTerm(term, { column: 1, lineLength: 80, encoding: 'unicode', unicode: true });
}
