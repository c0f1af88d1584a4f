/**
 * A node of an Erlang cluster: registers with EPMD (starting the embedded one when none listens),
 * accepts and initiates distribution connections (visible by default, as erl's are), and runs the node's processes and built-in
 * servers. This is the facade: connections are in `peers`, built-in servers in `builtins`,
 * message routing in `dispatch`, calls and remote spawn in the rpc layer.
 */
import { EventEmitter } from 'events';
import { Atom, atom, Pid, Reference, Term, tuple } from '../../codec';
import {
  advertisedFlags,
  CookieSource,
  DistListener,
  DistTransport,
  ensureEpmd,
  EnsuredEpmd,
  EpmdRegistration,
  listenInRange,
  randomCreation,
  makeNodeName,
  nameModeOf,
  registerNode,
  resolveCookie,
  resolveEpmdPort,
  SslDistOptions,
  tcpTransport,
  tlsTransport,
  tlsTransportFromOptfile,
} from '../../handshake';
import { Connection, ConnectionLimits } from '../dist/connection';
import { SpawnRequest } from '../dist/control';
import { genCall } from '../gen/call';
import { GenHost } from '../gen/server';
import { Deadline, WaitOptions } from '../process/deadline';
import { ErlangError } from '../process/exceptions';
import { RateLimitedLog } from '../process/rate-limited-log';
import { outcomeOf } from '../process/outcome';
import { Destination, ErlProcess } from '../process/process';
import { Pg } from '../pg/pg';
import { exitReported } from '../process/crash-report';
import { Logger, LogLevel } from '../process/logger';
import { checkMailboxLimits, MailboxLimits, MailboxReporting, MailboxWatch, mailboxWatch } from '../process/mailbox-limits';
import { ProcessTable } from '../process/table';
import { ErlClient, RpcHost } from '../rpc/client';
import { Global } from '../global/global';
import { resolveIt } from '../global/resolve';
import { GlobalServer } from '../global/server';
import { startGlobal } from '../global/start';
import { LoggedModuleRegistry } from '../rpc/logged-modules';
import { ModuleRegistry } from '../rpc/modules';
import { RemoteSpawns, SpawnRequestOptions } from '../rpc/remote-spawn';
import { RexServer } from '../rpc/rex';
import { ServedCalls } from '../rpc/served-calls';
import { ErpcCalls } from '../rpc/erpc-calls';
import { SpawnService } from '../rpc/spawn-service';
import { Builtins } from './builtins';
import { dispatch } from './dispatch';
import { runGroupLeader } from './group-leader';
import { netKernel } from './net-kernel';
import { Peers } from './peers';
import { OutgoingSignals } from './remote-signals';
import { BADARG, IS_AUTH, NET_KERNEL, REX, YES } from '../process/atoms';

const LOGGER = atom('logger');

