import type * as net from 'net';
import type { PrefixWidth } from './transport/length-prefix';
import { SocketReader } from './transport/socket-reader';
import { HandshakeError, HandshakeTimeoutError } from './errors';
import { readFrame } from './frame';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HandshakeOptions } from './options';

/**
 * A socket during the handshake: framed sends and receives, each receive with the step timeout.
 * Sends wait until the next receive (or the hand-over), so that what one side says in a row (the
 * acceptor's status and challenge) goes out in one write.
 */
export class HandshakeChannel {
  private readonly reader: SocketReader;
  private unsent: Buffer[] = [];
  private readonly timeout: number;
  /** The length prefix of every handshake message on this socket (see {@link HandshakeOptions.handshakePrefixWidth}). */
  readonly prefixWidth: PrefixWidth;
  private readonly signal: AbortSignal | undefined;
  private closing = false;

  constructor(
    readonly socket: net.Socket,
    options: Pick<HandshakeOptions, 'timeout' | 'signal' | 'handshakePrefixWidth'>,
  ) {
    this.timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.prefixWidth = options.handshakePrefixWidth ?? 2;
    this.signal = options.signal;
    socket.setNoDelay(true);
    this.reader = new SocketReader(
      socket,
      (failure, what, cause) =>
        failure === 'timeout'
          ? new HandshakeTimeoutError(what, this.timeout)
          : new HandshakeError('closed', `the peer closed the connection while we waited for ${what}`, { cause }),
      options.signal,
    );
  }

  /** The next frame's payload; `what` names it in errors. What was sent before goes out first. */
  receive(what: string): Promise<Buffer> {
    this.flush();
    return readFrame(this.reader, this.timeout, what, this.prefixWidth);
  }

  /** Send one frame (serialized with {@link prefixWidth}), with the next receive or the hand-over. */
  send(frame: Buffer): void {
    this.unsent.push(frame);
  }

  /** Send a last frame (a refusal, after anything unsent) and close once it is flushed. */
  sendFinal(frame: Buffer): void {
    this.closing = true;
    this.reader.release();
    this.unsent.push(frame);
    this.socket.end(this.takeUnsent(), () => this.socket.destroy());
  }

  /**
   * Hand the socket over: what was sent is written, the socket paused, our listeners gone;
   * returns bytes read past the handshake.
   */
  release(): Buffer {
    this.flush();
    return this.reader.release();
  }

  private flush(): void {
    if (this.unsent.length > 0) this.socket.write(this.takeUnsent());
  }

  private takeUnsent(): Buffer {
    const frames = this.unsent;
    this.unsent = [];
    return frames.length === 1 ? frames[0] : Buffer.concat(frames);
  }

  /**
   * Run one side's handshake steps. On failure the socket is destroyed; once the signal aborted
   * (at any point, even during a hook) the rejection is `signal.reason`, because whatever failed
   * after the abort failed because of it.
   */
  async run<T>(steps: () => Promise<T>): Promise<T> {
    try {
      const result = await steps();
      this.signal?.throwIfAborted();
      return result;
    } catch (error) {
      this.destroy();
      throw this.signal?.aborted ? this.signal.reason : error;
    }
  }

  /** Abandon the handshake (unless a final frame is still being flushed). */
  destroy(): void {
    if (this.closing) return;
    this.unsent = [];
    this.reader.release();
    this.socket.destroy();
  }
}
