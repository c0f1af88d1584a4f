/**
 * One established distribution connection: frames in and out, ticks, peer liveness by
 * net_ticktime rules, and write backpressure. Knows control messages only as terms.
 */
import { EventEmitter } from 'events';
import { Socket } from 'net';
import { DecodeOptions, Term } from '../../codec';
import { DistFlag } from '../../handshake';
import { DistError } from './errors';
import { PacketReader } from './packets';
import { DistMessage, MessageReader } from './message-reader';
import { MessageWriter } from './message-writer';

export interface ConnectionLimits {
  /** Largest frame accepted, in bytes (default 256 MiB). */
  maxFrame?: number;
  /** Bytes unfinished fragmented messages may hold (default 256 MiB). */
  maxFragmentBytes?: number;
  /** Queued outgoing bytes above which `send` reports busy (default 1 MiB, like dist_buf_busy_limit). */
  busyLimit?: number;
  /**
   * Queued outgoing bytes above which `send` closes the connection (reason a `DistError`
   * `overloaded`) instead of queuing more (default 64 MiB): never buffer without bound.
   */
  maxQueued?: number;
  /**
   * Close the connection (reason a `DistError` `send_timeout`, so the node logs it and reports
   * nodedown) when more than `busyLimit` bytes stay queued this many ms: a peer that stopped
   * reading. erl's `send_timeout` socket option (with `send_timeout_close`), which a node sets on
   * its distribution sockets through `inet_dist_listen_options` / `inet_dist_connect_options`:
   * inet_drv arms it when the port's queue passes its high watermark and disarms it when the queue
   * falls back below the low one; here it is armed past `busyLimit` and disarmed when the queue
   * has drained, or is below `busyLimit` when it fires. erl's default is `infinity`, because a busy
   * distribution port (`dist_buf_busy_limit`) suspends the senders and so bounds the queue; `send`
   * here cannot wait, so the default is 60,000 ms (erl's net_ticktime: as long as a silent peer is
   * given). erl's ticker does not catch this peer: it closes only a connection nothing is read
   * from. `Infinity` never closes (the queue is still bounded by `maxQueued`).
   */
  sendTimeout?: number;
  /** Limits for decoding the peer's terms. */
  decode?: DecodeOptions;
}

export interface ConnectionOptions extends ConnectionLimits {
  /** The peer's node name. */
  peer: string;
  socket: Socket;
  /** Bytes that arrived behind the handshake. */
  leftover?: Buffer;
  /** The flags both sides set. */
  flags: bigint;
  /** net_ticktime in ms (default 60,000); ticks go out every tickTime / tickIntensity. */
  tickTime?: number;
  /** net_tickintensity (default 4): intervals without a byte from the peer before it is down. */
  tickIntensity?: number;
}

/** Why a connection ended: `'closed'` (by us), `'peer_closed'`, `'net_tick_timeout'`, or an error. */
export type CloseReason = 'closed' | 'peer_closed' | 'net_tick_timeout' | Error;

const TICK = Buffer.alloc(4);
/** The last {@link Connection.connectionId} handed out: ids are unique in this process, so per node too. */
let lastConnectionId = 0;
/** Queued output at or above this size is written at once, without copying it into one buffer. */
const FLUSH_BYTES = 64 * 1024;
/** Chunks smaller than this are copied into one buffer with their neighbours before writing. */
const COPY_BELOW = 8 * 1024;

/** The events of a {@link Connection}: each message, `'drain'` after busy, and `'close'` once. */
export interface ConnectionEvents {
  message: [message: DistMessage];
  drain: [];
  close: [reason: CloseReason];
}

