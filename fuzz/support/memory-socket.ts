/**
 * An in-memory stand-in for a `net.Socket`, so that targets drive the library's socket seams
 * (handshake, EPMD, lib_chan, connections) without TCP: the engine runs thousands of inputs a
 * second, and real sockets would make it slow and the results depend on the machine.
 */
import { Duplex } from 'stream';
import type * as net from 'net';

/** A duplex stream with the few `net.Socket` members the library uses. */
export class MemorySocket extends Duplex {
  /** Where writes go: the other end of a {@link memorySocketPair}; with none, they are dropped. */
  peer: MemorySocket | null = null;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 4370;
  readonly localAddress = '127.0.0.1';

  constructor() {
    super({ allowHalfOpen: false });
  }

  /** A socket whose peer sends `bytes` and then closes its side. */
  static replaying(bytes: Buffer): MemorySocket {
    const socket = new MemorySocket();
    socket.feed(bytes);
    socket.feed(null);
    return socket;
  }

  /** This object, typed as the socket the library's seams take. */
  get asSocket(): net.Socket {
    return this as unknown as net.Socket;
  }

  /**
   * The peer sends `bytes`; null: the peer closes its side, on a later turn of the event loop as
   * with a real socket, whose close never comes in the same read as the data before it.
   */
  feed(bytes: Buffer | null): void {
    if (bytes === null) setImmediate(() => this.push(null));
    else this.push(bytes);
  }

  /** The peer sends `chunks`, one by one until this socket is destroyed, and then closes its side. */
  feedAll(chunks: Iterable<Buffer>): void {
    for (const chunk of chunks) {
      if (this.destroyed) return;
      this.feed(chunk);
    }
    if (!this.destroyed) this.feed(null);
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    // A real socket delivers on a later turn; delivering at once would nest the two sides' handlers.
    if (peer) process.nextTick(() => peer.push(chunk));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer) process.nextTick(() => peer.push(null));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) process.nextTick(() => peer.destroy());
    callback(error);
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }
}

/** Two connected in-memory sockets: what one writes, the other reads. */
export function memorySocketPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Resolves after pending I/O callbacks and microtasks have run (one turn of the event loop). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
