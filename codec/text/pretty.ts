/**
 * PLACEHOLDER until the `~p` printer lands from the printer branch: prints one-line `~w` text.
 * The real module keeps this exact API (and may add options).
 */
import type { Term } from '../terms';
import { formatTerm, FormatOptions } from './print';

/** How to print like `io_lib:format("~p")` / `io_lib_pretty:print`. */
export interface PrettyOptions extends FormatOptions {
  /** The line length io_lib_pretty breaks at. Default 80. */
  lineLength?: number;
  /** The column the term starts at (1-based, as io_lib_pretty's). Default 1. */
  column?: number;
  /** `~P`'s depth: deeper parts print as `...`. Default -1 (no limit). */
  depth?: number;
  /** `unicode` is `~tp` (Unicode strings and binaries shown as text), `latin1` is `~p`. Default unicode. */
  encoding?: 'latin1' | 'unicode';
  /** This node's name: its pids, ports and refs print as erl prints local ones (`<0.80.0>`). */
  localNode?: string;
}

/** `term` as the erl shell / `io_lib:format("~tp")` prints it. */
export function prettyTerm(term: Term, options: PrettyOptions = {}): string {
  return formatTerm(term, options);
}
