/**
 * A node of an Erlang cluster: registers with EPMD (starting the embedded one when none listens),
 * accepts and initiates distribution connections, answers net_kernel's `is_auth` (ping), and
 * treats every signal for a process it does not have the way BEAM treats a dead process.
 */
import { EventEmitter } from 'events';
import * as net from 'net';
import { Atom, atom, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import {
  acceptHandshake,
  advertisedFlags,
  connectToNode,
  CookieSource,
  ensureEpmd,
  EnsuredEpmd,
  EpmdRegistration,
  HandshakeRefusedError,
  HandshakeResult,
  makeNodeName,
  registerNode,
  resolveCookie,
  simultaneousConnectStatus,
} from '../../handshake';
import { CloseReason, Connection, ConnectionLimits } from '../dist/connection';
import { DistError } from '../dist/errors';
import { DistMessage } from '../dist/message-reader';
import { exitReasonOf } from '../process/exceptions';
import { genReply } from '../process/gen-reply';
import { Destination, ErlProcess, pidKey, refKey } from '../process/process';
import { ProcessTable } from '../process/table';
import { ModuleRegistry } from '../rpc/modules';
import { RexServer } from '../rpc/rex';
import { SpawnService } from '../rpc/spawn-service';
import { ControlOp } from './control';
import { runGroupLeader } from './group-leader';
import { dispatch, Services, SpawnRequest } from './dispatch';
import { OutgoingSignals } from './remote-signals';

export interface NodeOptions {
  /** `ts` (the host is added) or `ts@host`. */
  name: string;
  /** `-name` (fully qualified host) instead of `-sname`. */
  longNames?: boolean;
  /** The cookie text, a Cookie, or per-node cookies. Default: `ERLANG_COOKIE`, else `~/.erlang.cookie`. */
  cookie?: string | CookieSource;
  /** EPMD port. Default `ERL_EPMD_PORT`, else 4369. */
  epmdPort?: number;
  /** Announce PUBLISHED (a visible node). Default hidden: see the handshake layer. */
  visible?: boolean;
  /** Port to accept distribution connections on. Default: any free port. */
  listenPort?: number;
  /** net_ticktime in ms. Default 60,000. */
  tickTime?: number;
  /** Per-connection limits. */
  limits?: ConnectionLimits;
  /** Handshake step timeout (net_setuptime), ms. Default 7000. */
  setupTimeout?: number;
  /** Where log lines go. Default: stderr. Cookies never appear in them. */
  log?: (line: string) => void;
  /** Where output that remote calls print through this node goes. Default: stdout. */
  output?: (text: string) => void;
}

const NET_KERNEL = atom('net_kernel');
const REX = atom('rex');
const GEN_CALL = atom('$gen_call');
const IS_AUTH = atom('is_auth');
const YES = atom('yes');
const OK = atom('ok');
const ERROR = atom('error');
const SPAWN_REPLY = atom('spawn_reply');

/** Options of {@link ErlNode.spawn}. */
export interface SpawnOptions {
  /** Register the process under this name. */
  name?: string;
  /** Turn exit signals into `{'EXIT', From, Reason}` messages. */
  trapExit?: boolean;
  /** Link the new process to this one (`spawn_link`). */
  link?: ErlProcess;
}

/**
 * Events: `'nodeup'` (peer name), `'nodedown'` (peer name, reason).
 */
export class ErlNode extends EventEmitter {
  readonly name: string;
  readonly nameAtom: Atom;
  readonly creation: number;
  private readonly cookie: CookieSource;
  private readonly flags: bigint;
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<string, Promise<Connection>>();
  /**
   * Handshakes from peers we answered `ok`, until they end (the connection, or null on failure):
   * like net_kernel, a connect to such a peer waits for that connection instead of dialing.
   */
  private readonly accepting = new Map<string, Promise<Connection | null>>();
  /** Signals for nodes we are still connecting to, in order. */
  private readonly outbox = new Map<string, Array<(conn: Connection | null) => void>>();
  /** The processes of this node. */
  readonly processes: ProcessTable;
  private readonly outgoing: OutgoingSignals;
  /** Our spawn requests still waiting for their SPAWN_REPLY, by ReqId. */
  private readonly pendingSpawns = new Map<string, { proc: ErlProcess; reqId: Reference; node: string }>();
  /** The sender of messages the program sends from no process of its own. */
  private readonly system: ErlProcess;
  private readonly services: Services;
  /** The Erlang modules this node serves to `rpc:call`, `erpc`, `spawn/4` and `spawn/2`. */
  readonly modules = new ModuleRegistry();
  /** The group leader this node gives remote calls, so their output never blocks. */
  readonly groupLeader: ErlProcess;
  private readonly spawnService: SpawnService;
  private readonly rex: RexServer;
  private stopped = false;

  private constructor(
    private readonly options: NodeOptions,
    name: string,
    cookie: CookieSource,
    private readonly server: net.Server,
    private readonly registration: EpmdRegistration,
    /** The EPMD this node found or started. */
    readonly epmd: EnsuredEpmd,
  ) {
    super();
    this.name = name;
    this.nameAtom = atom(name);
    this.creation = registration.creation;
    this.cookie = cookie;
    this.flags = advertisedFlags({ visible: options.visible === true });
    this.outgoing = new OutgoingSignals((node, build, onFail) => this.signal(node, build, onFail));
    this.processes = new ProcessTable(this.nameAtom, this.creation, this.outgoing);
    this.system = this.processes.create();
    this.spawnService = new SpawnService(this.processes, this.modules);
    this.rex = new RexServer(this.modules, this.nameAtom, () => this.processes.create(), (to, tag, reply) => genReply(this.system, to, tag, reply));
    this.groupLeader = this.spawn((self) => runGroupLeader(self, options.output ?? ((text) => process.stdout.write(text))));
    this.services = {
      registeredSend: (_from, name, message) => this.builtinRegisteredSend(name, message),
      monitorsBuiltin: (name) => name === NET_KERNEL || name === REX,
      spawnRequest: (conn, request) => this.serveSpawnRequest(conn, request),
      spawnReply: (reqId, to, flags, result) => this.spawnReply(reqId, to, flags, result),
    };
    server.on('connection', (socket) => void this.accept(socket));
    registration.closed.then(() => {
      if (!this.stopped) this.log('EPMD closed our registration; other nodes can no longer find us');
    });
  }

  /** Start a node: EPMD (found or started), a listener, and the registration. */
  static async start(options: NodeOptions): Promise<ErlNode> {
    const nodeName = await makeNodeName(options.name, options.longNames ? 'long' : 'short');
    const cookie =
      typeof options.cookie === 'string' ? resolveCookie({ cookie: options.cookie }) : (options.cookie ?? resolveCookie());
    const epmd = await ensureEpmd({ port: options.epmdPort });
    const server = net.createServer({ noDelay: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    let registration: EpmdRegistration;
    try {
      registration = await registerNode(nodeName.alive, port, { port: epmd.port });
    } catch (err) {
      server.close();
      throw err;
    }
    return new ErlNode(options, nodeName.full, cookie, server, registration, epmd);
  }

  /** Names of the nodes connected now. */
  nodes(): string[] {
    return [...this.connections.keys()];
  }

  /** The connection to `peer`, set up when there is none (as any send to a node does in Erlang). */
  connect(peer: string): Promise<Connection> {
    const up = this.connections.get(peer);
    if (up) return Promise.resolve(up);
    const going = this.pending.get(peer);
    if (going) return going;
    const incoming = this.accepting.get(peer);
    if (incoming) return incoming.then((conn) => conn ?? this.connect(peer));
    const attempt = this.dial(peer).finally(() => this.pending.delete(peer));
    this.pending.set(peer, attempt);
    return attempt;
  }

  /** `net_adm:ping(Peer)`: `'pong'` when the node answers, `'pang'` otherwise. */
  async ping(peer: string, timeoutMs = 10_000): Promise<'pong' | 'pang'> {
    try {
      await this.connect(peer);
    } catch {
      return 'pang';
    }
    const self = this.processes.create();
    const ref = this.processes.makeRef();
    const down = () => self.exit(atom('noconnection'));
    const onDown = (name: string) => name === peer && down();
    this.on('nodedown', onDown);
    try {
      self.send([NET_KERNEL, peer], tuple(GEN_CALL, tuple(self.pid, ref), tuple(IS_AUTH, this.nameAtom)));
      const answer = await self.receive(
        (m) => (m instanceof Tuple && m.length === 2 && m.get(0) instanceof Reference && (m.get(0) as Reference).ids.join() === ref.ids.join() ? m.get(1) : undefined),
        { timeout: timeoutMs },
      );
      return answer === YES ? 'pong' : 'pang';
    } catch {
      return 'pang';
    } finally {
      this.off('nodedown', onDown);
      self.exit();
    }
  }

  /**
   * Start a TypeScript process. `body` runs with the process; when it returns the process exits
   * `normal`, when it throws the process exits with the error's reason (see `ErlangExit`). Without
   * a body the process lives until `exit()` is called on it.
   */
  spawn(body?: (self: ErlProcess) => unknown, options: SpawnOptions = {}): ErlProcess {
    const proc = this.processes.create();
    proc.trapExit = options.trapExit === true;
    if (options.name !== undefined && !this.processes.register(atom(options.name), proc)) {
      proc.exit();
      throw new Error(`badarg: the name ${options.name} is already registered`);
    }
    if (options.link) options.link.link(proc.pid);
    if (body) {
      // Run after the caller has the handle, as spawn returns before the process runs.
      queueMicrotask(async () => {
        try {
          await body(proc);
          proc.exit();
        } catch (err) {
          proc.exit(exitReasonOf(err));
        }
      });
    }
    return proc;
  }

  /** `register(Name, Proc)`; throws like Erlang's badarg when the name is taken. */
  register(name: string, proc: ErlProcess): void {
    if (!this.processes.register(atom(name), proc)) throw new Error(`badarg: cannot register ${name}`);
  }

  /** The local process registered as `name`. */
  whereis(name: string): ErlProcess | undefined {
    return this.processes.whereis(atom(name));
  }

  /** Send from the node itself (no process of the program's). */
  send(to: Destination, message: Term): void {
    this.system.send(to, message);
  }

  /**
   * `spawn_request(Node, M, F, Args, Opts)` from `proc`. The answer arrives in `proc`'s mailbox
   * as `{spawn_reply, ReqId, ok, Pid}` or `{spawn_reply, ReqId, error, Reason}` (`noconnection`
   * when the node cannot be reached); with `monitor` the spawned process's end arrives as
   * `{'DOWN', ReqId, process, Pid, Reason}`, and with `link` it is linked to `proc`.
   * `groupLeader` defaults to this node's group leader, which answers the io protocol.
   */
  spawnRequest(
    proc: ErlProcess,
    node: string,
    module: string,
    fn: string,
    args: Term[],
    options: { link?: boolean; monitor?: boolean; groupLeader?: Pid; extra?: Term[] } = {},
  ): Reference {
    const reqId = this.processes.makeRef();
    const opts: Term[] = [...(options.link ? [atom('link')] : []), ...(options.monitor ? [atom('monitor')] : []), ...(options.extra ?? [])];
    const control = tuple(ControlOp.SpawnRequest, reqId, proc.pid, options.groupLeader ?? this.groupLeader.pid, tuple(atom(module), atom(fn), args.length), opts);
    const key = refKey(reqId);
    this.pendingSpawns.set(key, { proc, reqId, node });
    this.signal(node, () => [control, args], () => this.spawnFailed(key, atom('noconnection')));
    return reqId;
  }

  /** A spawn request that can no longer be answered by its node: `{spawn_reply, ReqId, error, Reason}`. */
  private spawnFailed(key: string, reason: Term): void {
    const pending = this.pendingSpawns.get(key);
    if (!pending) return;
    this.pendingSpawns.delete(key);
    pending.proc.deliver(tuple(SPAWN_REPLY, pending.reqId, ERROR, reason));
  }

  /** Leave: unregister from EPMD, close every connection and the listener. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.connections.values()) c.close();
    await this.registration.unregister();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`erlbridge ${this.name}: ${l}\n`)))(line);
  }

  private handshakeOptions() {
    return { ourName: this.name, cookie: this.cookie, creation: this.creation, flags: this.flags, timeout: this.options.setupTimeout };
  }

  private async dial(peer: string): Promise<Connection> {
    try {
      const result = await connectToNode(peer, { ...this.handshakeOptions(), epmdPort: this.options.epmdPort, onAlive: () => !this.connections.has(peer) });
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
      }, this.options.setupTimeout ?? 7000);
      const onUp = (name: string) => {
        if (name !== peer) return;
        clearTimeout(timer);
        this.off('nodeup', onUp);
        resolve(this.connections.get(peer) as Connection);
      };
      this.on('nodeup', onUp);
    });
  }

  private async accept(socket: net.Socket): Promise<void> {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    let settle: ((conn: Connection | null) => void) | undefined;
    let peer = '';
    try {
      const result = await acceptHandshake(socket, {
        ...this.handshakeOptions(),
        decideStatus: ({ name }) => {
          if (this.connections.has(name)) return 'alive';
          if (this.pending.has(name)) return simultaneousConnectStatus(this.name, name);
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
      this.log(`refused a connection from ${from}: ${(err as Error).message}`);
    } finally {
      if (settle) this.accepting.delete(peer);
    }
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
    const old = this.connections.get(result.peerName);
    if (old) old.close('closed');
    this.connections.set(result.peerName, conn);
    conn.on('message', (m: DistMessage) => {
      try {
        dispatch(this.processes, this.services, conn, m);
      } catch (err) {
        // The close handler logs it, once, with the peer's name.
        conn.close(err instanceof Error ? err : new Error(String(err)));
      }
    });
    conn.on('close', (reason: CloseReason) => {
      if (this.connections.get(conn.peer) === conn) this.connections.delete(conn.peer);
      if (reason instanceof Error) this.log(`connection to ${conn.peer} closed: ${reason.message}`);
      this.processes.nodeDown(conn.peer);
      for (const [key, pending] of [...this.pendingSpawns]) if (pending.node === conn.peer) this.spawnFailed(key, atom('noconnection'));
      this.emit('nodedown', conn.peer, reason instanceof Error ? reason.message : reason);
    });
    this.emit('nodeup', conn.peer);
    return conn;
  }

  /**
   * Send one control message to `node`, connecting first when needed (in order with what is
   * already waiting); `build` picks the form from the negotiated flags and may return null to
   * send nothing.
   */
  private signal(node: string, build: (flags: bigint) => [Term, Term?] | null, onNoConnection?: () => void): void {
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

  private flush(node: string, queue: Array<(conn: Connection | null) => void>, conn: Connection | null): void {
    this.outbox.delete(node);
    for (const deliver of queue) deliver(conn);
  }

  /** net_kernel answers `is_auth` (net_adm:ping); rex serves old-style rpc. */
  private builtinRegisteredSend(name: Atom, message: Term): boolean {
    if (name === REX) {
      this.rex.handle(message);
      return true;
    }
    if (name !== NET_KERNEL) return false;
    if (!(message instanceof Tuple) || message.length !== 3 || message.get(0) !== GEN_CALL) return true;
    const replyTo = message.get(1);
    const request = message.get(2);
    if (!(replyTo instanceof Tuple) || replyTo.length !== 2 || !(request instanceof Tuple) || request.get(0) !== IS_AUTH) return true;
    genReply(this.system, replyTo.get(0), replyTo.get(1), YES);
    return true;
  }

  /** erpc calls, `spawn/4` and `spawn/2` from other nodes, answered on the connection they came on. */
  private serveSpawnRequest(conn: Connection, request: SpawnRequest): void {
    this.spawnService.handle(request, (flags, result) => {
      if (!conn.isClosed) conn.send(tuple(ControlOp.SpawnReply, request.reqId, request.from, flags, result));
    });
  }

  /**
   * A reply to our SPAWN_REQUEST: `{spawn_reply, ReqId, ok | error, PidOrReason}` to the
   * requester, as BEAM does. When the requester is gone the new process is abandoned: its
   * monitor is taken back and its link broken with `abandoned`.
   */
  private spawnReply(reqId: Reference, to: Pid, flags: number, result: Term): void {
    this.pendingSpawns.delete(refKey(reqId));
    const proc = this.processes.get(to);
    if (!(result instanceof Pid)) {
      proc?.deliver(tuple(SPAWN_REPLY, reqId, ERROR, result));
      return;
    }
    if (!proc || !proc.alive) {
      if (flags & 2) this.outgoing.demonitor(to, result, result.node.name, reqId);
      if (flags & 1) this.outgoing.exit(to, result, atom('abandoned'), false);
      return;
    }
    if (flags & 1) proc.links.set(pidKey(result), result);
    if (flags & 2) proc.holdMonitor(reqId, result);
    proc.deliver(tuple(SPAWN_REPLY, reqId, OK, result));
  }
}
