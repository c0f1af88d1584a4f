import type * as net from 'net';
import type { PrefixWidth } from './length-prefix';

/** Limits of one {@link DistTransport.connect}. */
export interface TransportConnectOptions {
  /** Give up after this many milliseconds. */
  timeout: number;
  /** Abort the attempt: the socket is destroyed and the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** The host as the peer's node name has it (the address dialed is resolved); TLS sends it as SNI. */
  hostName?: string;
}

/** Where {@link DistTransport.listen} listens. */
export interface TransportListenOptions {
  /** The port; 0 picks a free one. */
  port: number;
  /** The address. Default: all interfaces. */
  host?: string;
  /**
   * Where the transport says why it dropped a peer before any handshake byte (e.g. a failed TLS
   * handshake): one line each, so pass a rate-limited log. Default: nowhere.
   */
  log?: (line: string) => void;
}

/** A listening transport, from {@link DistTransport.listen}. */
export interface DistListener {
  /** The port it listens on (the one picked, when asked for 0). */
  readonly port: number;
  /**
   * Hand every accepted socket to `handler`. Sockets come paused, with `noDelay` on, so that
   * whoever reads first (the handshake) sees every byte.
   */
  onConnection(handler: (socket: net.Socket) => void): void;
  /** Stop accepting. Sockets already accepted stay open: they belong to their handlers. */
  close(): Promise<void>;
}

/**
 * The byte stream under the handshake and the distribution protocol: TCP (`tcpTransport`)
 * or TLS (`tlsTransport`, erl's `-proto_dist inet_tls`). EPMD does not use this seam: it always
 * runs over plain TCP.
 */
export interface DistTransport {
  /** Names the transport in errors and logs, e.g. `'tcp'`. */
  readonly name: string;
  /**
   * The length prefix of each handshake message: 2 over TCP (`{packet,2}`), 4 over TLS (erl's
   * TLS socket is `{packet,4}` from the start). Distribution frames after it are 4 on both.
   */
  readonly handshakePrefixWidth: PrefixWidth;
  /**
   * A connected socket with `noDelay` on (for TLS: once the TLS handshake is done). Rejects with a {@link TransportError} (`timeout`,
   * `connect_failed`), or with `signal.reason` when aborted.
   */
  connect(host: string, port: number, options: TransportConnectOptions): Promise<net.Socket>;
  /** Listen; rejects with the listen error (e.g. `EADDRINUSE`) when the port is taken. */
  listen(options: TransportListenOptions): Promise<DistListener>;
}

/** Why a transport could not connect, as a stable machine-readable code. */
export type TransportErrorCode = 'timeout' | 'connect_failed';

/** A failed {@link DistTransport.connect}; the layer above turns it into its own error. */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
