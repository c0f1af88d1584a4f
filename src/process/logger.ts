/**
 * The node's logger, after erl's `logger`: eight severities, a primary level that lets through
 * the events at least that severe (default `notice`, as erl's), and one handler that writes each
 * event to a sink as text shaped like erl's default handler, or as one JSON object per line.
 * An event whose process has its group leader on another node is also sent to that node's
 * `logger` process, as erl's `logger:log` does, so erl shows it where the process was started.
 */
import { Atom, Pid, Term } from '../../codec';
import { formatLogEvent } from './log-format';

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

/** How the logger is set up (the node passes its own options). */
export interface LoggerOptions {
  /** The primary level. Default `notice`. */
  level?: LogLevel;
  /** Default `text`. */
  format?: LogFormat;
  /** This node's name, for the JSON format and for telling local pids from remote ones. */
  node: string;
  /** Where formatted events go, one call each (a text event may span lines). */
  sink: (text: string) => void;
}

const RANK = new Map<string, number>([...LOG_SEVERITIES.map((s, i) => [s, i] as const), ['none', -1], ['all', LOG_SEVERITIES.length]]);

/** The rank of a level setting, or a TypeError naming what is wrong (as erl's `{invalid_level, L}`). */
function rankOf(level: string): number {
  const rank = RANK.get(level);
  if (rank === undefined) throw new TypeError(`invalid log level ${JSON.stringify(level)}: use one of ${[...RANK.keys()].join(', ')}`);
  return rank;
}

/** Now, in microseconds since the epoch, as erl's `logger:timestamp()`. */
export function logTimestamp(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The node's logger (`node.logger`). */
export class Logger {
  private levelSetting: LogLevel;
  private rank: number;
  private formatSetting: LogFormat;
  /** Sends `message` to the registered process `logger` on `node` (the node sets this once it can send). @internal */
  forward: ((node: string, message: Term) => void) | undefined;

  /** Made by the node from its {@link NodeOptions}. @internal */
  constructor(private readonly options: LoggerOptions) {
    this.levelSetting = options.level ?? 'notice';
    this.rank = rankOf(this.levelSetting);
    this.formatSetting = options.format ?? 'text';
    if (this.formatSetting !== 'text' && this.formatSetting !== 'json') throw new TypeError(`invalid log format ${String(this.formatSetting)}`);
  }

  /** The primary level: events at least this severe are logged. */
  get level(): LogLevel {
    return this.levelSetting;
  }

  /** How events are written. */
  get format(): LogFormat {
    return this.formatSetting;
  }

  /** `logger:set_primary_config(level, Level)`: change the level at run time. Throws TypeError for an unknown level. */
  setLevel(level: LogLevel): void {
    this.rank = rankOf(level);
    this.levelSetting = level;
  }

  /** `logger:allow(Level, Module)` without the module: would an event of this severity be logged now? */
  allows(severity: LogSeverity): boolean {
    const rank = rankOf(severity);
    return rank >= 0 && rank < LOG_SEVERITIES.length && rank <= this.rank;
  }

  /** `logger:log(Level, String, Meta)`: log `text` at `severity` when the level lets it through. */
  log(severity: LogSeverity, text: string, metadata: LogMetadata = {}): void {
    this.emit({ ...metadata, level: severity, time: logTimestamp(), text });
  }

  /** `logger:error/2`. */
  error(text: string, metadata?: LogMetadata): void {
    this.log('error', text, metadata);
  }

  /** `logger:warning/2`. */
  warning(text: string, metadata?: LogMetadata): void {
    this.log('warning', text, metadata);
  }

  /** `logger:notice/2`. */
  notice(text: string, metadata?: LogMetadata): void {
    this.log('notice', text, metadata);
  }

  /** `logger:info/2`. */
  info(text: string, metadata?: LogMetadata): void {
    this.log('info', text, metadata);
  }

  /** `logger:debug/2`. */
  debug(text: string, metadata?: LogMetadata): void {
    this.log('debug', text, metadata);
  }

  /** Log a whole event (a crash report) when the level lets it through, and forward it to a remote group leader's node. @internal */
  emit(event: LogEvent): void {
    if (!this.allows(event.level)) return;
    const { remote } = event;
    if (remote !== undefined && remote.gl.node.name !== this.options.node) this.forward?.(remote.gl.node.name, remote.message);
    this.options.sink(formatLogEvent(event, this.formatSetting, this.options.node));
  }
}
