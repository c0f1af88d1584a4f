/** `--log-level LEVEL` and `--log-format text|json` (erl's `-kernel logger_level LEVEL`), checked. */
import { LOG_SEVERITIES, LogFormat, LogLevel } from '../process/log-event';
import { UsageError } from './options';

const LEVELS: readonly string[] = [...LOG_SEVERITIES, 'none', 'all'];
const FORMATS: readonly string[] = ['text', 'json'];

/** The node's logger settings from the command line; undefined leaves the node's default. */
export function logOptions(options: Record<string, string | true>): { logLevel?: LogLevel; logFormat?: LogFormat } {
  const level = options['log-level'];
  const format = options['log-format'];
  if (level !== undefined && (typeof level !== 'string' || !LEVELS.includes(level))) {
    throw new UsageError(`--log-level takes one of ${LEVELS.join(', ')}, not ${String(level)}`);
  }
  if (format !== undefined && (typeof format !== 'string' || !FORMATS.includes(format))) {
    throw new UsageError(`--log-format takes text or json, not ${String(format)}`);
  }
  return { logLevel: level as LogLevel | undefined, logFormat: format as LogFormat | undefined };
}
