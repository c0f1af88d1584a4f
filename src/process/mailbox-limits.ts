/**
 * Limits on how many messages may wait in a process's mailbox: a warning, once per process, when
 * the queue grows past a threshold, and an optional hard limit past which the process is killed.
 * BEAM has no such limit (a flooded process grows until the node runs out of memory); its nearest
 * relative is `max_heap_size`, whose kill this one follows: untrappable, logged as an error report.
 */
import { atom, Term, tuple } from '../../codec';
import { mailboxLimitEvent, ReportedProcess } from './crash-report';
import { Logger } from './logger';
import { RateLimitedLog } from './rate-limited-log';
import { pidText } from './report-term';

/** Messages waiting at which a process is reported by default: see {@link MailboxLimits.warnLen}. */
export const DEFAULT_MAILBOX_WARN_LEN = 10_000;

const MAILBOX_LIMIT = atom('mailbox_limit');

/** Limits on one process's message queue (its `message_queue_len`), or the node's defaults for them. */
export interface MailboxLimits {
  /**
   * Kill the process when a message arrives that would make more than this many wait (messages a
   * waiting `receive` takes at once never wait). Default: no limit, as on BEAM.
   *
   * The exit reason is `{mailbox_limit, MaxLen}`. BEAM's `max_heap_size` kill says only `killed`;
   * this names the cause, so the `{'DOWN', Ref, process, Pid, {mailbox_limit, 1000}}` a monitor
   * gets (on this node or on erl) and the `{'EXIT', Pid, {mailbox_limit, 1000}}` of a trapping link
   * say why without a look at the log. It is not `normal`, `shutdown` or `{shutdown, _}`, so
   * links die with it and supervisors restart the process, as after `killed`. As with `kill`, the
   * process cannot trap it; the message that did not fit, and all those waiting, are dropped.
   * The kill is logged as an error report ("maximum message queue length reached").
   */
  maxLen?: number;
  /**
   * Log one warning (per process; across processes rate-limited) when this many messages wait.
   * Default {@link DEFAULT_MAILBOX_WARN_LEN} (10,000): far beyond what a process that keeps up
   * ever holds (a burst of a few hundred drains in milliseconds), yet early enough to name the
   * process long before its queue costs real memory (10,000 small messages are about a MiB), and
   * the length at which Erlang operators commonly call a mailbox overloaded. `Infinity` turns it off.
   */
  warnLen?: number;
}

/** What a process does when its queue passes a limit: the node's policy, shared by the processes it applies to. @internal */
export interface MailboxWatch {
  readonly maxLen: number;
  readonly warnLen: number;
  /** The queue reached `warnLen` (once per process). */
  warn(proc: ReportedProcess, len: number): void;
  /** The queue passed `maxLen`: report it (the process is killed next). */
  overflow(proc: ReportedProcess, len: number): void;
}

/** Where a node's {@link MailboxWatch}es report: its logger, its name, and one rate-limited log of warnings for them all. @internal */
export interface MailboxReporting {
  logger: Logger;
  node: string;
  warnings: RateLimitedLog;
}

/** The watch for `limits` (each checked, defaults filled in). @internal */
export function mailboxWatch(limits: MailboxLimits, reporting: MailboxReporting): MailboxWatch {
  const maxLen = checkedLimit('maxLen', limits.maxLen, Infinity);
  const warnLen = checkedLimit('warnLen', limits.warnLen, DEFAULT_MAILBOX_WARN_LEN);
  const { logger, node, warnings } = reporting;
  return {
    maxLen,
    warnLen,
    warn(proc, len) {
      const name = proc.registeredName === undefined ? '' : ` (registered as ${proc.registeredName.name})`;
      const limit = maxLen === Infinity ? 'no limit' : `killed past ${maxLen}`;
      warnings.log(`process ${pidText(proc.pid, node)}${name} has ${len} messages waiting in its mailbox (${limit})`);
    },
    overflow(proc, len) {
      logger.emit(mailboxLimitEvent(proc, node, maxLen, len));
    },
  };
}

/** `{mailbox_limit, MaxLen}`: the exit reason of a process killed for its queue. */
export function mailboxLimitReason(maxLen: number): Term {
  return tuple(MAILBOX_LIMIT, maxLen);
}

/** Throws a TypeError when a limit of `limits` is not a whole number at least 0 or Infinity. */
export function checkMailboxLimits(limits: MailboxLimits): void {
  checkedLimit('maxLen', limits.maxLen, Infinity);
  checkedLimit('warnLen', limits.warnLen, Infinity);
}

/** A limit as given, checked: a whole number at least 0, or Infinity (none); `fallback` when not given. */
function checkedLimit(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Infinity || (Number.isInteger(value) && value >= 0)) return value;
  throw new TypeError(`mailbox ${what} must be a whole number at least 0, or Infinity, not ${String(value)}`);
}