export interface NodeOptions {
  /** `ts` (the host is added) or `ts@host`. */
  name: string;
  /**
   * `-name` (fully qualified host or IP address) instead of `-sname`. Default: what the host of
   * `name` is (`ts@10.0.0.5` and `ts@vm.example.com` are long, `ts@vm` short), else short.
   */
  longNames?: boolean;
  /** The cookie text, a Cookie, or per-node cookies. Default: `ERLANG_COOKIE`, else `~/.erlang.cookie`. */
  cookie?: string | CookieSource;
  /** EPMD port. Default `ERL_EPMD_PORT`, else 4369. */
  epmdPort?: number;
  /**
   * Announce PUBLISHED: a visible node, as erl is by default, so erl lists it in `nodes()` and
   * its global and pg talk to it. Default true; `visible: false` is `hidden: true`.
   */
  visible?: boolean;
  /**
   * erl's `-hidden`: announce no PUBLISHED, so every connection is hidden (erl lists the node in
   * `nodes(hidden)`, and global and pg leave it alone). Default false. Any request for hidden
   * wins: `hidden: true`, `visible: false` or `distListen: false` makes a hidden node whatever
   * the other two say.
   */
  hidden?: boolean;
  /**
   * erl's `-dist_listen`. Default true. False makes a node that only dials out, as `erl_call`'s
   * is: no listener, no EPMD registration, no EPMD started (peers are still looked up in theirs),
   * hidden, and with a random creation (4..2^32-1, as OTP picks for a node it does not register).
   * `listenPort` is then ignored.
   */
  distListen?: boolean;
  /** Port to accept distribution connections on. Default: any free port. */
  listenPort?: number;
  /**
   * Ports to accept distribution connections on, erl's `inet_dist_listen_min/max`: the lowest
   * free one of `[min, max]` is taken (so a firewall need open only these). Not with `listenPort`.
   */
  listenPortRange?: readonly [min: number, max: number];
  /**
   * The address to accept distribution connections on, erl's `inet_dist_use_interface`, e.g.
   * `'127.0.0.1'` for this machine alone. Default: all interfaces.
   */
  listenAddress?: string;
  /** What distribution connections run over. Default: TCP, or TLS when {@link tls} is given. */
  transport?: DistTransport;
  /**
   * TLS distribution, as erl's `-proto_dist inet_tls`: erl's `-ssl_dist_optfile` (`{ optfile }`)
   * or the same options as an object (see `tlsTransport`). Not together with `transport`.
   */
  tls?: { optfile: string } | SslDistOptions;
  /** net_ticktime in ms. Default 60,000. */
  tickTime?: number;
  /** Per-connection limits. */
  limits?: ConnectionLimits;
  /** Handshake step timeout (net_setuptime), ms. Default 7000. */
  setupTimeout?: number;
  /**
   * Handshakes of accepted sockets that may be in progress at once (each lasts at most a few
   * `setupTimeout`s); a socket beyond it is closed at once, and the refusals are logged
   * rate-limited. Bounds the memory and descriptors a flood of idle or slow connections can take.
   * erl has no such cap. Default 1024.
   */
  maxPendingHandshakes?: number;
  /**
   * Where the node's log events go, one call each, formatted as {@link logFormat} says (a text
   * event spans lines: erl's header, then the message). Default: stderr. Cookies never appear in them.
   */
  log?: (line: string) => void;
  /** The logger's primary level (`logger:set_primary_config(level, L)`), changeable at run time with `node.logger.setLevel`. Default `notice`, as erl's. */
  logLevel?: LogLevel;
  /** `text` (as erl's default handler writes events) or `json` (one object per line: time, level, node, pid, registered name, msg, the report's fields). Default `text`. */
  logFormat?: 'text' | 'json';
  /** Where output that remote calls print through this node goes. Default: stdout. */
  output?: (text: string) => void;
  /** Abandon starting: {@link ErlNode.start} rejects with `signal.reason` and leaves nothing behind. */
  signal?: AbortSignal;
  /** global keeps the cluster fully connected (erl's `-connect_all`). Default true. */
  connectAll?: boolean;
  /** global's `prevent_overlapping_partitions` (OTP 25+'s default). Default true. */
  preventOverlappingPartitions?: boolean;
  /**
   * The node's default mailbox limits ({@link MailboxLimits}): `warnLen` (default 10,000) applies
   * to every process of the node; `maxLen` (default none, as on BEAM) to the processes the program
   * spawns with {@link ErlNode.spawn} (gen_servers included), where {@link SpawnOptions.mailbox}
   * may set others. The node's own servers (group leader, global, pg, rpc) are never killed for
   * their queue, since a node whose machinery dies of a flood serves nobody; they only warn.
   */
  mailbox?: MailboxLimits;
}

/** Options of {@link ErlNode.spawn}. */
export interface SpawnOptions {
  /** Register the process under this name. */
  name?: string;
  /** Turn exit signals into `{'EXIT', From, Reason}` messages. */
  trapExit?: boolean;
  /** Link the new process to this one (`spawn_link`). */
  link?: ErlProcess;
  /** Limits on its mailbox, each over the node's default ({@link NodeOptions.mailbox}). */
  mailbox?: MailboxLimits;
}

