/**
 * How a term reads in a log report: as erl's logger prints it, `~tp` laid out over lines. The one
 * place reports turn terms into text.
 */
import { briefTerm, Pid, prettyTerm, Term } from '../../codec';

/** How long a term's text in a report may grow before it is cut (then `...`), so no report floods the log. */
export const REPORT_TERM_CHARS = 2000;

/** A term as a report prints it: `~tp` text, cut after {@link REPORT_TERM_CHARS} characters. */
export function reportTerm(term: Term): string {
  const text = prettyTerm(term);
  return text.length > REPORT_TERM_CHARS ? `${text.slice(0, REPORT_TERM_CHARS)}...` : text;
}

/** A term as a JSON report field holds it: `~tp` text on one line, cut as {@link reportTerm} cuts. */
export function reportField(term: Term): string {
  return briefTerm(term, REPORT_TERM_CHARS);
}

/**
 * A pid as a log line names it: `<0.85.0>` for a pid of this node (as erl prints its own), the
 * term's text for another node's (erl's own text needs its node table, which we cannot see).
 */
export function pidText(pid: Pid, localNode: string): string {
  return pid.node.name === localNode ? `<0.${pid.id}.${pid.serial}>` : reportTerm(pid);
}
