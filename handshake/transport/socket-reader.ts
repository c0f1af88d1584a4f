import type * as net from 'net';

/** Why a read could not complete; the owner turns it into its own typed error. */
export type ReadFailure = 'timeout' | 'closed';

/** Builds the error a failed read rejects with. `what` names what was awaited. */
export type ReadFailureFactory = (failure: ReadFailure, what: string, cause?: Error) => Error;

interface PendingRead {
  want: number | 'end';
  what: string;
  resolve(bytes: Buffer): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * Pulls exact byte counts off a socket, each read with a deadline. {@link release} detaches it
 * and hands back whatever arrived beyond the last read, so the next protocol layer loses nothing.
 * When `signal` aborts, the socket is destroyed and every read rejects with `signal.reason`.
 */
export class SocketReader {
  private buffered: Buffer[] = [];
  private bufferedLength = 0;
  private pending: PendingRead | null = null;
  private ended = false;
  private endCause: Error | undefined;
  private maxBuffered = Infinity;
  private aborted = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly fail: ReadFailureFactory,
    private readonly signal?: AbortSignal,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Exactly `length` bytes, or a rejection once `deadline` (epoch ms) passes or the peer closes. */
  read(length: number, deadline: number, what: string): Promise<Buffer> {
    return this.wait(length, deadline, what);
  }

  /** Everything up to the peer's close, failing beyond `maxBytes` (as `closed`, after closing). */
  readToEnd(deadline: number, maxBytes: number, what: string): Promise<Buffer> {
    this.maxBuffered = maxBytes;
    return this.wait('end', deadline, what);
  }

  /** Stop reading: pause the socket, drop our listeners and return the unread bytes. */
  release(): Buffer {
    this.socket.pause();
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.signal?.removeEventListener('abort', this.onAbort);
    const rest = Buffer.concat(this.buffered, this.bufferedLength);
    this.buffered = [];
    this.bufferedLength = 0;
    return rest;
  }

  private wait(want: number | 'end', deadline: number, what: string): Promise<Buffer> {
    if (this.pending) throw new Error('SocketReader: one read at a time');
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(this.fail('timeout', what)), Math.max(0, deadline - Date.now()));
      this.pending = { want, what, resolve, reject, timer };
      this.socket.resume();
      this.progress();
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buffered.push(chunk);
    this.bufferedLength += chunk.length;
    if (this.bufferedLength > this.maxBuffered) {
      this.socket.destroy();
      this.ended = true;
    }
    this.progress();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.progress();
  };

  private readonly onError = (error: Error): void => {
    this.endCause = error;
    this.ended = true;
    this.progress();
  };

  private readonly onAbort = (): void => {
    this.aborted = true;
    this.socket.destroy();
    this.progress();
  };

  private progress(): void {
    const pending = this.pending;
    if (!pending) return;
    if (this.aborted) return this.settle(this.signal?.reason);
    if (pending.want === 'end') {
      if (!this.ended) return;
      if (this.bufferedLength > this.maxBuffered) {
        this.settle(this.fail('closed', `${pending.what} (more than ${this.maxBuffered} bytes)`));
      } else {
        this.settle(null, this.take(this.bufferedLength));
      }
      return;
    }
    if (this.bufferedLength >= pending.want) {
      this.settle(null, this.take(pending.want));
    } else if (this.ended) {
      this.settle(this.fail('closed', pending.what, this.endCause));
    }
  }

  private take(length: number): Buffer {
    const all = Buffer.concat(this.buffered, this.bufferedLength);
    const rest = all.subarray(length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedLength = rest.length;
    return all.subarray(0, length);
  }

  private settle(error: unknown, bytes?: Buffer): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    // Nothing is awaited now: let TCP flow control hold back whatever the peer sends next.
    this.socket.pause();
    if (bytes === undefined) pending.reject(error);
    else pending.resolve(bytes);
  }
}
