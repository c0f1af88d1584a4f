import type { DistListener, DistTransport, TransportListenOptions } from './transport';

/** Where a node listens for distribution: erl's `inet_dist_listen_min/max` and `inet_dist_use_interface`. */
export interface DistListenOptions {
  /**
   * The ports to try, lowest first: `[p, p]` for one port, `[0, 0]` for any free one (erl's
   * default). The first that is free is taken, as inet_tcp_dist's `do_listen` takes it.
   */
  ports: readonly [min: number, max: number];
  /** The address to listen on. Default: all interfaces. */
  host?: string;
  /** Where the transport says why it dropped a peer (see {@link TransportListenOptions.log}). */
  log?: TransportListenOptions['log'];
}

/**
 * Listen on the first free port of the range: a port in use is skipped, any other error (an
 * address this host does not have, say) ends the search at once, as in erl.
 */
export async function listenInRange(transport: DistTransport, { ports: [min, max], host, log }: DistListenOptions): Promise<DistListener> {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max > 65535 || min > max) {
    throw new RangeError(`the distribution port range ${min}-${max} is not a range of ports`);
  }
  for (let port = min; ; port++) {
    try {
      return await transport.listen({ port, host, log });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      if (port >= max) {
        const what = min === max ? `port ${min} is` : `every port of ${min}-${max} is`;
        throw new Error(`cannot listen for distribution: ${what} in use${host === undefined ? '' : ` on ${host}`}`, { cause: err });
      }
    }
  }
}
