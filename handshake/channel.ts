import type * as net from 'net';
import type { PrefixWidth } from './transport/length-prefix';
import { SocketReader } from './transport/socket-reader';
import { HandshakeError, HandshakeTimeoutError } from './errors';
import { readFrame } from './frame';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, HandshakeOptions } from './options';

/** A socket during the handshake: framed sends and receives, each receive with the step timeout. */
export class HandshakeChannel {
  private readonly reader: SocketReader;
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

  /** The next frame's payload; `what` names it in errors. */
  receive(what: string): Promise<Buffer> {
    return readFrame(this.reader, this.timeout, what, this.prefixWidth);
  }

  /** Send one frame (serialized with {@link prefixWidth}). */
  send(frame: Buffer): void {
    this.socket.write(frame);
  }

  /** Send a last frame (a refusal) and close once it is flushed. */
  sendFinal(frame: Buffer): void {
    this.closing = true;
    this.reader.release();
    this.socket.end(frame, () => this.socket.destroy());
  }

  /** Hand the socket over: paused, our listeners gone; returns bytes read past the handshake. */
  release(): Buffer {
    return this.reader.release();
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
    this.reader.release();
    this.socket.destroy();
  }
}
