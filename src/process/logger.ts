/**
 * The node's logger, after erl's `logger`: eight severities, a primary level that lets through
 * the events at least that severe (default `notice`, as erl's), and one handler that writes each
 * event to a sink as text shaped like erl's default handler, or as one JSON object per line.
 * An event whose process has its group leader on another node is also sent to that node's
 * `logger` process, as erl's `logger:log` does, so erl shows it where the process was started.
 */
import { Term } from '../../codec';
import { LOG_SEVERITIES, LogEvent, LogFormat, LogLevel, LogMetadata, LogSeverity, logTimestamp } from './log-event';
import { formatLogEvent } from './log-format';

export type { LogEvent, LogField, LogFormat, LogLevel, LogMetadata, LogSeverity } from './log-event';

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
    if (this.formatSetting !== 'text' && this.formatSetting !== 'json')
      throw new TypeError(`invalid log format ${String(this.formatSetting)}`);
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
