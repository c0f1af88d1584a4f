/**
 * A channel: one lib_chan connection (plain TCP or TLS) carrying `{packet,4}` frames of
 * term_to_binary, seen as terms. The server hands one to each service; the client gets one from
 * `connect`. Both sides are the same: send terms, receive terms, close.
 */
import * as net from 'node:net';
import { Decoder, DecodeOptions, Term, encode } from '../../codec';
import { FrameReader, frame } from './frame';
import { ChanProtocolError, ChanTimeoutError, ChannelClosedError } from './errors';

/** How a channel reads its peer's bytes. */
export interface ChannelLimits {
  /** The largest frame accepted; a bigger one closes the channel. */
  maxFrameSize: number;
  /** Limits for decoding each frame (the codec's safe limits, tightened by the caller). */
  decode: DecodeOptions;
}

interface Waiter {
  resolve(term: Term): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** Received terms queued beyond this pause the socket, so a fast sender cannot fill memory. */
const QUEUE_HIGH_WATER = 64;

/** One lib_chan connection, as terms. */
export class Channel implements AsyncIterable<Term> {
  private readonly reader: FrameReader;
  private decoder: Decoder;
  private readonly queue: Term[] = [];
  private readonly waiters: Waiter[] = [];
  private handler: ((term: Term) => void) | undefined;
  private readonly closeHandlers: Array<(reason: string) => void> = [];
  private closeReason: string | undefined;

  /** Wraps a connected socket; call {@link Channel.close} (or let the peer close) to release it. */
  constructor(
    private readonly socket: net.Socket,
    limits: ChannelLimits,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.reader = new FrameReader(limits.maxFrameSize);
    this.decoder = new Decoder(limits.decode);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.finish(`socket error: ${error.message}`));
    socket.on('close', () => this.finish('closed by the peer'));
  }

  /** The peer's address, for log lines. */
  get peer(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** True once the channel is closed (by either side or by an error). */
  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Change how frames are read from now on (the server allows more once the peer is authenticated). */
  setLimits(limits: ChannelLimits): void {
    this.reader.maxFrameSize = limits.maxFrameSize;
    this.decoder = new Decoder(limits.decode);
  }

  /** Send one term as one frame. Throws {@link ChannelClosedError} when the channel is closed. */
  send(term: Term): void {
    if (this.closeReason !== undefined) throw new ChannelClosedError(this.closeReason);
    this.socket.write(frame(encode(term)));
  }

  /**
   * The next term from the peer. Rejects with {@link ChannelClosedError} if the channel closes
   * first, or {@link ChanTimeoutError} after `timeoutMs` (no timeout when omitted).
   */
  receive(timeoutMs?: number): Promise<Term> {
    const queued = this.dequeue();
    if (queued.length > 0) return Promise.resolve(queued[0]);
    if (this.closeReason !== undefined) return Promise.reject(new ChannelClosedError(this.closeReason));
    if (this.handler) return Promise.reject(new Error('lib_chan: receive() on a channel that has an onMessage handler'));
    return new Promise<Term>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new ChanTimeoutError(timeoutMs, 'message'));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Send `term` and wait for the next term from the peer (the book's `lib_chan:rpc`). */
  async rpc(term: Term, options: { timeoutMs?: number } = {}): Promise<Term> {
    this.send(term);
    return this.receive(options.timeoutMs);
  }

  /**
   * Deliver every term from now on to `handler` (including those already queued), instead of to
   * {@link Channel.receive}. A handler that throws closes the channel.
   */
  onMessage(handler: (term: Term) => void): void {
    this.handler = handler;
    for (const term of this.queue.splice(0)) this.deliver(term);
    this.socket.resume();
  }

  /** Call `handler` once the channel closes, with why (at once if it already is). */
  onClose(handler: (reason: string) => void): void {
    if (this.closeReason !== undefined) handler(this.closeReason);
    else this.closeHandlers.push(handler);
  }

  /** Received terms until the channel closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<Term> {
    for (;;) {
      try {
        yield await this.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) return;
        throw error;
      }
    }
  }

  /** Close the channel after what was sent is written (the book's `disconnect`). */
  close(reason = 'closed locally'): void {
    if (this.closeReason !== undefined) return;
    this.finish(reason);
    this.socket.end(() => this.socket.destroy());
  }

  private onData(chunk: Buffer): void {
    try {
      for (const payload of this.reader.push(chunk)) {
        const term = this.decoder.decode(payload);
        if (this.handler) this.deliver(term);
        else this.enqueue(term);
        if (this.closeReason !== undefined) return;
      }
    } catch (error) {
      const reason = error instanceof ChanProtocolError ? error.message : `undecodable frame: ${(error as Error).message}`;
      this.log(`${this.peer}: ${reason}; closing`);
      this.finish(reason);
      this.socket.destroy();
    }
  }

  private deliver(term: Term): void {
    try {
      (this.handler as (term: Term) => void)(term);
    } catch (error) {
      this.log(`${this.peer}: service failed: ${(error as Error).message}; closing`);
      this.close('the service failed');
    }
  }

  private enqueue(term: Term): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(term);
      return;
    }
    this.queue.push(term);
    if (this.queue.length >= QUEUE_HIGH_WATER) this.socket.pause();
  }

  private dequeue(): Term[] {
    if (this.queue.length === 0) return [];
    const term = this.queue.shift() as Term;
    if (this.queue.length < QUEUE_HIGH_WATER) this.socket.resume();
    return [term];
  }

  private finish(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(new ChannelClosedError(reason));
    }
    for (const handler of this.closeHandlers.splice(0)) handler(reason);
  }
}
