/**
 * How a term reads in a log report. The one place reports turn terms into text, so that moving to
 * the `~p` printer (codec/text/pretty.ts, `prettyTerm`) once it lands is a change of this file alone.
 */
import { briefTerm, Pid, Term } from '../../codec';

/** How long a term's text in a report may grow before it is cut (then `...`), so no report floods the log. */
export const REPORT_TERM_CHARS = 2000;

/** A term as a report prints it: Erlang text, cut after {@link REPORT_TERM_CHARS} characters. */
export function reportTerm(term: Term): string {
  return briefTerm(term, REPORT_TERM_CHARS);
}

/**
 * A pid as a log line names it: `<0.85.0>` for a pid of this node (as erl prints its own), the
 * term's text for another node's (erl's own text needs its node table, which we cannot see).
 */
export function pidText(pid: Pid, localNode: string): string {
  return pid.node.name === localNode ? `<0.${pid.id}.${pid.serial}>` : reportTerm(pid);
}
