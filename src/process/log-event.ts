/**
 * What the logger works with: severities and level settings as erl's logger has them, and the
 * log event (a message or a report, with the process it is about).
 */
import { Atom, Pid, Term } from '../../codec';

/** The severities of log events, most severe first: erl's `logger:level()`. */
export const LOG_SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;

/** How severe one event is: erl's `logger:level()`. */
export type LogSeverity = (typeof LOG_SEVERITIES)[number];

/**
 * A level setting, as `logger:set_primary_config(level, L)` takes: a severity (that one and the
 * more severe pass), `none` (nothing passes) or `all` (everything passes).
 */
export type LogLevel = LogSeverity | 'none' | 'all';

/** How events are written: erl's default text (`=ERROR REPORT==== ... ===` and the message), or one JSON object per line. */
export type LogFormat = 'text' | 'json';

/** One value of a report field in the JSON format. */
export type LogField = string | number | boolean | string[];

/** What a program can add to an event it logs. */
export interface LogMetadata {
  /** The process the event is about. */
  pid?: Pid;
  /** Its registered name. */
  registeredName?: Atom;
  /** The report's fields, written as they are in the JSON format (erl text for terms). */
  fields?: Record<string, LogField>;
}

/** A log event, as the logger's handler sees it. */
export interface LogEvent extends LogMetadata {
  level: LogSeverity;
  /** When, in microseconds since the epoch (erl's `time` metadata). */
  time: number;
  /** The message as erl's formatter writes it, without the header; may span lines. */
  text: string;
  /** The title of erl's header, e.g. `CRASH REPORT`. Default: `ERROR REPORT` for `error`, and so on. */
  title?: string;
  /**
   * The event as erl's `logger` process takes it (`{log, Level, Format, Args, Meta}`), for the
   * node of `gl` when that is another node.
   */
  remote?: { gl: Pid; message: Term };
}

/** Now, in microseconds since the epoch, as erl's `logger:timestamp()`. */
export function logTimestamp(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
