/**
 * How a log event is written: as erl's default handler writes it (its `legacy_header`:
 * `=ERROR REPORT==== 7-Dec-2026::06:46:30.908102 ===` on a line, then the message), or as one
 * JSON object per line for log collectors.
 */
import type { LogEvent, LogFormat } from './log-event';
import { pidText } from './report-term';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** erl's header time, local time as erl's: `7-Dec-2026::06:46:30.908102`. */
function headerTime(micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  const date = `${d.getDate()}-${MONTHS[d.getMonth()]}-${d.getFullYear()}`;
  return `${date}::${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros % 1_000_000, 6)}`;
}

/** RFC 3339 in UTC with microseconds, as erl's `calendar:system_time_to_rfc3339(T, [{unit, microsecond}])` gives it in UTC. */
function isoTime(micros: number): string {
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${pad(micros % 1_000_000, 6)}Z`;
}

/** The event as `format` writes it; `node` is this node's name. */
export function formatLogEvent(event: LogEvent, format: LogFormat, node: string): string {
  if (format === 'json') {
    const object: Record<string, unknown> = { time: isoTime(event.time), level: event.level, node };
    if (event.pid) object.pid = pidText(event.pid, node);
    if (event.registeredName) object.registered_name = event.registeredName.name;
    object.msg = event.text;
    // The fields come after, so a report cannot hide the level or the node behind a field of that name.
    for (const [key, value] of Object.entries(event.fields ?? {})) if (!(key in object)) object[key] = value;
    return JSON.stringify(object);
  }
  const title = event.title ?? `${event.level.toUpperCase()} REPORT`;
  return `=${title}==== ${headerTime(event.time)} ===\n${event.text}`;
}
