/**
 * The byte transport under lib_chan: plain TCP as in the book, or the same protocol over TLS when
 * TLS options are given (both sides must agree; the book has no TLS).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ChanTimeoutError } from './errors';

/** A listening server that hands over each connection once it can carry frames (after the TLS handshake, with TLS). */
export function listen(tlsOptions: tls.TlsOptions | undefined, onConnection: (socket: net.Socket) => void): net.Server {
  if (!tlsOptions) return net.createServer(onConnection);
  const server = tls.createServer(tlsOptions, onConnection);
  // A failed TLS handshake is that client's problem; the socket is already destroyed.
  server.on('tlsClientError', () => undefined);
  return server;
}

/** How {@link dial} connects: TLS when `tls` is given, within `timeout` ms, abandoned on `signal`. */
export interface DialOptions {
  tls?: tls.ConnectionOptions;
  timeout: number;
  signal?: AbortSignal;
}

/** Connect to `host:port`. */
export function dial(host: string, port: number, { tls: tlsOptions, timeout, signal }: DialOptions): Promise<net.Socket> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port, servername: tlsOptions.servername ?? (net.isIP(host) ? undefined : host) })
      : net.connect({ host, port });
    const fail = (error: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = () => fail(signal?.reason);
    const timer = setTimeout(() => fail(new ChanTimeoutError(timeout, `connection to ${host}:${port}`)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