/** How long reading one peer's bytes may hold the event loop before the others get a turn, ms. */
const READ_SLICE_MS = 10;

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly peer: string;
  readonly flags: bigint;
  /**
   * A number no other connection of this process has (so none of this node's either), as
   * net_kernel's `connection_id`: tells a peer's connections apart across reconnects.
   */
  readonly connectionId: number;
  private readonly socket: Socket;
  private readonly frames: PacketReader;
  private readonly reader: MessageReader;
  private readonly writer: MessageWriter;
  private readonly busyLimit: number;
  private readonly maxQueued: number;
  private readonly sendTimeout: number;
  /** Armed while more than busyLimit bytes are queued (see {@link ConnectionLimits.sendTimeout}). */
  private sendTimer: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private readBytes = 0;
  private silentIntervals = 0;
  /** Time spent reading since the last yield ({@link yieldReading}). */
  private readingMs = 0;
  private wroteSinceTick = false;
  private closed = false;
  /** Frames sent since the last flush: written together, one write per turn of the event loop. */
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private readonly flushLater = () => {
    this.flushScheduled = false;
    this.flush();
  };

  constructor(options: ConnectionOptions) {
    super();
    this.peer = options.peer;
    this.flags = options.flags;
    this.connectionId = ++lastConnectionId;
    this.socket = options.socket;
    this.busyLimit = options.busyLimit ?? 1 << 20;
    this.maxQueued = options.maxQueued ?? 64 << 20;
    this.sendTimeout = options.sendTimeout ?? 60_000;
    const headers = (options.flags & (DistFlag.DIST_HDR_ATOM_CACHE | DistFlag.FRAGMENTS)) !== 0n;
    this.frames = new PacketReader(options.maxFrame ?? 256 << 20);
    this.reader = new MessageReader({ headers, maxFragmentBytes: options.maxFragmentBytes ?? 256 << 20, decode: options.decode });
    this.writer = new MessageWriter({
      headers,
      atomCache: (options.flags & DistFlag.DIST_HDR_ATOM_CACHE) !== 0n,
      fragments: (options.flags & DistFlag.FRAGMENTS) !== 0n,
    });
    const tickTime = options.tickTime ?? 60_000;
    const intensity = options.tickIntensity ?? 4;
    this.timer = setInterval(() => this.tick(intensity), Math.max(1, Math.floor(tickTime / intensity)));
    this.timer.unref();

    this.socket.setNoDelay(true);
    // Each read is a new Buffer from Node, which the frames, fragments and binaries received may
    // keep views of. Node's `onread` (reads into one reused buffer) is an option of the Socket
    // constructor only: sockets accepted by net.Server or tls.Server, and sockets the handshake
    // has already read, cannot be given one.
    this.socket.on('data', (chunk: Buffer) => this.received(chunk));
    // A reset by the peer (it died with our bytes unread, say) is the peer closing, not a protocol error.
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.close(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'peer_closed' : err));
    this.socket.on('close', () => this.close('peer_closed'));
    this.socket.on('drain', () => {
      this.disarmSendTimer();
      this.emit('drain');
    });
    if (options.leftover && options.leftover.length > 0) {
      const leftover = options.leftover;
      queueMicrotask(() => this.received(leftover));
    }
    this.socket.resume();
  }

  /**
   * Send a control message (and payload). Returns false when more than `busyLimit` bytes wait to
   * be written: wait for {@link drained} before sending more. Throws a `DistError` `closed` when
   * the connection is closed, or when the queue is past `maxQueued`: then this closes it (reason
   * `overloaded`).
   */
  send(control: Term, payload?: Term): boolean {
    if (this.closed) throw new DistError('closed', `connection to ${this.peer} is closed`);
    if (this.socket.writableLength > this.maxQueued) {
      // A peer this far behind will not catch up: the connection goes down now (logged, with
      // nodedown), as at the send timeout, and this send is lost with it, as any on a lost connection.
      this.close(new DistError('overloaded', `more than ${this.maxQueued} bytes queued for ${this.peer}`));
      throw new DistError('closed', `connection to ${this.peer} is closed: more than ${this.maxQueued} bytes were queued`);
    }
    const chunks = this.writer.write(control, payload);
    for (const c of chunks) {
      this.out.push(c);
      this.outBytes += c.length;
    }
    // A write per message costs a system call each; erl fills its output buffer instead. Gather
    // what is sent in one turn of the event loop (a burst of sends, or everything the input just
    // read causes, promise continuations included) and write it once, right after the I/O
    // callbacks of this turn and before the loop waits again.
    if (this.outBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushLater);
    }
    this.wroteSinceTick = true;
    if (this.socket.writableLength + this.outBytes <= this.busyLimit) return true;
    this.armSendTimer();
    return false;
  }

  private armSendTimer(): void {
    if (this.sendTimer !== undefined || !Number.isFinite(this.sendTimeout)) return;
    this.sendTimer = setTimeout(() => {
      this.sendTimer = undefined;
      // Below the limit now without having drained: still moving, so not stuck.
      if (this.socket.writableLength + this.outBytes <= this.busyLimit) return;
      this.close(
        new DistError('send_timeout', `${this.peer} read too little: more than ${this.busyLimit} bytes stayed queued for ${this.sendTimeout} ms`),
      );
    }, this.sendTimeout);
    this.sendTimer.unref();
  }

  private disarmSendTimer(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
  }

  /** Write the frames gathered so far: small ones copied into one buffer, large ones as they are. */
  private flush(): void {
    if (this.out.length === 0 || this.closed || !this.socket.writable) return;
    const out = this.out;
    const bytes = this.outBytes;
    this.out = [];
    this.outBytes = 0;
    if (bytes < FLUSH_BYTES) {
      this.socket.write(out.length === 1 ? out[0] : Buffer.concat(out, bytes));
      return;
    }
    // Runs of small chunks are copied together (a writev entry costs more than copying a few KiB);
    // large chunks (fragments, big payloads) go out as they are.
    this.socket.cork();
    let run = 0;
    for (let i = 0; i <= out.length; i++) {
      if (i < out.length && out[i].length < COPY_BELOW) continue;
      if (i - run === 1) this.socket.write(out[run]);
      else if (i - run > 1) this.socket.write(Buffer.concat(out.slice(run, i)));
      if (i < out.length) this.socket.write(out[i]);
      run = i + 1;
    }
    this.socket.uncork();
  }

  /** Resolves once the queued bytes are below `busyLimit` (or the connection has closed). */
  drained(): Promise<void> {
    if (this.closed || this.socket.writableLength <= this.busyLimit) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.off('drain', done);
        this.off('close', done);
        resolve();
      };
      this.on('drain', done);
      this.on('close', done);
    });
  }

  /** Close the connection; `'close'` is emitted once with `reason`. */
  close(reason: CloseReason = 'closed'): void {
    if (this.closed) return;
    // What was sent before a clean close still goes out.
    if (reason === 'closed') this.flush();
    this.closed = true;
    clearInterval(this.timer);
    this.disarmSendTimer();
    if (reason instanceof Error) this.socket.destroy();
    // end() on a socket the peer has already closed builds an error with a stack, for nothing.
    else if (!this.socket.closed) this.socket.end();
    // A peer that never answers our FIN must not keep the socket. The timer goes once the socket
    // has closed (none is set when it has already: the peer closed first), or it would keep this
    // connection (atom caches, buffers: about 90 KB) alive for its 5 s.
    if (!this.socket.closed) {
      const destroyLater = setTimeout(() => this.socket.destroy(), 5000).unref();
      this.socket.once('close', () => clearTimeout(destroyLater));
    }
    this.emit('close', reason);
  }

  /**
   * A visible connection: both sides announced PUBLISHED. erl's `nodes()` lists the peers of
   * visible connections, `nodes(hidden)` the others; global and pg react to visible ones only.
   */
  get visible(): boolean {
    return (this.flags & DistFlag.PUBLISHED) !== 0n;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private received(chunk: Buffer): void {
    if (this.closed) return;
    const started = performance.now();
    this.readBytes += chunk.length;
    let message: DistMessage | null;
    try {
      for (const frame of this.frames.pushParts(chunk)) {
        message = this.reader.read(frame);
        if (message !== null) this.emit('message', message);
        if (this.closed) return;
      }
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.readingMs += performance.now() - started;
    if (this.readingMs > READ_SLICE_MS && !this.closed) this.yieldReading();
  }

  /**
   * libuv reads a socket that stays readable up to 32 times in one turn of the event loop, so a peer
   * that keeps ours full (a flood of costly terms) would hold the loop for all of them while the
   * other connections and timers wait. After a slice of reading, let them run first.
   */
  private yieldReading(): void {
    this.readingMs = 0;
    this.socket.pause();
    setImmediate(() => {
      if (!this.closed) this.socket.resume();
    });
  }

  /** Every tickTime / intensity: tick if we wrote nothing, and count intervals the peer was silent. */
  private tick(intensity: number): void {
    if (this.closed) return;
    if (this.readBytes === 0) {
      this.silentIntervals += 1;
      if (this.silentIntervals >= intensity) {
        this.close('net_tick_timeout');
        return;
      }
    } else {
      this.silentIntervals = 0;
    }
    this.readBytes = 0;
    if (!this.wroteSinceTick) {
      this.flush();
      this.socket.write(TICK);
    }
    this.wroteSinceTick = false;
  }
}
