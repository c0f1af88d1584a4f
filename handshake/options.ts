import type * as net from 'net';
import type { PrefixWidth } from './transport/length-prefix';
import type { CookieSource } from './cookie';

/** `net_setuptime`: erl's default limit for each handshake step. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 7000;

/** What both sides of a handshake need. */
export interface HandshakeOptions {
  /** Our full node name, `name@host`. */
  ourName: string;
  /** The cookie, or per-node cookies. */
  cookie: CookieSource;
  /** Our creation, as EPMD assigned it. */
  creation: number;
  /** Flags we advertise. Default `advertisedFlags()`: hidden, everything we support. */
  flags?: bigint;
  /** Flags the peer must have. Default `DIST_MANDATORY_26`, what OTP 26+ demands. */
  requiredFlags?: bigint;
  /** Limit in ms for each step (each message awaited). Default 7000 ms. */
  timeout?: number;
  /** Abort the handshake: the socket is closed and the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Bytes in each handshake message's length prefix: 2 over TCP (`{packet,2}`), 4 inside TLS,
   * where erl's socket is `{packet,4}` from the start. Default 2; take it from the transport's
   * `DistTransport.handshakePrefixWidth`.
   */
  handshakePrefixWidth?: PrefixWidth;
}

/** An authenticated peer, ready for the `{packet,4}` distribution protocol. */
export interface HandshakeResult {
  /**
   * Paused, with none of our listeners (attach an `'error'` listener before yielding to the event
   * loop); `setNoDelay(true)` was applied.
   */
  socket: net.Socket;
  /** The peer's full node name. */
  peerName: string;
  /** The flags the peer advertised, as sent. */
  peerFlags: bigint;
  /** Our flags AND the peer's (with MANDATORY_25_DIGEST expanded): what both may use. */
  negotiatedFlags: bigint;
  /** The peer's creation, for its pids, ports and references. */
  peerCreation: number;
  /** Bytes that arrived after the handshake and were already read; the next layer starts with them. */
  leftover: Buffer;
}
