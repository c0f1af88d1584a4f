import * as net from 'net';

/** Why {@link connectTcp} failed. */
export type ConnectFailure = 'timeout' | 'connect_failed';

/**
 * Open a TCP connection with `setNoDelay(true)` (distribution and EPMD traffic is small
 * request/reply; Nagle would add delayed-ACK stalls), failing after `timeoutMs`.
 */
export function connectTcp(
  host: string,
  port: number,
  timeoutMs: number,
  fail: (failure: ConnectFailure, cause?: Error) => Error,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(fail('timeout'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(fail('connect_failed', error));
    };
    socket.once('error', onError);
  });
}
