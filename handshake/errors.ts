import type { HandshakeStatus } from './messages';

/** What went wrong in a handshake, as a stable machine-readable code. */
export type HandshakeErrorCode =
  | 'timeout'
  | 'closed'
  | 'connect_failed'
  | 'bad_cookie'
  | 'refused'
  | 'missing_flags'
  | 'malformed'
  | 'oversized'
  | 'name_mismatch'
  | 'bad_name'
  | 'unsupported_version';

/** Base class of every handshake failure; `code` says which kind. Messages never contain cookies. */
export class HandshakeError extends Error {
  override readonly name: string = 'HandshakeError';

  constructor(
    readonly code: HandshakeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A handshake step took longer than the per-step timeout. */
export class HandshakeTimeoutError extends HandshakeError {
  override readonly name = 'HandshakeTimeoutError';

  constructor(
    readonly step: string,
    timeout: number,
  ) {
    super('timeout', `handshake timed out after ${timeout} ms waiting for ${step}`);
  }
}

/**
 * The digests did not match: the two nodes use different cookies. Also raised when the peer
 * closes right after our challenge reply, which is how erl says "wrong cookie".
 */
export class BadCookieError extends HandshakeError {
  override readonly name = 'BadCookieError';

  constructor(message: string) {
    super('bad_cookie', message);
  }
}

/** The peer (or our own status hook) refused the connection with a status. */
export class HandshakeRefusedError extends HandshakeError {
  override readonly name = 'HandshakeRefusedError';

  constructor(
    readonly status: HandshakeStatus,
    message: string,
  ) {
    super('refused', message);
  }
}

/** One side lacks distribution flags the other requires; `missing` holds OTP's flag names. */
export class MissingFlagsError extends HandshakeError {
  override readonly name = 'MissingFlagsError';

  constructor(
    readonly missing: readonly string[],
    message: string,
  ) {
    super('missing_flags', message);
  }
}

/** A handshake message did not have the shape the protocol requires. */
export class MalformedMessageError extends HandshakeError {
  override readonly name = 'MalformedMessageError';

  constructor(message: string) {
    super('malformed', message);
  }
}

/** A handshake frame announced more bytes than we accept. */
export class OversizedMessageError extends HandshakeError {
  override readonly name = 'OversizedMessageError';

  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super('oversized', `handshake frame of ${length} bytes exceeds the limit of ${limit}`);
  }
}

/** The peer's challenge named a different node than the one we dialed. */
export class NameMismatchError extends HandshakeError {
  override readonly name = 'NameMismatchError';

  constructor(
    readonly expected: string,
    readonly received: string,
  ) {
    super('name_mismatch', `dialed ${expected} but the peer calls itself ${received}`);
  }
}
