import * as net from 'net';
import { settleConnect } from './connect-attempt';
import { DistListener, DistTransport, TransportConnectOptions, TransportError, TransportListenOptions } from './transport';

/**
 * Open a TCP connection with `noDelay` on: distribution and EPMD traffic is small
 * request/reply, and Nagle would make each round trip wait for a delayed ACK.
 */
export function connectTcp(host: string, port: number, options: TransportConnectOptions): Promise<net.Socket> {
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  return settleConnect(net.connect({ host, port, noDelay: true }), 'connect', options, {
    failed: (cause) => new TransportError('connect_failed', `cannot connect to ${host}:${port}: ${cause.message}`, { cause }),
    timedOut: () => new TransportError('timeout', `no TCP connection to ${host}:${port} within ${options.timeout} ms`),
  });
}

/**
 * Listen for TCP connections. Accepted sockets get `noDelay`, as erl's do, and start paused
 * (`pauseOnConnect`) so that no byte is read before the handshake takes the socket.
 */
export async function listenTcp({ port, host }: TransportListenOptions): Promise<DistListener> {
  const server = net.createServer({ noDelay: true, pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    onConnection: (handler) => void server.on('connection', handler),
    // Not server.close's callback: that waits for every accepted socket to end. The listening
    // socket itself is closed, and the port free, when close() returns.
    close: () => {
      server.close();
      return Promise.resolve();
    },
  };
}

/** Plain TCP, erl's default distribution transport (`inet_tcp_dist`). */
export const tcpTransport: DistTransport = { name: 'tcp', handshakePrefixWidth: 2, connect: connectTcp, listen: listenTcp };
