/**
 * The node's connections to other nodes, as net_kernel keeps them: one per peer, set up on
 * demand by whatever first sends to it, accepted from peers that dial us, with net_kernel's rules
 * for simultaneous connects and restarts, and an outbox that keeps signals to a node in order
 * while its connection is being set up.
 */
import { EventEmitter } from 'events';
import type * as net from 'net';
import { AtomLimitError, Term } from '../../codec';
import {
  acceptHandshake,
  connectToNode,
  CookieSource,
  DialCache,
  DistTransport,
  HandshakeRefusedError,
  HandshakeResult,
  simultaneousConnectStatus,
} from '../../handshake';
import { CloseReason, Connection, ConnectionLimits } from '../dist/connection';
import { DistError } from '../dist/errors';
import { DistMessage } from '../dist/message-reader';
import { RateLimitedLog } from '../process/rate-limited-log';

/** What the peers of a node share: who we are and how connections are made. */
export interface PeersOptions {
  name: string;
  cookie: CookieSource;
  creation: number;
  flags: bigint;
  epmdPort?: number;
  /** net_ticktime in ms. */
  tickTime?: number;
  limits?: ConnectionLimits;
  /** Handshake step timeout (net_setuptime), ms. */
  setupTimeout?: number;
  /** What connections run over. Default: TCP. */
  transport?: DistTransport;
  /** Handshakes of accepted sockets that may run at once; more sockets are closed at once. Default 1024. */
  maxPendingHandshakes?: number;
  log: (line: string) => void;
}

/** The events of {@link Peers}. */
export interface PeersEvents {
  nodeup: [peer: string, connection: Connection];
  nodedown: [peer: string, reason: string, connection: Connection];
  /** A control message from a peer; throwing closes that connection (logged once, with the reason). */
  message: [connection: Connection, message: DistMessage];
}

/** Builds one control message for a connection from its negotiated flags; null sends nothing. */
export type SignalBuilder = (flags: bigint) => [Term, Term?] | null;

const DEFAULT_SETUP_TIMEOUT = 7000;
const DEFAULT_MAX_PENDING_HANDSHAKES = 1024;

export class Peers extends EventEmitter<PeersEvents> {
  private readonly connections = new Map<string, Connection>();
  /** Peers that keep sending new atoms at a full table may reconnect and do it again: a few lines. */
  private readonly atomLimitLog = new RateLimitedLog((line) => this.options.log(line));
  private readonly dialing = new Map<string, Promise<Connection>>();
  /**
   * Handshakes from peers we answered `ok`, until they end (the connection, or null on failure):
   * like net_kernel, a connect to such a peer waits for that connection instead of dialing.
   */
  private readonly accepting = new Map<string, Promise<Connection | null>>();
  /** Signals for nodes we are still connecting to, in order. */
  private readonly outbox = new Map<string, Array<(conn: Connection | null) => void>>();
  /** Peers' addresses and ports from earlier dials: a reconnect skips the host lookup and EPMD. */
  private readonly dialCache = new DialCache();
  /** Accepted sockets still in their handshake. */
  private pendingHandshakes = 0;
  /**
   * Refused handshakes and sockets: anyone who can reach the port can cause them, a thousand a
   * second, so a few lines say so and then how many were left out.
   */
  private readonly refusals: RateLimitedLog;
  private stopped = false;

  constructor(private readonly options: PeersOptions) {
    super();
    this.refusals = new RateLimitedLog(options.log);
  }

  /** Names of the nodes connected now. */
  nodes(): string[] {
    return [...this.connections.keys()];
  }

  /** The connection to `peer` if there is one now. */
  get(peer: string): Connection | undefined {
    return this.connections.get(peer);
  }

  /** The connection to `peer` when a signal can go on it now: up, and nothing queued for it before. */
  ready(peer: string): Connection | undefined {
    return this.outbox.has(peer) ? undefined : this.connections.get(peer);
  }

  /** The connection to `peer`, set up when there is none (as any send to a node does in Erlang). */
  connect(peer: string): Promise<Connection> {
    const up = this.connections.get(peer);
    if (up) return Promise.resolve(up);
    const going = this.dialing.get(peer);
    if (going) return going;
    const incoming = this.accepting.get(peer);
    if (incoming) return incoming.then((conn) => conn ?? this.connect(peer));
    const attempt = this.dial(peer).finally(() => this.dialing.delete(peer));
    this.dialing.set(peer, attempt);
    return attempt;
  }

  /**
   * Send one control message to `node`, connecting first when needed (in order with what is
   * already waiting); `onNoConnection` runs when it cannot be delivered.
   */
  signal(node: string, build: SignalBuilder, onNoConnection?: () => void): void {
    const deliver = (conn: Connection | null) => {
      if (conn === null || conn.isClosed) return onNoConnection?.();
      const message = build(conn.flags);
      if (message === null) return;
      try {
        conn.send(message[0], message[1]);
      } catch (err) {
        if (err instanceof DistError && err.code === 'closed') onNoConnection?.();
        else throw err;
      }
    };
    const up = this.connections.get(node);
    const waiting = this.outbox.get(node);
    if (up && !waiting) return deliver(up);
    if (waiting) {
      waiting.push(deliver);
      return;
    }
    const queue = [deliver];
    this.outbox.set(node, queue);
    this.connect(node).then(
      (conn) => this.flush(node, queue, conn),
      () => this.flush(node, queue, null),
    );
  }