/** Options of {@link ErlNode.stop}. */
export interface StopOptions {
  /**
   * How long (ms) the calls this node is serving (`rpc:call`, `erpc:call`, rex's) may take to
   * finish before the connections close, as erl's `-shutdown_time` bounds its shutdown. Callers
   * whose calls finish in time get their answers; the others see the node go down
   * (`{badrpc, nodedown}`, `{erpc, noconnection}`). Default 0: close at once.
   */
  shutdownTime?: number;
}

/** For the node's own processes: warn as every process does, never kill. */
const OWN_PROCESS_MAILBOX: MailboxLimits = { maxLen: Infinity };

/**
 * What a nodeup or nodedown event says about the connection, as the info of
 * `net_kernel:monitor_nodes(true, #{node_type => all, connection_id => true})`.
 */
export interface NodeInfo {
  /** Both sides announced PUBLISHED: erl lists the peer in `nodes()`, not in `nodes(hidden)`. */
  visible: boolean;
  /** The connection's {@link Connection.connectionId}: unique within the node, per connection. */
  connectionId: number;
}

/**
 * The events of an {@link ErlNode}: a connection to a node came up, or went down (and why), with
 * its {@link NodeInfo}. Every connection gives both events, hidden ones too (unlike
 * `monitor_nodes(true)` without `node_type => all`): filter on `info.visible` for erl's default.
 */
export interface NodeEvents {
  nodeup: [peer: string, info: NodeInfo];
  nodedown: [peer: string, reason: string, info: NodeInfo];
}

/**
 * Which connections {@link ErlNode.nodes} lists, as erl's `nodes/1`: `visible` (both sides
 * PUBLISHED), `hidden` (the others) or `connected` (all).
 */
export type NodeKind = 'visible' | 'hidden' | 'connected';

/** The EPMD a node uses: found or started, or `none` for a node that does not listen (`distListen: false`). */
export type NodeEpmd = EnsuredEpmd | { origin: 'none'; port: number };

/** The ports {@link NodeOptions} allow listening on, as a range. */
function listenPorts({ listenPort, listenPortRange }: NodeOptions): readonly [number, number] {
  if (listenPort !== undefined && listenPortRange !== undefined) throw new TypeError('give listenPort or listenPortRange, not both');
  return listenPortRange ?? [listenPort ?? 0, listenPort ?? 0];
}

/**
 * A node of an Erlang cluster, in this Node.js process: what `erl -sname ts` is to an Erlang
 * program. It has a name (`ts@host`) and a cookie, registers in EPMD, and accepts and opens
 * distribution connections, so `erl` nodes see it in `nodes()`, `rpc:call` it, send to its
 * registered processes, and include it in `global` and `pg`. Nothing arriving from the wire is
 * evaluated: Erlang callers reach only what the program serves ({@link ErlNode.modules}, named
 * processes, gen_servers); anything else is `undef`, as on an Erlang node without that module.
 *
 * ```ts
 * import { ErlNode, ErlClient, formatTerm } from 'erlbridge';
 *
 * const node = await ErlNode.start({ name: 'ts', cookie: 'secret' }); // ts@<host>
 * node.modules.registerModule('calc', { add: (a, b) => (a as number) + (b as number) });
 * // (bilbo@host)1> rpc:call(ts@host, calc, add, [1, 2]).   => 3
 * node.spawn(async (self) => {
 *   for await (const m of self) console.log('got', m); // {echo, ts@host} ! hello
 * }, { name: 'echo' });
 * console.log(formatTerm(await new ErlClient(node).rpc('bilbo@host', 'erlang', 'node', []))); // bilbo@host
 * await node.stop();
 * ```
 *
 * **Lifecycle.** {@link ErlNode.start} finds EPMD (starting the embedded one when none listens,
 * as `erl` does), listens, registers, and resolves once the node can be reached. Connections are
 * made on demand by any send, call or {@link ErlNode.ping}, or explicitly by
 * {@link ErlNode.connect}; {@link ErlNode.disconnect} closes one. {@link ErlNode.stop} leaves:
 * unregisters from EPMD and closes every connection and the listener (peers see `nodedown`, and
 * links and monitors across them fire `noconnection`).
 *
 * **Events** ({@link NodeEvents}), as `net_kernel:monitor_nodes/2` reports them:
 * `node.on('nodeup', (peer, info) => ...)` and `node.on('nodedown', (peer, reason, info) => ...)`,
 * for hidden connections too (`info.visible` tells them apart). These are the only events; the
 * rest of the `EventEmitter` interface is Node's own.
 *
 * **What it offers.** {@link ErlNode.modules} (the modules `rpc:call`, `erpc` and `spawn/4`
 * reach: {@link ModuleRegistry}), {@link ErlNode.spawn} / {@link ErlNode.register} (processes:
 * {@link ErlProcess}), {@link ErlNode.global} (names and locks: {@link Global}),
 * {@link ErlNode.pg} (process groups: {@link Pg}); to call into Erlang, wrap it in an
 * {@link ErlClient}; for a gen_server, {@link startGenServer}.
 */
