/**
 * The TLS distribution options of every command that connects (`node`, `ping`, `call`):
 * `--proto-dist inet_tls --ssl-dist-optfile FILE`, or erl's `-proto_dist inet_tls
 * -ssl_dist_optfile FILE`. The optfile is erl's own, read the way erl reads it.
 */
import type { NodeOptions } from '../node/node';
import { UsageError } from './options';

/** The valued options, for parseArgs. */
export const TLS_OPTIONS = ['proto-dist', 'ssl-dist-optfile'];

/** erl's spellings of {@link TLS_OPTIONS}, for parseArgs. */
export const TLS_ERL_SPELLINGS: Readonly<Record<string, string>> = {
  '-proto_dist': 'proto-dist',
  '-ssl_dist_optfile': 'ssl-dist-optfile',
};

/** The usage line's part for these options. */
export const TLS_USAGE = '[--proto-dist inet_tcp|inet_tls --ssl-dist-optfile FILE]';

/** `{ tls }` for ErlNode.start from the parsed options; `{}` for plain TCP (`inet_tcp`, the default). */
export function tlsNodeOptions(options: Record<string, string | true>): Pick<NodeOptions, 'tls'> {
  const proto = options['proto-dist'] ?? 'inet_tcp';
  const optfile = options['ssl-dist-optfile'];
  if (proto === 'inet_tcp') {
    if (optfile !== undefined) throw new UsageError('--ssl-dist-optfile needs --proto-dist inet_tls');
    return {};
  }
  if (proto !== 'inet_tls') throw new UsageError(`--proto-dist takes inet_tcp or inet_tls, not ${String(proto)}`);
  if (typeof optfile !== 'string') throw new UsageError('--proto-dist inet_tls needs --ssl-dist-optfile FILE (the certificates)');
  return { tls: { optfile } };
}