  /** A socket a peer opened to our listener: run the acceptor handshake on it. */
  async accept(socket: net.Socket): Promise<void> {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    const maxPending = this.options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES;
    if (this.pendingHandshakes >= maxPending) {
      // Each waits up to setupTimeout per step holding a descriptor; beyond the cap, an idle or
      // slow flood would take every descriptor the process has (and then accept fails for all).
      socket.destroy();
      this.refusals.log(`refused a connection from ${from}: ${maxPending} handshakes are pending (maxPendingHandshakes)`);
      return;
    }
    this.pendingHandshakes++;
    let settle: ((conn: Connection | null) => void) | undefined;
    let peer = '';
    try {
      const result = await acceptHandshake(socket, {
        ...this.handshakeOptions(),
        handshakePrefixWidth: this.options.transport?.handshakePrefixWidth ?? 2,
        decideStatus: ({ name }) => {
          if (this.connections.has(name)) return 'alive';
          if (this.dialing.has(name)) return simultaneousConnectStatus(this.options.name, name);
          if (!this.accepting.has(name)) {
            peer = name;
            this.accepting.set(name, new Promise((resolve) => (settle = resolve)));
          }
          return 'ok';
        },
        onAliveConfirmed: (name) => this.connections.get(name)?.close('closed'),
      });
      const conn = this.established(result);
      settle?.(conn);
    } catch (err) {
      settle?.(null);
      this.refusals.log(`refused a connection from ${from}: ${(err as Error).message}`);
    } finally {
      this.pendingHandshakes--;
      if (settle) this.accepting.delete(peer);
    }
  }

  /** Close every connection; later sockets are refused. */
  close(): void {
    this.stopped = true;
    for (const c of this.connections.values()) c.close();
  }

  private handshakeOptions() {
    const { name, cookie, creation, flags, setupTimeout } = this.options;
    return { ourName: name, cookie, creation, flags, timeout: setupTimeout };
  }

  private async dial(peer: string): Promise<Connection> {
    try {
      const result = await connectToNode(peer, {
        ...this.handshakeOptions(),
        epmdPort: this.options.epmdPort,
        transport: this.options.transport,
        cache: this.dialCache,
        onAlive: () => !this.connections.has(peer),
      });
      return this.established(result);
    } catch (err) {
      // Simultaneous connect lost (nok), or the peer's attempt to us is already up (alive, and we
      // answered false as net_kernel does): the peer's own connection is the one.
      if (err instanceof HandshakeRefusedError && (err.status === 'nok' || err.status === 'alive')) return this.awaitIncoming(peer);
      throw err;
    }
  }

  private awaitIncoming(peer: string): Promise<Connection> {
    const up = this.connections.get(peer);
    if (up) return Promise.resolve(up);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('nodeup', onUp);
        reject(new Error(`simultaneous connect with ${peer}: its connection never came`));
      }, this.options.setupTimeout ?? DEFAULT_SETUP_TIMEOUT);
      const onUp = (name: string) => {
        if (name !== peer) return;
        clearTimeout(timer);
        this.off('nodeup', onUp);
        resolve(this.connections.get(peer) as Connection);
      };
      this.on('nodeup', onUp);
    });
  }

  private established(result: HandshakeResult): Connection {
    const conn = new Connection({
      ...this.options.limits,
      peer: result.peerName,
      socket: result.socket,
      leftover: result.leftover,
      flags: result.negotiatedFlags,
      tickTime: this.options.tickTime,
    });
    this.connections.get(result.peerName)?.close('closed');
    this.connections.set(result.peerName, conn);
    conn.on('message', (m) => {
      try {
        this.emit('message', conn, m);
      } catch (err) {
        // The close handler logs it, once, with the peer's name.
        conn.close(err instanceof Error ? err : new Error(String(err)));
      }
    });
    conn.on('close', (reason: CloseReason) => {
      if (this.connections.get(conn.peer) === conn) this.connections.delete(conn.peer);
      if (reason instanceof Error) {
        const line = `connection to ${conn.peer} closed: ${reason.message}`;
        if (reason instanceof AtomLimitError) this.atomLimitLog.log(line);
        else this.options.log(line);
      }
      this.emit('nodedown', conn.peer, reason instanceof Error ? reason.message : reason, conn);
    });
    this.emit('nodeup', conn.peer, conn);
    return conn;
  }

  private flush(node: string, queue: Array<(conn: Connection | null) => void>, conn: Connection | null): void {
    this.outbox.delete(node);
    for (const deliver of queue) deliver(conn);
  }
}
