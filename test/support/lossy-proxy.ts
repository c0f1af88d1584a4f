/**
 * A slow, lossy network between two hosts, in user space (the kernel here has no netem): a
 * distribution transport whose connections run through a TCP proxy that holds every chunk for
 * a delay, and some chunks longer.
 *
 * TCP cannot lose bytes above the socket, so loss is simulated as what it costs a TCP stream:
 * a chunk that "was lost" arrives a retransmission timeout (about 200 ms, Linux's minimum RTO)
 * late, and everything behind it waits too (head-of-line blocking), order kept. An optional rate
 * limit makes big messages take long enough to be interrupted on purpose.
 */
import * as net from 'net';
import { DistTransport, tcpTransport, TransportConnectOptions } from '../../handshake';
import { seededRandom } from './seeded-random';

export interface LossyLinkOptions {
  /** One-way delay of every chunk, ms. */
  delayMs: number;
  /** Share of chunks (0..1) that are "lost" and so arrive `retransmitMs` late. */
  lossRate: number;
  /** The extra delay of a lost chunk, ms. */
  retransmitMs: number;
  /** Seed of the loss pattern, so a run can be repeated. */
  seed: number;
  /** Limit of each direction, bytes per second. Default: none. */
  bytesPerSecond?: number;
}

/** What went through the proxy, per direction: `out` from the dialling node, `in` towards it. */
export interface LossyStats {
  out: number;
  in: number;
  /** Chunks held back for a simulated retransmission. */
  retransmits: number;
}

// Above this many bytes held in one direction the sender is paused, as a full window would.
const HIGH_WATER = 1 << 20;

/**
 * Forward `from` -> `to` with the link's delay, loss and rate, in order: one queue and one timer
 * for its head (timers of different lengths may fire out of order); ends `to` once what was
 * held is out.
 */
function delayedPipe(
  from: net.Socket,
  to: net.Socket,
  options: LossyLinkOptions,
  random: () => number,
  count: (bytes: number, retransmit: boolean) => void,
  severed: () => boolean,
): void {
  const queue: Array<{ at: number; chunk: Buffer }> = [];
  let held = 0;
  let lastRelease = 0;
  let timer: NodeJS.Timeout | null = null;
  let ended = false;
  const pump = () => {
    timer = null;
    // A cut cable delivers nothing more, not even the end.
    if (severed()) return void queue.splice(0);
    const now = Date.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { chunk } = queue.shift() as { chunk: Buffer };
      held -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (held <= HIGH_WATER / 2) from.resume();
    if (queue.length > 0) timer = setTimeout(pump, queue[0].at - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    if (severed()) return;
    const retransmit = random() < options.lossRate;
    count(chunk.length, retransmit);
    let at = Math.max(Date.now() + options.delayMs + (retransmit ? options.retransmitMs : 0), lastRelease);
    if (options.bytesPerSecond) at += (chunk.length / options.bytesPerSecond) * 1000;
    lastRelease = at;
    queue.push({ at, chunk });
    held += chunk.length;
    if (held > HIGH_WATER) from.pause();
    timer ??= setTimeout(pump, at - Date.now());
  });
  // A close (or reset) of one side reaches the other after what was already on the way.
  from.once('close', () => {
    // Past a cut, nothing reaches the far side; its socket is only let go (no handle left open).
    if (severed()) return void to.destroy();
    ended = true;
    timer ??= setTimeout(pump, 0);
  });
  from.on('error', () => undefined);
}

/**
 * A transport that dials through a lossy proxy: each connection gets a proxy of its own on this
 * host's loopback, which forwards to the real `host:port`. The dialling node sees an ordinary
 * socket; the peer sees a connection from this host. `stats` counts the bytes of all of them;
 * `onChunk` sees them as each chunk arrives at the proxy (before its delay).
 */
export function lossyTransport(
  options: LossyLinkOptions,
  onChunk?: (stats: LossyStats) => void,
): { transport: DistTransport; stats: LossyStats; sever: () => void } {
  const random = seededRandom(options.seed);
  let cut = false;
  const severed = () => cut;
  const stats: LossyStats = { out: 0, in: 0, retransmits: 0 };
  const connect = async (host: string, port: number, connectOptions: TransportConnectOptions): Promise<net.Socket> => {
    const upstream = await tcpTransport.connect(host, port, connectOptions);
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const near = await tcpTransport.connect('127.0.0.1', (server.address() as net.AddressInfo).port, connectOptions);
    const inner = await accepted;
    server.close();
    const counter = (direction: 'out' | 'in') => (bytes: number, retransmit: boolean) => {
      stats[direction] += bytes;
      if (retransmit) stats.retransmits += 1;
      onChunk?.(stats);
    };
    delayedPipe(inner, upstream, options, random, counter('out'), severed);
    delayedPipe(upstream, inner, options, random, counter('in'), severed);
    return near;
  };
  // sever: the proxy's own cable cut. What the kernels had buffered on either side of a real
  // cut would otherwise still come through it; from now on nothing does, in either direction.
  return { transport: { ...tcpTransport, name: 'lossy tcp', connect }, stats, sever: () => void (cut = true) };
}
