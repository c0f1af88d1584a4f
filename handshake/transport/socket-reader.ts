import type * as net from 'net';

/** Why a read could not complete; the owner turns it into its own typed error. */
export type ReadFailure = 'timeout' | 'closed';

/** Builds the error a failed read rejects with. `what` names what was awaited. */
export type ReadFailureFactory = (failure: ReadFailure, what: string, cause?: Error) => Error;

interface PendingRead {
  want: number | 'end';
  deadline: number;
  what: string;
  resolve(bytes: Buffer): void;
  reject(error: unknown): void;
}

/**
 * Bytes read ahead of what is awaited before the socket is paused, so that a peer cannot make
 * us buffer without bound; a handshake or EPMD reply is far smaller.
 */
const READ_AHEAD_BYTES = 64 * 1024;

const NO_BYTES = Buffer.alloc(0);

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
  /**
   * One timer for every read (a timer per read would be set and cleared several times per
   * handshake): armed for the first deadline and, when it fires before the read then awaited is
   * due, armed again for that read's deadline. Unref'd: a read in progress keeps the socket
   * reading, and so the process alive.
   */
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;

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
    // Already here (a frame's body after its length, a status and challenge in one segment): no
    // wait, no timer.
    if (!this.pending && !this.aborted && this.bufferedLength >= length) return Promise.resolve(this.take(length));
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
    this.disarm();
    const rest = this.bufferedLength === 0 ? NO_BYTES : Buffer.concat(this.buffered, this.bufferedLength);
    this.buffered = [];
    this.bufferedLength = 0;
    return rest;
  }

  private wait(want: number | 'end', deadline: number, what: string): Promise<Buffer> {
    if (this.pending) throw new Error('SocketReader: one read at a time');
    return new Promise<Buffer>((resolve, reject) => {
      this.pending = { want, deadline, what, resolve, reject };
      if (this.timer === undefined || this.timerDue > deadline) this.arm(deadline);
      if (this.socket.readableFlowing !== true) this.socket.resume();
      this.progress();
    });
  }

  private arm(deadline: number): void {
    this.disarm();
    this.timerDue = deadline;
    this.timer = setTimeout(this.onTimer, Math.max(0, deadline - Date.now()));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    const pending = this.pending;
    if (!pending) return;
    if (Date.now() >= pending.deadline) this.settle(this.fail('timeout', pending.what));
    else this.arm(pending.deadline);
  };

  private readonly onData = (chunk: Buffer): void => {
    this.buffered.push(chunk);
    this.bufferedLength += chunk.length;
    if (this.bufferedLength > this.maxBuffered) {
      this.socket.destroy();
      this.ended = true;
    }
    this.progress();
    // Nothing awaits this much: let TCP flow control hold back whatever the peer sends next.
    if (!this.pending && this.bufferedLength >= READ_AHEAD_BYTES) this.socket.pause();
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

  /** The first `length` buffered bytes: a view of the chunk that holds them, copied only when they span chunks. */
  private take(length: number): Buffer {
    if (length === 0) return NO_BYTES;
    const first = this.buffered[0];
    let bytes: Buffer;
    if (first.length >= length) {
      bytes = first.subarray(0, length);
      if (first.length === length) this.buffered.shift();
      else this.buffered[0] = first.subarray(length);
    } else {
      const all = Buffer.concat(this.buffered, this.bufferedLength);
      bytes = all.subarray(0, length);
      this.buffered = all.length > length ? [all.subarray(length)] : [];
    }
    this.bufferedLength -= length;
    return bytes;
  }

  private settle(error: unknown, bytes?: Buffer): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    if (bytes === undefined) pending.reject(error);
    else pending.resolve(bytes);
  }
}