export class ErlNode extends EventEmitter<NodeEvents> implements RpcHost, GenHost {
  readonly name: string;
  readonly nameAtom: Atom;
  readonly creation: number;
  /** The processes of this node. @internal */
  readonly processes: ProcessTable;
  /** Spawn requests of this node's processes waiting for their reply. @internal */
  readonly remoteSpawns: RemoteSpawns;
  /** erpc calls from this node waiting for their answer. @internal */
  readonly erpcCalls: ErpcCalls;
  /**
   * The Erlang modules this node serves to `rpc:call`, `erpc`, `spawn/4` and `spawn/2`. A served
   * function that throws a JavaScript error (not an Erlang exception) is logged with its stack.
   */
  readonly modules: ModuleRegistry;
  /** The built-in registered servers (net_kernel, rex, ...). */
  readonly builtins = new Builtins();
  /** The node's logger: crash reports and the node's own warnings go through it; a program may log and change the level. */
  readonly logger: Logger;
  /** The group leader this node gives remote calls, so their output never blocks. */
  readonly groupLeader: ErlProcess;
  private readonly peers: Peers;
  /** The sender of messages the program sends from no process of its own. */
  private readonly system: ErlProcess;
  private readonly spawnService: SpawnService;
  private readonly listener: DistListener | null;
  private readonly registration: EpmdRegistration | null;
  /** The EPMD this node found or started (`origin: 'none'` when it does not listen: the port it looks peers up at). */
  readonly epmd: NodeEpmd;
  /** This node announces PUBLISHED (see {@link NodeOptions.visible}); its connections to visible peers are visible. */
  readonly visible: boolean;
  /** This node accepts connections and is registered in EPMD (see {@link NodeOptions.distListen}). */
  readonly distListen: boolean;
  /** Cluster-wide names and locks: OTP's `global`, with this node a full participant. */
  readonly global: Global;
  private readonly globalServer: GlobalServer;
  private readonly stopGlobal: () => void;
  /** pg, OTP's process groups: the default scope `pg` (running from the start) and named ones. */
  readonly pg: Pg;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** The rpc and erpc calls being served; closed when the node stops. */
  private readonly servedCalls = new ServedCalls();
  /** The OTP releases of peers, asked once per connection (see {@link otpRelease}). */
  private readonly releases = new Map<string, Promise<number | undefined>>();
  /** {@link NodeOptions.mailbox}, and the watch of the processes spawned without limits of their own. */
  private readonly mailboxDefaults: MailboxLimits;
  private readonly spawnedMailboxWatch: MailboxWatch;
  private readonly mailboxReporting: MailboxReporting;

