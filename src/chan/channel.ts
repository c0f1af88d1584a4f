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

/** How long {@link Channel.receive} waits (`timeout`, ms; default forever) and how it is abandoned (`signal`). */
export interface ChanWaitOptions {
  timeout?: number;
  signal?: AbortSignal;
}

interface Waiter {
  resolve(term: Term): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** What {@link Channel.take} returns when no complete frame is buffered. */
const NOTHING = Symbol('nothing');

/**
 * One lib_chan connection, as terms.
 *
 * Frames are decoded only when someone wants them (a {@link Channel.receive} or an
 * {@link Channel.onMessage} handler), so each frame is read under the limits in force at that
 * moment, and a peer that sends faster than it is read is paused once a frame's worth of bytes is
 * waiting.
 */
export class Channel implements AsyncIterable<Term> {
  private readonly reader: FrameReader;
  private decoder: Decoder;
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
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.pump();
    });
    socket.on('drain', () => this.pump());
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
   * The next term from the peer (terms the peer sent before closing are still received). Rejects
   * with {@link ChannelClosedError} if the channel closes first, {@link ChanTimeoutError} after
   * `timeout` ms (no timeout when omitted), or `signal.reason` when aborted.
   */
  receive({ timeout, signal }: ChanWaitOptions = {}): Promise<Term> {
    if (this.handler) return Promise.reject(new Error('lib_chan: receive() on a channel that has an onMessage handler'));
    if (this.waiters.length === 0) {
      const term = this.take();
      this.flow();
      if (term !== NOTHING) return Promise.resolve(term);
    }
    if (this.closeReason !== undefined) return Promise.reject(new ChannelClosedError(this.closeReason));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Term>((resolve, reject) => {
      const giveUp = (error: unknown) => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        if (waiter.timer) clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => giveUp(signal?.reason);
      const waiter: Waiter = {
        resolve: (term) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(term);
        },
        reject: (error) => giveUp(error),
        timer: timeout === undefined ? undefined : setTimeout(() => giveUp(new ChanTimeoutError(timeout, 'message')), timeout),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Send `term` and wait for the next term from the peer (the book's `lib_chan:rpc`). */
  async rpc(term: Term, options: ChanWaitOptions = {}): Promise<Term> {
    this.send(term);
    return this.receive(options);
  }

  /**
   * Deliver every term from now on to `handler` (including those already received), instead of to
   * {@link Channel.receive}. A handler that throws closes the channel.
   */
  onMessage(handler: (term: Term) => void): void {
    this.handler = handler;
    this.pump();
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

  /** Close the channel after what was sent is written (the book's `disconnect`); unread input is dropped. */
  close(reason = 'closed locally'): void {
    if (this.closeReason !== undefined) return;
    this.reader.clear();
    this.finish(reason);
    this.socket.end(() => this.socket.destroy());
  }

  /** Close the channel at once, dropping what is not yet written (for a server that is stopping). */
  destroy(reason = 'destroyed locally'): void {
    this.reader.clear();
    this.finish(reason);
    this.socket.destroy();
  }

  /**
   * Decode frames while someone wants them. A handler gets no more while over a frame's worth of
   * its replies waits to be written: a peer that sends without reading is not read either.
   */
  private pump(): void {
    while (this.waiters.length > 0 || (this.handler && !this.writeBacklog())) {
      const term = this.take();
      if (term === NOTHING) break;
      if (this.handler) this.deliver(term);
      else {
        const waiter = this.waiters.shift() as Waiter;
        if (waiter.timer) clearTimeout(waiter.timer);
        waiter.resolve(term);
      }
    }
    this.flow();
  }

  /** Pause the peer while more than a frame's worth of bytes waits unread; resume once read. */
  private flow(): void {
    if (this.reader.buffered > this.reader.maxFrameSize || (this.handler && this.writeBacklog())) this.socket.pause();
    else this.socket.resume();
  }

  private writeBacklog(): boolean {
    return this.socket.writableLength > this.reader.maxFrameSize;
  }

  /** The next buffered term, or {@link NOTHING}. A bad frame closes the channel (and gives NOTHING). */
  private take(): Term | typeof NOTHING {
    try {
      const payload = this.reader.next();
      return payload === undefined ? NOTHING : this.decoder.decode(payload);
    } catch (error) {
      const reason = error instanceof ChanProtocolError ? error.message : `undecodable frame: ${(error as Error).message}`;
      this.log(`${this.peer}: ${reason}; closing`);
      this.reader.clear();
      this.finish(reason);
      this.socket.destroy();
      return NOTHING;
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
