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

/** Connect to `host:port` (with TLS when `tlsOptions` is given), within `timeoutMs`. */
export function dial(host: string, port: number, tlsOptions: tls.ConnectionOptions | undefined, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port, servername: tlsOptions.servername ?? (net.isIP(host) ? undefined : host) })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ChanTimeoutError(timeoutMs, `connection to ${host}:${port}`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', fail);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
