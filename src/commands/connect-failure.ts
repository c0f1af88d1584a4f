/**
 * Why a one-shot command (`ping`, `call`, `names`) reached nothing, in one line a user can act
 * on: no EPMD at the host, the name not registered there, the cookie refused, the host unknown
 * or unreachable, or no answer in time. It reads the typed errors of the EPMD client, the
 * transport and the handshake, down to the system error under them.
 */
import { BadCookieError, EpmdError, HandshakeError, HandshakeTimeoutError, listNames } from '../../handshake';
import { ErlTimeoutError } from '../process/deadline';

/** A Node system error: `connect ECONNREFUSED 127.0.0.1:4369` and its parts. */
interface SystemError extends Error {
  code: string;
  syscall: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** The system error at the bottom of `err`'s causes, if there is one. */
function systemCause(err: unknown): SystemError | undefined {
  // Duck-typed, not instanceof Error: Node's own errors may come from another realm (a vm, jest).
  for (let e = err as Partial<SystemError> | undefined; typeof e === 'object' && e !== null; e = e.cause as typeof e) {
    if (typeof e.syscall === 'string' && typeof e.code === 'string') return e as SystemError;
  }
  return undefined;
}

/** What a system error means for reaching a host, or undefined for the ones without a plainer word. */
function systemReason(cause: SystemError, what: string): string | undefined {
  const at = cause.address !== undefined && cause.port !== undefined ? `${cause.address}:${cause.port}` : undefined;
  switch (cause.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `unknown host ${cause.hostname ?? ''} (${cause.syscall} ${cause.code})`.replace('host  (', 'host (');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host ${cause.address ?? ''} is unreachable (${cause.code})`;
    case 'ETIMEDOUT':
      return `timed out connecting to ${what}${at ? ` at ${at}` : ''}`;
    case 'ECONNREFUSED':
      return what === 'EPMD'
        ? `no EPMD at ${at ?? 'the host'} (connection refused): no erl node runs there, or its EPMD listens on another port (--epmd-port, ERL_EPMD_PORT)`
        : `${what} refused the connection at ${at ?? 'its port'}`;
    default:
      return undefined;
  }
}

/**
 * One line saying why `peer` (a node name, or undefined when only EPMD was asked) could not be
 * reached. For a name EPMD does not know it asks that EPMD once more, for the names it does.
 */
export async function connectFailure(err: unknown, peer?: string, epmdPort?: number): Promise<string> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof EpmdError) {
    if (err.code === 'not_registered' && peer !== undefined) return `${message}${await namesThere(peer, epmdPort)}`;
    if (err.code === 'timeout') return `timed out: ${message}`;
    const cause = systemCause(err);
    return (cause && systemReason(cause, 'EPMD')) ?? message;
  }
  if (err instanceof BadCookieError) {
    return `${message}; use the node's cookie (--cookie C, ERLANG_COOKIE, or the same ~/.erlang.cookie)`;
  }
  if (err instanceof HandshakeTimeoutError || err instanceof ErlTimeoutError) return `timed out: ${message}`;
  if (err instanceof HandshakeError) {
    const cause = systemCause(err);
    return (cause && systemReason(cause, peer ?? 'the node')) ?? message;
  }
  return message;
}

/** ` (EPMD there has: a, b)` for the host of `peer`, or nothing when asking fails. */
async function namesThere(peer: string, port?: number): Promise<string> {
  const host = peer.slice(peer.indexOf('@') + 1);
  try {
    const { nodes } = await listNames({ host, port, timeout: 2000 });
    return nodes.length === 0 ? ' (EPMD there has no names)' : ` (EPMD there has: ${nodes.map((n) => n.name).join(', ')})`;
  } catch {
    return '';
  }
}