  private constructor(
    options: NodeOptions,
    started: {
      name: string;
      cookie: CookieSource;
      creation: number;
      listener: DistListener | null;
      registration: EpmdRegistration | null;
      epmd: NodeEpmd;
      logger: Logger;
    },
  ) {
    super();
    const { name, cookie, listener, registration } = started;
    this.logger = started.logger;
    this.modules = new LoggedModuleRegistry(this.logger);
    this.listener = listener;
    this.registration = registration;
    this.epmd = started.epmd;
    this.name = name;
    this.nameAtom = atom(name);
    this.creation = started.creation;
    this.distListen = listener !== null;
    this.visible = this.distListen && options.hidden !== true && options.visible !== false;
    this.peers = new Peers({
      name,
      cookie,
      creation: this.creation,
      flags: advertisedFlags({ visible: this.visible }),
      epmdPort: options.epmdPort,
      tickTime: options.tickTime,
      limits: options.limits,
      setupTimeout: options.setupTimeout,
      maxPendingHandshakes: options.maxPendingHandshakes,
      transport: options.transport,
      log: (line) => this.log(line),
    });
    const outgoing = new OutgoingSignals(
      (node, build, onFail) => this.peers.signal(node, build, onFail),
      (node) => this.peers.ready(node),
    );
    this.processes = new ProcessTable(this.nameAtom, this.creation, outgoing, (name, message, from) =>
      this.builtins.deliver(name, message, from),
    );
    this.mailboxDefaults = options.mailbox ?? {};
    this.mailboxReporting = { logger: this.logger, node: name, warnings: new RateLimitedLog((line) => this.logger.warning(line)) };
    this.spawnedMailboxWatch = mailboxWatch(this.mailboxDefaults, this.mailboxReporting);
    this.processes.mailboxWatch = mailboxWatch({ warnLen: this.mailboxDefaults.warnLen }, this.mailboxReporting);
    this.system = this.processes.create();
    // erl's logger:log sends an event whose group leader is elsewhere to that node's logger.
    this.logger.forward = (node, message) => this.system.send([LOGGER, node], message);
    this.remoteSpawns = new RemoteSpawns(
      this.processes,
      (node, control, payload, onFail) => this.peers.signal(node, () => [control, payload], onFail),
      outgoing,
      () => this.groupLeader.pid,
    );
    this.erpcCalls = new ErpcCalls(
      this.processes,
      {
        ready: (node) => this.peers.ready(node),
        send: (node, control, payload, onFail) => this.peers.signal(node, () => [control, payload], onFail),
      },
      outgoing,
    );
    this.spawnService = new SpawnService(this.processes, this.modules, this.logger, this.servedCalls);
    const rex = new RexServer(this.modules, this.nameAtom, () => this.processes.create(), this.servedCalls);
    this.builtins.register(NET_KERNEL, netKernel(this.system));
    this.builtins.register(REX, (message) => rex.handle(message));
    const global = startGlobal({
      me: name,
      creation: this.creation,
      connectAll: options.connectAll ?? true,
      preventOverlappingPartitions: options.preventOverlappingPartitions ?? true,
      isConnected: (node) => this.peers.get(node) !== undefined,
      connect: (node) => this.connect(node),
      disconnect: (node) => void this.disconnect(node),
      isLocalAlive: (pid) => (this.processes.isLocal(pid) ? this.processes.get(pid)?.alive === true : undefined),
      newProcess: () => this.processes.create(),
      register: (registered, proc) => this.processes.register(registered, proc),
      visibleNodes: () => this.visibleNodes(),
      rpc: (node, module, fn, args) => new ErlClient(this).rpcCall(node, module, fn, args),
      log: (line) => this.log(line),
    });
    this.global = global.api;
    this.globalServer = global.server;
    this.stopGlobal = global.stop;
    this.processes.globalNames = (globalName) => global.server.where(globalName);
    // erl's global:resolve_it/4, which a smaller node calls here to resolve a clash over one of our names.
    this.modules.registerModule('global', {
      resolve_it: (method, clashName, pid1, pid2) =>
        pid1 instanceof Pid && pid2 instanceof Pid
          ? resolveIt(method, clashName, pid1, pid2, {
              me: name,
              names: global.server.names,
              rpc: () => Promise.reject(new Error('not used')),
              exit: (pid, reason) => global.server.proc.exitOther(pid, reason),
              send: (pid, message) => global.server.proc.send(pid, message),
              log: (line) => this.log(line),
            })
          : atom('none'),
    });
    this.groupLeader = this.spawn((self) => runGroupLeader(self, options.output ?? ((text) => process.stdout.write(text))), {
      mailbox: OWN_PROCESS_MAILBOX,
    });
    const services = {
      builtins: this.builtins,
      spawnRequest: (conn: Connection, request: SpawnRequest) => this.spawnService.handle(request, conn),
      spawnReply: (reqId: Reference, to: Pid, flags: number, result: Term) => {
        if (!this.erpcCalls.spawnReply(reqId, flags, result)) this.remoteSpawns.reply(reqId, to, flags, result);
      },
      monitorExit: (watcher: Pid, ref: Reference, reason: Term) => {
        if (!this.erpcCalls.down(watcher, ref, reason)) this.processes.remoteDown(watcher, ref, reason);
      },
    };
    this.peers.on('message', (conn, m) => dispatch(this.processes, services, conn, m));
    this.peers.on('nodeup', (peer, conn) => {
      // global, as erl's, talks only over visible connections.
      if (conn.visible) this.globalServer.nodeUp(peer, conn.connectionId);
      this.emit('nodeup', peer, infoOf(conn));
    });
    this.peers.on('nodedown', (peer, reason, conn) => {
      this.releases.delete(peer);
      this.processes.nodeDown(peer);
      this.remoteSpawns.nodeDown(peer);
      this.erpcCalls.nodeDown(peer);
      if (conn.visible) this.globalServer.nodeDown(peer);
      this.emit('nodedown', peer, reason, infoOf(conn));
    });
    this.pg = new Pg({
      nameAtom: this.nameAtom,
      spawn: (body, spawnOptions) => this.spawn(body, { ...spawnOptions, mailbox: OWN_PROCESS_MAILBOX }),
      nodes: () => this.nodes('connected'),
      connected: (peer) => this.peers.get(peer) !== undefined,
      log: (line) => this.log(line),
    });
    // What net_kernel:monitor_nodes tells erl's scopes, for every connection (hidden ones too).
    this.on('nodeup', (peer) => this.pg.nodeup(peer));
    this.on('nodedown', (peer) => this.pg.nodedown(peer));
    listener?.onConnection((socket) => void this.peers.accept(socket));
    // closed only ever resolves (when EPMD drops the connection).
    void registration?.closed.then(() => {
      if (!this.stopped) this.log('EPMD closed our registration; other nodes can no longer find us');
    });
  }

