import type * as net from 'net';
import { readFrame } from './frame';
import { HandshakeError, HandshakeTimeoutError } from './errors';
import { SocketReader } from './transport/socket-reader';

/** A socket during the handshake: framed sends and receives, each receive with the step timeout. */
export class HandshakeChannel {
  private readonly reader: SocketReader;
  private closing = false;

  constructor(
    readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    this.reader = new SocketReader(socket, (failure, what, cause) =>
      failure === 'timeout'
        ? new HandshakeTimeoutError(what, timeoutMs)
        : new HandshakeError('closed', `the peer closed the connection while we waited for ${what}`, { cause }),
    );
  }

  /** The next frame's payload; `what` names it in errors. */
  receive(what: string): Promise<Buffer> {
    return readFrame(this.reader, this.timeoutMs, what);
  }

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

  /** Abandon the handshake (unless a final frame is still being flushed). */
  destroy(): void {
    if (this.closing) return;
    this.reader.release();
    this.socket.destroy();
  }
}
