/**
 * The typed errors of lib_chan: one base class, so callers can catch every channel failure at once
 * or tell the book's outcomes (`badService`, `authFail`, a closed channel) apart.
 */

/** Base class of every lib_chan error. */
export class ChanError extends Error {
  override name = 'ChanError';
}

/** The server does not offer the requested service (it answered `badService`). */
export class BadServiceError extends ChanError {
  override name = 'BadServiceError';
  constructor(readonly service: string) {
    super(`lib_chan: the server has no service '${service}' (badService)`);
  }
}

/** The server rejected the password (it answered `authFail`), or demanded one when none was given. */
export class AuthFailError extends ChanError {
  override name = 'AuthFailError';
  constructor(
    readonly service: string,
    detail = 'wrong password (authFail)',
  ) {
    super(`lib_chan: service '${service}': ${detail}`);
  }
}

/** The channel is closed: by either side, by a protocol error, or before the awaited reply came. */
export class ChannelClosedError extends ChanError {
  override name = 'ChannelClosedError';
  constructor(reason = 'the channel is closed') {
    super(`lib_chan: ${reason}`);
  }
}

/** Nothing arrived within the allowed time (a handshake step, or an rpc reply). */
export class ChanTimeoutError extends ChanError {
  override name = 'ChanTimeoutError';
  constructor(
    readonly timeoutMs: number,
    what: string,
  ) {
    super(`lib_chan: no ${what} within ${timeoutMs} ms`);
  }
}

/** The peer broke the protocol: an oversized or undecodable frame, or an unexpected message. */
export class ChanProtocolError extends ChanError {
  override name = 'ChanProtocolError';
}

/** A config file that is not in the book's format; the message names the offending term. */
export class ChanConfigError extends ChanError {
  override name = 'ChanConfigError';
}