  /**
   * Start a node: EPMD (found or started), a listener, and the registration; with
   * `distListen: false` none of the three, only the name, the cookie and a creation.
   */
  static async start(startOptions: NodeOptions): Promise<ErlNode> {
    const options = { ...startOptions, transport: transportOf(startOptions) };
    checkMailboxLimits(options.mailbox ?? {});
    const { signal } = options;
    const givenHost = options.name.includes('@') ? options.name.slice(options.name.indexOf('@') + 1) : undefined;
    const mode =
      options.longNames === undefined ? (givenHost === undefined ? 'short' : nameModeOf(givenHost)) : options.longNames ? 'long' : 'short';
    const nodeName = await makeNodeName(options.name, mode);
    const cookie = typeof options.cookie === 'string' ? resolveCookie({ cookie: options.cookie }) : (options.cookie ?? resolveCookie());
    const logger = new Logger({
      level: options.logLevel,
      format: options.logFormat,
      node: nodeName.full,
      sink: options.log ?? ((text) => process.stderr.write(`${text}\n`)),
    });
    if (options.distListen === false) {
      signal?.throwIfAborted();
      const epmd = { origin: 'none', port: resolveEpmdPort(options.epmdPort) } as const;
      return new ErlNode(options, {
        name: nodeName.full,
        cookie,
        creation: randomCreation(),
        listener: null,
        registration: null,
        epmd,
        logger,
      });
    }
    const epmd = await ensureEpmd({ port: options.epmdPort });
    signal?.throwIfAborted();
    // A peer refused before the handshake (a failed TLS handshake) is one line, and a flood of them a few.
    const refusals = new RateLimitedLog((line) => logger.warning(line));
    const listener = await listenInRange(options.transport, {
      ports: listenPorts(options),
      host: options.listenAddress,
      log: (line) => refusals.log(line),
    });
    let registration: EpmdRegistration;
    try {
      signal?.throwIfAborted();
      registration = await registerNode(nodeName.alive, listener.port, { port: epmd.port, signal });
    } catch (err) {
      await listener.close();
      throw err;
    }
    return new ErlNode(options, { name: nodeName.full, cookie, creation: registration.creation, listener, registration, epmd, logger });
  }

