import type * as net from 'net';
import type { TransportConnectOptions } from './transport';

/** How one kind of connection attempt ends, in its own words. */
export interface ConnectOutcomes {
  /** When the socket says it is up: null to take it, or why it is refused after all. */
  accept?: () => Error | null;
  /** The error a failed attempt (a socket error, or a refusal by `accept`) rejects with. */
  failed: (cause: Error) => unknown;
  /** The error the attempt rejects with once `timeout` passed. */
  timedOut: () => unknown;
}

/**
 * Settle a socket being connected: resolve on `upEvent` (`connect`, or TLS's `secureConnect`),
 * reject on an error, after `timeout`, or with `signal.reason` when aborted. A socket that is not
 * taken is destroyed, and every listener and timer of the attempt is gone once it settles.
 */
export function settleConnect<S extends net.Socket>(
  socket: S,
  upEvent: 'connect' | 'secureConnect',
  { timeout, signal }: TransportConnectOptions,
  outcomes: ConnectOutcomes,
): Promise<S> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off(upEvent, onUp);
      socket.off('error', onError);
    };
    const fail = (error: unknown): void => {
      stop();
      socket.destroy();
      reject(error);
    };
    const onUp = (): void => {
      const refusal = outcomes.accept?.() ?? null;
      if (refusal) return onError(refusal);
      stop();
      resolve(socket);
    };
    const onError = (cause: Error): void => fail(outcomes.failed(cause));
    const onAbort = (): void => fail(signal?.reason);
    const timer = setTimeout(() => fail(outcomes.timedOut()), timeout);
    socket.once(upEvent, onUp);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
