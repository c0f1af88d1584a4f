/**
 * The typed errors of lib_chan: one base class, so callers can catch every channel failure at once
 * or tell the book's outcomes (`badService`, `authFail`, a closed channel) apart.
 */

/** What went wrong on a channel, as a stable machine-readable code. */
export type ChanErrorCode = 'bad_service' | 'auth_fail' | 'closed' | 'timeout' | 'protocol' | 'config';

/** Base class of every lib_chan error. */
export class ChanError extends Error {
  override name = 'ChanError';

  constructor(
    readonly code: ChanErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The server does not offer the requested service (it answered `badService`). */
export class BadServiceError extends ChanError {
  override name = 'BadServiceError';
  constructor(readonly service: string) {
    super('bad_service', `lib_chan: the server has no service '${service}' (badService)`);
  }
}

/** The server rejected the password (it answered `authFail`), or demanded one when none was given. */
export class AuthFailError extends ChanError {
  override name = 'AuthFailError';
  constructor(
    readonly service: string,
    detail = 'wrong password (authFail)',
  ) {
    super('auth_fail', `lib_chan: service '${service}': ${detail}`);
  }
}

/** The channel is closed: by either side, by a protocol error, or before the awaited reply came. */
export class ChannelClosedError extends ChanError {
  override name = 'ChannelClosedError';
  constructor(reason = 'the channel is closed') {
    super('closed', `lib_chan: ${reason}`);
  }
}

/** Nothing arrived within the allowed time (a handshake step, or an rpc reply). */
export class ChanTimeoutError extends ChanError {
  override name = 'ChanTimeoutError';
  constructor(
    readonly timeoutMs: number,
    what: string,
  ) {
    super('timeout', `lib_chan: no ${what} within ${timeoutMs} ms`);
  }
}

/** The peer broke the protocol: an oversized or undecodable frame, or an unexpected message. */
export class ChanProtocolError extends ChanError {
  override name = 'ChanProtocolError';
  constructor(message: string) {
    super('protocol', message);
  }
}

/** A config file that is not in the book's format; the message names the offending term. */
export class ChanConfigError extends ChanError {
  override name = 'ChanConfigError';
  constructor(message: string) {
    super('config', message);
  }
}