  /** The port distribution connections are accepted on; null for a node that does not listen. */
  get distPort(): number | null {
    return this.listener?.port ?? null;
  }

  /**
   * Names of the nodes connected now, as erl's `nodes/0,1`: by default the `visible` ones (both
   * sides PUBLISHED; what erl's `nodes()` gives), `hidden` for the others (`nodes(hidden)`), and
   * `connected` for all of them (`nodes(connected)`). A hidden node has no visible connections.
   */
  nodes(kind: NodeKind = 'visible'): string[] {
    if (kind !== 'visible' && kind !== 'hidden' && kind !== 'connected') throw new TypeError(`nodes(): unknown kind ${String(kind)}`);
    const all = this.peers.nodes();
    return kind === 'connected' ? all : all.filter((peer) => this.peers.get(peer)?.visible === (kind === 'visible'));
  }

  /** The nodes connected visibly now: `nodes('visible')`, erl's `nodes()`. */
  visibleNodes(): string[] {
    return this.nodes('visible');
  }

  /** The {@link NodeInfo} of the connection to `peer` now, or undefined when there is none. */
  nodeInfo(peer: string): NodeInfo | undefined {
    const conn = this.peers.get(peer);
    return conn && infoOf(conn);
  }

  /**
   * The connection to `peer`, set up now when there is none (`net_kernel:connect_node/1`); any
   * send to a node connects on demand too. `timeout` (ms) and `signal` bound the wait, not the
   * attempt, which others may share; each handshake step has `setupTimeout` anyway.
   */
  connect(peer: string, options: WaitOptions = {}): Promise<Connection> {
    const attempt = this.peers.connect(peer);
    return options.timeout === undefined && options.signal === undefined ? attempt : new Deadline('connect', options).race(attempt);
  }

  /** `erlang:disconnect_node(Peer)`: close the connection; links and monitors across it fire `noconnection`. */
  disconnect(peer: string): boolean {
    const conn = this.peers.get(peer);
    conn?.close();
    return conn !== undefined;
  }

  /** `net_adm:ping(Peer)`: `'pong'` when the node answers, `'pang'` otherwise (default timeout 10 s). */
  async ping(peer: string, options: WaitOptions = {}): Promise<'pong' | 'pang'> {
    // One deadline for connecting and asking, as net_adm:ping's gen call has one timeout.
    const deadline = new Deadline('ping', { timeout: options.timeout ?? 10_000, signal: options.signal });
    try {
      await deadline.race(this.peers.connect(peer));
    } catch {
      return 'pang';
    }
    const self = this.processes.create();
    try {
      const answer = await genCall(self, [NET_KERNEL, peer], tuple(IS_AUTH, this.nameAtom), deadline.remaining());
      return answer === YES ? 'pong' : 'pang';
    } catch {
      return 'pang';
    } finally {
      self.exit();
    }
  }

  /**
   * Start a TypeScript process. `body` runs with the process; when it returns the process exits
   * `normal`, when it throws the process exits with the reason erl would give (see
   * `ErlangExit`), and an error or a throw (not an exit) is logged as erl's "Error in process"
   * report. Without a body the process lives until `exit()` is called on it.
   */
  spawn(body?: (self: ErlProcess) => unknown, options: SpawnOptions = {}): ErlProcess {
    // Checked before the process exists: bad limits are a TypeError, and no process.
    const watch =
      options.mailbox === undefined
        ? this.spawnedMailboxWatch
        : mailboxWatch({ ...this.mailboxDefaults, ...options.mailbox }, this.mailboxReporting);
    const proc = this.processes.create();
    proc.trapExit = options.trapExit === true;
    proc.mailboxWatch = watch;
    if (options.name !== undefined && !this.processes.register(atom(options.name), proc)) {
      proc.exit();
      throw new ErlangError(BADARG);
    }
    if (options.link) options.link.link(proc.pid);
    if (body) {
      // Run after the caller has the handle, as spawn returns before the process runs.
      const run = async () => {
        try {
          await body(proc);
          proc.exit();
        } catch (err) {
          exitReported(proc, this.logger, this.name, outcomeOf(err), err);
        }
      };
      // Whatever body throws becomes the exit reason, so run() does not reject; were it to, that
      // would be a bug here, left to surface as an unhandled rejection.
      queueMicrotask(() => void run());
    }
    return proc;
  }

