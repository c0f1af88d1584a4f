/**
 * How `erlbridge node` listens and ticks, from its options or erl's own `-kernel KEY VALUE`
 * spellings of them (net_ticktime, inet_dist_listen_min/max, inet_dist_use_interface, logger_level).
 */
import * as net from 'net';
import { parseTerm, Tuple } from '../../codec';
import { numberOption, UsageError, wholeNumberOption } from './options';

/** The kernel parameters `-kernel KEY VALUE` may set that stand for one option each. */
const KERNEL_PARAMETERS: Record<string, string> = {
  connect_all: 'connect-all',
  prevent_overlapping_partitions: 'prevent-overlapping-partitions',
  net_ticktime: 'net-ticktime',
  logger_level: 'log-level',
};
// These two make one range; the max defaults to the min, as in inet_tcp_dist's get_port_range.
const PORT_RANGE_PARAMETERS = ['inet_dist_listen_min', 'inet_dist_listen_max'];
const INTERFACE_PARAMETER = 'inet_dist_use_interface';

/** erl's `-kernel KEY VALUE` as the `--option VALUE` it stands for. */
export function kernelParameters(args: string[]): string[] {
  const out: string[] = [];
  const range: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-kernel') {
      out.push(args[i]);
      continue;
    }
    // As erl reads `-kernel K1 V1 K2 V2 ...`: pairs up to the next flag.
    let pairs = 0;
    while (i + 1 < args.length && !args[i + 1].startsWith('-')) {
      const [key, value] = [args[i + 1], args[i + 2]];
      if (value === undefined) throw new UsageError(`-kernel ${key} needs a value`);
      i += 2;
      pairs += 1;
      if (Object.hasOwn(KERNEL_PARAMETERS, key)) out.push(`--${KERNEL_PARAMETERS[key]}`, value);
      else if (PORT_RANGE_PARAMETERS.includes(key)) range[key] = value;
      else if (key === INTERFACE_PARAMETER) out.push('--dist-listen-address', interfaceAddress(value));
      else {
        const known = [...Object.keys(KERNEL_PARAMETERS), ...PORT_RANGE_PARAMETERS, INTERFACE_PARAMETER];
        throw new UsageError(`-kernel ${key} is not supported by erlbridge (it takes -kernel ${known.join(', ')})`);
      }
    }
    if (pairs === 0) throw new UsageError('-kernel needs a parameter and a value');
  }
  const [min, max] = PORT_RANGE_PARAMETERS.map((key) => range[key]);
  if (min === undefined && max !== undefined) throw new UsageError('-kernel inet_dist_listen_max needs inet_dist_listen_min too');
  if (min !== undefined) out.push('--dist-port-range', `${min}-${max ?? min}`);
  return out;
}

/** `inet_dist_use_interface`'s value, an address tuple in Erlang text (`{127,0,0,1}`), as an IP string. */
function interfaceAddress(text: string): string {
  let parts: unknown[] | undefined;
  try {
    const term = parseTerm(text);
    if (term instanceof Tuple) parts = term.elements;
  } catch {
    parts = undefined;
  }
  const isPart = (limit: number) => (p: unknown) => typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= limit;
  if (parts?.length === 4 && parts.every(isPart(255))) return parts.join('.');
  if (parts?.length === 8 && parts.every(isPart(0xffff))) return parts.map((p) => (p as number).toString(16)).join(':');
  throw new UsageError(`-kernel inet_dist_use_interface takes an address tuple such as '{127,0,0,1}', not ${text}`);
}

/** `--dist-port P` or `--dist-port-range MIN-MAX` as the ports to try; undefined for any free one. */
export function distPorts(options: Record<string, string | true>): readonly [number, number] | undefined {
  if (options['dist-port'] !== undefined && options['dist-port-range'] !== undefined) {
    throw new UsageError('give --dist-port or --dist-port-range, not both');
  }
  const port = numberOption(options, 'dist-port');
  if (port !== undefined) return [port, port];
  const range = options['dist-port-range'];
  if (range === undefined) return undefined;
  const match = typeof range === 'string' ? /^(\d+)-(\d+)$/.exec(range) : null;
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(min <= max && max <= 65535))
    throw new UsageError(`--dist-port-range takes MIN-MAX, two ports with MIN <= MAX, not ${String(range)}`);
  return [min, max];
}

/** `--net-ticktime S` in milliseconds; erl's net_ticktime is a whole number of seconds. */
export function tickTime(options: Record<string, string | true>): number | undefined {
  const seconds = wholeNumberOption(options, 'net-ticktime', 'seconds', 1);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * How long a stopping node lets the calls it serves finish, by default: long enough for ordinary
 * calls, and well inside the 10 s `docker stop` and Kubernetes give before SIGKILL.
 */
export const DEFAULT_SHUTDOWN_TIME = 5000;

/** `--shutdown-time MS` (erl's `-shutdown_time MS`): how long in-flight calls may finish on SIGTERM. */
export function shutdownTime(options: Record<string, string | true>): number {
  return wholeNumberOption(options, 'shutdown-time', 'milliseconds', 0) ?? DEFAULT_SHUTDOWN_TIME;
}

/** `--atom-limit N`: the most atoms alive at once; a peer whose input would pass it is disconnected. */
export function atomLimit(options: Record<string, string | true>): number | undefined {
  return wholeNumberOption(options, 'atom-limit', 'atoms', 1);
}

/** `--dist-listen-address IP`, checked. */
export function listenAddress(options: Record<string, string | true>): string | undefined {
  const v = options['dist-listen-address'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || net.isIP(v) === 0) throw new UsageError(`--dist-listen-address takes an IP address, not ${String(v)}`);
  return v;
}