  /**
   * The OTP release of `peer` (`erlang:system_info(otp_release)` there, asked once per connection),
   * or undefined when it does not answer within 5 s (not an erl node, say). What `sys` expects of
   * a gen_server's answers changed in OTP 26.1, so a TypeScript gen_server answers each caller in
   * the form its release expects.
   */
  otpRelease(peer: string): Promise<number | undefined> {
    let release = this.releases.get(peer);
    if (release === undefined) {
      release = new ErlClient(this)
        .rpcCall(peer, 'erlang', 'system_info', [atom('otp_release')], { timeout: 5000 })
        .then((answer) => (Array.isArray(answer) ? Number(String.fromCharCode(...(answer as number[]))) : undefined))
        .then((n) => (Number.isInteger(n) ? n : undefined));
      this.releases.set(peer, release);
    }
    return release;
  }

  /** `register(Name, Proc)`; throws `ErlangError(badarg)` when the name is taken, as erl does. */
  register(name: string, proc: ErlProcess): void {
    if (!this.processes.register(atom(name), proc)) throw new ErlangError(BADARG);
  }

  /** The local process registered as `name`. */
  whereis(name: string): ErlProcess | undefined {
    return this.processes.whereis(atom(name));
  }

  /**
   * Send from the node itself (no process of the program's). As with `socket.write`, a Buffer in
   * `message` must not be changed afterwards: large ones are written from the Buffer itself.
   */
  send(to: Destination, message: Term): void {
    this.system.send(to, message);
  }

  /** A new reference of this node (`make_ref()`). */
  makeRef(): Reference {
    return this.processes.makeRef();
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
    mfa: { module: string; function: string; args: Term[] },
    options?: SpawnRequestOptions,
  ): Reference {
    return this.remoteSpawns.request(proc, node, mfa, options);
  }

  /**
   * Leave, in order: first no new callers (unregister from EPMD, close the listener, answer new
   * calls as a node that is down: `{badrpc, nodedown}`, `{erpc, noconnection}`); then let the calls
   * being served finish, for up to {@link StopOptions.shutdownTime}; then close every connection
   * (peers see `nodedown`). Resolves once it is all done; a second call gets the first one's promise.
   */
  stop(options: StopOptions = {}): Promise<void> {
    return (this.stopping ??= this.leave(options.shutdownTime ?? 0));
  }

  private async leave(shutdownTime: number): Promise<void> {
    this.stopped = true;
    this.servedCalls.close();
    const unregistered = this.registration?.unregister();
    const listenerClosed = this.listener?.close();
    if (shutdownTime > 0 && this.servedCalls.size > 0) {
      this.logger.notice(`stopping: waiting up to ${shutdownTime} ms for ${this.servedCalls.size} calls being served`);
      if (!(await this.servedCalls.settled(shutdownTime)))
        this.logger.notice(`stopping: ${this.servedCalls.size} calls still going after ${shutdownTime} ms; their callers see nodedown`);
    }
    this.globalServer.prepareShutdown();
    this.peers.close();
    this.stopGlobal();
    await unregistered;
    await listenerClosed;
  }

  /** The node's own lines (a refused peer, a lost connection, global's and pg's complaints): warnings. */
  private log(line: string): void {
    this.logger.warning(line);
  }
}

/** The transport {@link NodeOptions} ask for: `transport`, TLS from `tls`, or TCP. */
function transportOf(options: NodeOptions): DistTransport {
  if (options.tls === undefined) return options.transport ?? tcpTransport;
  if (options.transport !== undefined) throw new TypeError('NodeOptions: give transport or tls, not both');
  return 'optfile' in options.tls ? tlsTransportFromOptfile(options.tls.optfile) : tlsTransport(options.tls);
}

function infoOf(conn: Connection): NodeInfo {
  return { visible: conn.visible, connectionId: conn.connectionId };
}
