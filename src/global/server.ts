/**
 * global_name_server on this node: the registered process other nodes' global talks to. It runs
 * global's connect protocol with every visible node (init_connect, the lock via the locker,
 * exchange, resolved), keeps the names and locks tables, spreads what it learns to the nodes it
 * knows (new_nodes, in_sync: the fully connected mesh), and prevents overlapping partitions
 * (lost_connection, remove_connection). The rules and the messages are global.erl's (vsn 8);
 * peers announcing 5 to 8 are understood, as "newer versions understand older ones".
 *
 * Every handler is synchronous: the waiting parts of global (the locker's multi_calls, the
 * registrar, clash resolution over rpc) run in their own processes or promises and come back as
 * messages, as the locker, registrar and resolver processes do in erl.
 */
import * as os from 'os';
import { Atom, atom, compare, equals, ErlMap, formatTerm, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { genReply } from '../gen/reply';
import { DOWN, GEN_CALL, GEN_CAST, OK, YES } from '../process/atoms';
import type { ErlProcess } from '../process/process';
import {
  ASYNC_DEL_LOCK,
  ASYNC_DEL_NAME,
  CANCEL_CONNECT,
  DEL_LOCK,
  EXCHANGE,
  EXCHANGE_OPS,
  GET_KNOWN,
  GET_NAMES_EXT,
  GET_PROTOCOL_VERSION,
  GET_SYNCED,
  GLOBAL_NAME_SERVER,
  IN_SYNC,
  INIT_CONNECT,
  INIT_CONNECT_ACK,
  INSERT,
  DELETE,
  LOCK,
  LOCK_IS_SET,
  LOCK_SET,
  LOCKER,
  LOST_CONNECTION,
  NEW_NODES,
  NO_LONGER_A_PID,
  NODEDOWN,
  NODEUP,
  REGISTER,
  REGISTER_EXT,
  REMOVE_CONNECTION,
  RESOLVED,
  SET_LOCK,
  UNREGISTER,
  UNUSED,
  VSN,
  WHEREIS,
  GLOBAL,
} from './atoms';
import { Locker } from './locker';
import { lockIdOf, LockTable } from './locks';
import { NameTable } from './names';
import { exchangeNames, ResolveHost } from './resolve';
import { RateLimitedLog } from '../process/rate-limited-log';

/** global's protocol version, and the versions where features started. */
export const GLOBAL_VSN = 8;
const VERIFY_CONNECT_VSN = 8;
const POP_VSN = 7;
const PGPV_VSN = 7;
const EXTRA_NODEDOWN = atom('extra_nodedown');

const MIN_64BIT_SMALL_INT = -(1n << 59n);
const MAX_64BIT_SMALL_INT = (1n << 59n) - 1n;
/** How long what a lost_connection said is remembered (global's lost_conn_info_cleanup_time). */
const LOST_CONNECTION_MEMORY_MS = 60 * 60 * 1000;
/** At most this many remembered lost connections: a flood of them must not grow memory without end. */
const LOST_CONNECTION_LIMIT = 10_000;

/** What the server needs of its node. */
export interface GlobalServerHost {
  /** This node's name. */
  me: string;
  creation: number;
  /** Fully connected mesh (`-connect_all`); default true. */
  connectAll: boolean;
  /** `prevent_overlapping_partitions`; default true (OTP 25+). */
  preventOverlappingPartitions: boolean;
  /** True when a connection to `node` is up now (sends marked noconnect go only then). */
  isConnected(node: string): boolean;
  /** Connect to `node` (`monitor_node(Node, true, [allow_passive_connect])`); rejects when it cannot. */
  connect(node: string): Promise<unknown>;
  /** `net_kernel:async_disconnect(Node)`. */
  disconnect(node: string): void;
  /** True when `pid` is one of this node's and alive (where/1 checks local pids). */
  isLocalAlive(pid: Pid): boolean | undefined;
  /** A new process of this node (the locker's and the registrar's). */
  newProcess(): ErlProcess;
  rpc: ResolveHost['rpc'];
  log: (line: string) => void;
}

/** What a sync with one node has reached (global keeps this in its process dictionary). */
interface NodeSync {
  myTag?: Term;
  hisTag?: Term;
  protVsn?: number;
  /** `lock_is_set`, or the exchange that came before the lock did. */
  waitLock?: 'lock_is_set' | { exchange: Term };
  /** Our ops waiting for his resolved, or his resolved waiting for our ops. */
  saveOps?: Term[] | { hisKnown: Term; namesExt: Term; hisResolved: Term };
  /** An init_connect that came before we were ready for it. */
  preConnect?: { vsn: Term; initMsg: Term; hisTag: Term };
  lockId?: Term;
}

interface Syncer {
  waiting: Set<string>;
  done: () => void;
}

type NodedownType = 'disconnected' | 'remove_connection' | 'ignore_node';

export class GlobalServer {
  readonly names: NameTable;
  readonly locks: LockTable;
  readonly locker: Locker;
  /** Known nodes and their global versions (0: not known yet). */
  private readonly known = new Map<string, number>();
  /** Nodes syncing with us, not known yet, and their versions. */
  private readonly pending = new Map<string, number>();
  /** Nodes we are removing (remove_connection), whose nodedown is no connection loss. */
  private readonly removing = new Set<string>();
  private readonly connectionIds = new Map<string, Term>();
  private synced: string[] = [];
  /** Nodes whose resolver runs: the tag of that sync, and whether it was cancelled. */
  private readonly resolvers = new Map<string, { tag: Term; cancelled: boolean }>();
  private readonly sync = new Map<string, NodeSync>();
  private syncers: Syncer[] = [];
  private readonly lostConnections = new Map<string, { xCreation: Term; opId: Term; timer: NodeJS.Timeout }>();
  private nextTag = 1 + Math.floor(Math.random() * 2 ** 40);
  /** global's random creation extension: the lost_connection creation is unique per incarnation. */
  private readonly creationExtension: bigint;
  private readonly warnings: RateLimitedLog;
  private shuttingDown = false;

  constructor(
    readonly proc: ErlProcess,
    private readonly host: GlobalServerHost,
  ) {
    const monitoring = {
      monitor: (pid: Pid) => proc.monitor(pid),
      demonitor: (ref: Reference) => proc.demonitor(ref),
    };
    this.names = new NameTable(monitoring);
    this.locks = new LockTable(monitoring);
    this.warnings = new RateLimitedLog(host.log, { windowMs: 10_000 });
    const span = MAX_64BIT_SMALL_INT - MIN_64BIT_SMALL_INT;
    const random = BigInt(Math.floor(Math.random() * 2 ** 30)) * (1n << 30n) + BigInt(Math.floor(Math.random() * 2 ** 30));
    this.creationExtension = (random % span) & ~((1n << 32n) - 1n);
    this.locker = new Locker(host.newProcess(), {
      me: host.me,
      locks: this.locks,
      server: proc.pid,
      sameHost: (node) => hostOf(node) === os.hostname(),
      log: host.log,
    });
    void this.run();
  }

  // ---- What the node and the TypeScript API ask directly (synchronous reads) ----

  /** The nodes global knows (synced with, or told of by those): `get_known`. */
  knownNodes(): string[] {
    return [...this.known.keys()];
  }

  syncedNodes(): string[] {
    return [...this.synced];
  }

  /** `global:whereis_name/1`: a local pid only while it lives. */
  where(name: Term): Pid | undefined {
    const entry = this.names.get(name);
    if (entry === undefined) return undefined;
    return this.host.isLocalAlive(entry.pid) === false ? undefined : entry.pid;
  }

  /** `{sync, Nodes}`: resolves when every node is synced with us or down. */
  syncWith(nodes: string[]): Promise<void> {
    const waiting = new Set(nodes.filter((n) => n !== this.host.me && !this.synced.includes(n) && this.host.isConnected(n)));
    if (waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.syncers.push({ waiting, done: resolve }));
  }

  /**
   * The node is stopping (`prepare_shutdown`): its connections going down now are no connection
   * losses, so nobody is told to drop anybody.
   */
  prepareShutdown(): void {
    this.shuttingDown = true;
  }

  /** A visible connection came up (`{nodeup, Node, #{connection_id => Id}}`). */
  nodeUp(node: string, connectionId: Term): void {
    this.proc.deliver(tuple(NODEUP, atom(node), new ErlMap([[atom('connection_id'), connectionId]])));
  }

  /** A visible connection went down. */
  nodeDown(node: string): void {
    this.proc.deliver(tuple(NODEDOWN, atom(node), new ErlMap()));
  }

  // ---- The message loop ----

  private async run(): Promise<void> {
    for await (const m of this.proc) {
      try {
        this.handle(m);
      } catch (err) {
        this.warnings.log(`global_name_server: dropped a message it could not handle (${(err as Error).message})`);
      }
    }
  }

  private handle(m: Term): void {
    if (!(m instanceof Tuple) || m.length === 0) return this.unexpected('handle_info', m);
    const tag = m.get(0);
    if (tag === GEN_CAST && m.length === 2) return this.handleCast(m.get(1));
    if (tag === GEN_CALL && m.length === 3) return this.handleCall(m.get(1), m.get(2));
    this.handleInfo(m);
  }

  // ---- Calls ----

  private handleCall(from: Term, request: Term): void {
    if (!(from instanceof Tuple) || from.length !== 2) return this.unexpected('handle_call', request);
    const fromPid = from.get(0);
    const reply = (value: Term) => genReply(this.proc, fromPid, from.get(1), value);
    const r = request instanceof Tuple ? request : undefined;
    const op = r ? r.get(0) : request;
    if (op === REGISTER && r?.length === 4 && r.get(2) instanceof Pid && fromPid instanceof Pid) {
      this.insertName(r.get(1), r.get(2) as Pid, r.get(3), fromPid, []);
      return reply(YES);
    }
    if (op === UNREGISTER && r?.length === 2) {
      this.names.delete(r.get(1));
      return reply(OK);
    }
    if (op === REGISTER_EXT && r?.length === 5 && r.get(2) instanceof Pid && r.get(4) instanceof Atom && fromPid instanceof Pid) {
      this.insertName(r.get(1), r.get(2) as Pid, r.get(3), fromPid, [], r.get(4) as Atom);
      return reply(YES);
    }
    if (op === SET_LOCK && r?.length === 2 && fromPid instanceof Pid) {
      const id = lockIdOf(r.get(1));
      if (id) return reply(this.locks.setLock(id, fromPid));
    }
    if (op === DEL_LOCK && r?.length === 2 && fromPid instanceof Pid) {
      const id = lockIdOf(r.get(1));
      if (id) {
        this.locks.delLock(id, fromPid);
        return reply(true);
      }
    }
    if (op === GET_KNOWN && !r) return reply(this.knownList(0));
    if (op === GET_SYNCED && !r) return reply(this.synced.map(atom));
    if (op === GET_PROTOCOL_VERSION && !r) return reply(GLOBAL_VSN);
    if (op === GET_NAMES_EXT && !r) return reply(this.names.externalList());
    // erl leaves an unknown call unanswered, as here.
    this.unexpected('handle_call', request);
  }

  // ---- Casts ----

  private handleCast(msg: Term): void {
    if (!(msg instanceof Tuple) || msg.length === 0) return this.unexpected('handle_cast', msg);
    const op = msg.get(0);
    const node = msg.length > 1 && msg.get(1) instanceof Atom ? (msg.get(1) as Atom).name : undefined;
    if (op === INIT_CONNECT && msg.length === 4 && msg.get(2) instanceof Atom)
      return this.onInitConnect(msg.get(1), (msg.get(2) as Atom).name, msg.get(3));
    if (op === LOCK_IS_SET && msg.length === 4 && node) return this.onLockIsSet(node, msg.get(2), msg.get(3));
    if (op === EXCHANGE && msg.length === 5 && node) return this.onExchange(node, msg.get(2), msg.get(4));
    if (op === EXCHANGE_OPS && msg.length === 5 && node) return this.onExchangeOps(node, msg.get(2), msg.get(3), msg.get(4));
    if (op === RESOLVED && msg.length === 7 && node) return this.onResolved(node, msg.get(2), msg.get(3), msg.get(5), msg.get(6));
    if (op === NEW_NODES && msg.length === 6 && node) return this.newNodes(msg.get(2), node, msg.get(3), msg.get(4), msg.get(5));
    if (op === IN_SYNC && msg.length === 3 && node) return this.onInSync(node);
    if ((op === ASYNC_DEL_NAME || op === ASYNC_DEL_LOCK) && msg.length === 3) return; // pre-R14 nodes; the DOWN does it
    if (op === LOCK_SET && msg.length === 5 && msg.get(1) instanceof Pid) {
      // Forwarded only under the current tag, so a late answer to an older attempt is dropped.
      if (equals(msg.get(4), this.peek((msg.get(1) as Pid).node.name).myTag ?? UNUSED)) this.locker.lockSet(msg);
      return;
    }
    if (op === LOCK_SET && msg.length === 4 && msg.get(1) instanceof Pid) return this.locker.lockSet(msg);
    this.unexpected('handle_cast', msg);
  }

  // ---- Infos ----

  private handleInfo(m: Tuple): void {
    const op = m.get(0);
    const node = m.length > 1 && m.get(1) instanceof Atom ? (m.get(1) as Atom).name : undefined;
    if (op === DOWN && m.length === 5 && m.get(1) instanceof Reference) {
      this.locks.down(m.get(1) as Reference);
      this.names.down(m.get(1) as Reference);
      return;
    }
    if (op === NODEUP && node && m.length === 3) return this.onNodeUp(node, m.get(2));
    if (op === NODEDOWN && node && m.length === 3) return this.onNodeDown(node);
    if (op === EXTRA_NODEDOWN && node && m.length === 2) {
      this.syncerNodeDown(node);
      return this.onNodeDown(node);
    }
    if (op === LOST_CONNECTION && m.length === 5 && node && m.get(4) instanceof Atom) {
      return this.onLostConnection(m, node, m.get(2), m.get(3), (m.get(4) as Atom).name);
    }
    if (op === REMOVE_CONNECTION && m.length === 2 && node) return this.onRemoveConnection(node);
    if (op === CANCEL_CONNECT && m.length === 3 && node) return this.onCancelConnect(node, m.get(2));
    if (op === INIT_CONNECT_ACK && m.length === 4 && node) return this.onInitConnectAck(node, m.get(2), m.get(3));
    if (op === WHEREIS && m.length === 3 && m.get(2) instanceof Tuple && (m.get(2) as Tuple).length === 2) {
      const from = m.get(2) as Tuple;
      genReply(this.proc, from.get(0), from.get(1), this.where(m.get(1)) ?? atom('undefined'));
      return;
    }
    this.unexpected('handle_info', m);
  }

  // ---- Connect protocol ----

  private onNodeUp(node: string, info: Term): void {
    if (node === this.host.me) return;
    const connectionId = info instanceof ErlMap ? info.get(atom('connection_id')) : undefined;
    if (connectionId !== undefined) this.connectionIds.set(node, connectionId);
    if (!this.host.connectAll) return;
    this.handleNodeUp(node);
  }

  /** Make ourselves known to `node`: init_connect, and a resolver for the sync. */
  private handleNodeUp(node: string): void {
    if (this.known.has(node) || this.resolvers.has(node)) return;
    this.resendPreConnect(node);
    const myTag = this.newTag();
    this.state(node).myTag = myTag;
    const knownMap = new ErlMap([...this.known].map(([n, v]) => [atom(n), v] as [Term, Term]));
    const initMsg = tuple(LOCKER, NO_LONGER_A_PID, knownMap, this.locker.proc.pid);
    this.cast(node, tuple(INIT_CONNECT, tuple(GLOBAL_VSN, myTag), atom(this.host.me), initMsg));
    this.resolvers.set(node, { tag: myTag, cancelled: false });
  }

  private onInitConnect(vsn: Term, node: string, initMsg: Term): void {
    if (!(vsn instanceof Tuple) || vsn.length < 2 || typeof vsn.get(0) !== 'number') {
      this.warnings.log(`global: illegal global protocol version ${formatTerm(vsn).slice(0, 100)} from ${node}`);
      return;
    }
    const hisVsn = vsn.get(0) as number;
    const hisTag = vsn.get(1);
    if (hisVsn < 5) {
      this.warnings.log(`global: ${node} speaks global protocol ${hisVsn}; 5 or later is needed`);
      return;
    }
    // nodeup comes before any message of a connection, so this is someone naming another node.
    if (!this.host.isConnected(node)) return this.warnings.log(`global: init_connect for ${node}, which is not connected`);
    const useVsn = vsn.length > 2 || hisVsn > GLOBAL_VSN ? GLOBAL_VSN : hisVsn;
    this.initConnect(useVsn, node, initMsg, hisTag, hisVsn);
  }

  private initConnect(vsn: number, node: string, initMsg: Term, hisTag: Term, hisVsn: number): void {
    if (this.pending.has(node)) {
      // A second connect attempt while one is under way: out of sync.
      if (hisVsn < VERIFY_CONNECT_VSN) {
        this.host.disconnect(node);
        this.host.log(
          `'global' at node ${this.host.me} got an out of sync connection attempt from old version ${hisVsn} node ${node}. Disconnecting from it.`,
        );
        return;
      }
      this.sendCancelConnectMessage(node, hisTag);
      this.restartConnect(node, this.peek(node).myTag);
    }
    const s = this.state(node);
    s.protVsn = vsn;
    s.hisTag = hisTag;
    const resolver = this.resolvers.get(node);
    if (resolver === undefined) {
      // Before our nodeup, or from a node already known: parked, as global parks it.
      s.preConnect = { vsn, initMsg, hisTag };
      return;
    }
    if (!(initMsg instanceof Tuple) || initMsg.length !== 4 || initMsg.get(0) !== LOCKER || !(initMsg.get(3) instanceof Pid)) {
      this.warnings.log(`global: init_connect from ${node} without its locker`);
      return;
    }
    this.locker.hisTheLocker(initMsg.get(3) as Pid, vsn, hisTag, resolver.tag);
    if (hisVsn >= VERIFY_CONNECT_VSN) this.volatileSend(node, tuple(INIT_CONNECT_ACK, atom(this.host.me), hisTag, resolver.tag));
    this.pending.set(node, hisVsn);
  }

  private restartConnect(node: string, myTag: Term | undefined): void {
    this.cancelLocker(node, myTag);
    this.resetNodeState(node);
    this.pending.delete(node);
    if (typeof myTag === 'number' || typeof myTag === 'bigint') this.handleNodeUp(node);
  }

  private onInitConnectAck(node: string, hisMyTag: Term, hisHisTag: Term): void {
    const s = this.peek(node);
    if (s.myTag !== undefined && s.hisTag !== undefined && equals(s.myTag, hisMyTag) && equals(s.hisTag, hisHisTag)) return;
    // The two sides disagree on which attempt this is: cancel it and start over.
    this.sendCancelConnectMessage(node, hisHisTag);
    this.restartConnect(node, s.myTag);
  }

  private onCancelConnect(node: string, myTag: Term): void {
    const s = this.peek(node);
    if (s.myTag === undefined || !equals(s.myTag, myTag)) return;
    this.cancelLocker(node, myTag);
    this.resetNodeState(node);
    this.pending.delete(node);
    this.restartConnect(node, myTag);
  }

  /** Our locker has the lock on both partitions: send our names. */
  private onLockIsSet(node: string, myTag: Term, lockId: Term): void {
    const s = this.peek(node);
    if (s.myTag === undefined || !equals(s.myTag, myTag)) {
      this.cancelLocker(node, myTag);
      return;
    }
    this.cast(node, tuple(EXCHANGE, atom(this.host.me), this.names.list(), [], s.hisTag ?? UNUSED));
    s.lockId = lockId;
    const waiting = s.waitLock;
    s.waitLock = 'lock_is_set';
    if (typeof waiting === 'object') this.exchange(node, waiting.exchange);
  }

  private onExchange(node: string, nameList: Term, myTag: Term): void {
    const s = this.peek(node);
    if (s.myTag === undefined || !equals(s.myTag, myTag)) {
      this.cancelLocker(node, myTag);
      return;
    }
    this.exchange(node, nameList);
  }

  /** Both the lock and the other side's names are in: resolve clashes (in the background). */
  private exchange(node: string, nameList: Term): void {
    const s = this.peek(node);
    if (s.waitLock !== 'lock_is_set') {
      s.waitLock = { exchange: nameList };
      return;
    }
    s.waitLock = undefined;
    const resolver = this.resolvers.get(node);
    if (resolver === undefined) return;
    const resolveHost: ResolveHost = {
      me: this.host.me,
      names: this.names,
      rpc: this.host.rpc,
      exit: (pid, reason) => this.proc.exitOther(pid, reason),
      send: (pid, message) => this.proc.send(pid, message),
      log: this.host.log,
    };
    void exchangeNames(nameList, node, resolveHost).then(
      ({ ops, resolved }) => {
        if (!resolver.cancelled) this.proc.deliver(tuple(GEN_CAST, tuple(EXCHANGE_OPS, atom(node), resolver.tag, ops, resolved)));
      },
      (err: Error) => this.host.log(`global: resolving names with ${node} failed: ${err.message}`),
    );
  }

  private onExchangeOps(node: string, myTag: Term, ops: Term, resolvedForHim: Term): void {
    const s = this.peek(node);
    if (s.myTag === undefined || !equals(s.myTag, myTag)) {
      this.cancelLocker(node, myTag);
      return;
    }
    const known = this.knownList(this.nodeVsn(node));
    this.cast(node, tuple(RESOLVED, atom(this.host.me), resolvedForHim, known, UNUSED, this.names.externalList(), s.hisTag ?? UNUSED));
    const saved = s.saveOps;
    s.saveOps = Array.isArray(ops) ? ops : [];
    if (saved !== undefined && !Array.isArray(saved)) this.resolved(node, saved.hisResolved, saved.hisKnown, saved.namesExt);
  }

  private onResolved(node: string, hisResolved: Term, hisKnown: Term, namesExt: Term, myTag: Term): void {
    const s = this.peek(node);
    if (s.myTag === undefined || !equals(s.myTag, myTag)) {
      this.cancelLocker(node, myTag);
      return;
    }
    if (Array.isArray(s.saveOps)) this.resolved(node, hisResolved, hisKnown, namesExt);
    else s.saveOps = { hisKnown, namesExt, hisResolved };
  }

  /** The sync with `node` is done on both sides: apply the ops, tell our partition, join the mesh. */
  private resolved(node: string, hisResolved: Term, hisKnown: Term, namesExt: Term): void {
    const s = this.peek(node);
    const ops = [...(Array.isArray(s.saveOps) ? s.saveOps : []), ...(Array.isArray(hisResolved) ? hisResolved : [])];
    s.saveOps = undefined;
    const knownBefore = new Map(this.known);
    const newNodes = this.nodeVsnList([atom(node), ...(Array.isArray(hisKnown) ? hisKnown : [])]);
    const hisKnownNodes = nodeList(Array.isArray(hisKnown) ? hisKnown : []);
    this.syncOthers(hisKnownNodes);
    const extraInfo = [tuple(VSN, s.protVsn ?? 0), tuple(LOCK, s.lockId ?? UNUSED)];
    const ext = Array.isArray(namesExt) ? namesExt : [];
    this.doOps(ops, this.host.me, ext, extraInfo);
    this.notifySynced(node);
    for (const other of hisKnownNodes) this.cancelResolvedLocker(other, (tag) => this.cancelLocker(other, tag));
    // The locker sends new_nodes before it releases the lock, so del_lock comes after new_nodes.
    const me = atom(this.host.me);
    const sendNewNodes = () => {
      for (const [n, v] of knownBefore) {
        const nodes = v >= PGPV_VSN ? newNodes : newNodes.map((nv) => (nv as Tuple).get(0));
        this.cast(n, tuple(NEW_NODES, me, ops, ext, nodes, extraInfo));
      }
    };
    this.cancelResolvedLocker(node, (tag) => this.cancelLocker(node, tag, sendNewNodes));
    const added = this.addToKnown(newNodes);
    this.locker.addToKnown(added);
    if (!this.synced.includes(node)) this.synced = [node, ...this.synced];
  }

  private cancelResolvedLocker(node: string, cancel: (tag: Term | undefined) => void): void {
    const tag = this.peek(node).myTag;
    // No longer pending, so the cancel sends no cancel_connect.
    this.pending.delete(node);
    cancel(tag);
    this.resetNodeState(node);
  }

  private newNodes(ops: Term, connNode: string, namesExt: Term, nodes: Term, extraInfo: Term): void {
    const added = this.addToKnown(Array.isArray(nodes) ? nodes : []);
    this.syncOthers(added);
    this.doOps(Array.isArray(ops) ? ops : [], connNode, Array.isArray(namesExt) ? namesExt : [], Array.isArray(extraInfo) ? extraInfo : []);
    this.locker.addToKnown(added);
  }

  private onInSync(node: string): void {
    this.notifySynced(node);
    if (!this.synced.includes(node)) this.synced = [node, ...this.synced];
    this.pending.delete(node);
    this.cancelLocker(node, this.peek(node).myTag);
    this.resetNodeState(node);
  }

  /** Connect to nodes we learnt of and tell each we are in sync (`sync_others`). */
  private syncOthers(nodes: string[]): void {
    for (const node of nodes) {
      this.host.connect(node).then(
        () => this.cast(node, tuple(IN_SYNC, atom(this.host.me), true)),
        () => {
          this.host.log(`'global' at ${this.host.me} failed to connect to ${node}`);
          this.proc.deliver(tuple(EXTRA_NODEDOWN, atom(node)));
        },
      );
    }
  }

  /** `do_ops`: apply inserts (external ones first) and deletes. */
  private doOps(ops: Term[], connNode: string, namesExt: Term[], extraInfo: Term[]): void {
    const inserts: Array<{ name: Term; pid: Pid; method: Term; regNode?: Atom }> = [];
    for (const op of ops) {
      if (!(op instanceof Tuple) || op.length !== 2 || op.get(0) !== INSERT) continue;
      const entry = op.get(1);
      if (!(entry instanceof Tuple) || entry.length !== 3 || !(entry.get(1) instanceof Pid)) continue;
      const [name, pid, method] = [entry.get(0), entry.get(1) as Pid, entry.get(2)];
      const ext = namesExt.find((e) => e instanceof Tuple && e.length === 3 && equals(e.get(0), name) && equals(e.get(1), pid)) as
        Tuple | undefined;
      inserts.push({ name, pid, method, regNode: ext && ext.get(2) instanceof Atom ? (ext.get(2) as Atom) : undefined });
    }
    const sorted = [...inserts.filter((i) => i.regNode), ...inserts.filter((i) => !i.regNode)];
    for (const i of sorted) this.insertName(i.name, i.pid, i.method, atom(connNode), extraInfo, i.regNode);
    for (const op of ops) if (op instanceof Tuple && op.length === 2 && op.get(0) === DELETE) this.names.delete(op.get(1));
  }

  /** `insert_global_name`: unless the lock the insert came under is gone (its holder went down). */
  private insertName(name: Term, pid: Pid, method: Term, fromPidOrNode: Pid | Atom, extraInfo: Term[], regNode?: Atom): void {
    if (regNode) this.names.insertExternal(name, pid, method, regNode);
    else this.names.insert(name, pid, method);
    if (!this.lockStillSet(fromPidOrNode, extraInfo)) this.names.delete(name);
  }

  private lockStillSet(fromPidOrNode: Pid | Atom, extraInfo: Term[]): boolean {
    const row = this.locks.globalLock();
    if (row === undefined) return !this.locks.globalLockDown;
    if (fromPidOrNode instanceof Pid) return row.holders.some((h) => equals(h.pid, fromPidOrNode));
    const lock = extraInfo.find((e) => e instanceof Tuple && e.length === 2 && e.get(0) === LOCK) as Tuple | undefined;
    const lockId = lock?.get(1);
    return lockId instanceof Tuple && lockId.length === 2 && lockId.get(0) === GLOBAL && equals(row.requester, lockId.get(1));
  }

  // ---- Nodes going down, and prevent overlapping partitions ----

  private onNodeDown(node: string): void {
    this.syncerNodeDown(node);
    this.handleNodeDown(node, 'disconnected');
    this.connectionIds.delete(node);
  }

  private handleNodeDown(node: string, what: NodedownType): void {
    this.cancelLocker(node, this.peek(node).myTag);
    this.locker.removeFromKnown(node);
    this.resetNodeState(node);
    if (what === 'remove_connection') this.removing.add(node);
    else if (what === 'ignore_node') this.removing.delete(node);
    else if (this.removing.has(node)) this.removing.delete(node);
    else this.informConnectionLoss(node);
    this.pending.delete(node);
    this.known.delete(node);
    this.synced = this.synced.filter((n) => n !== node);
  }

  /** We lost `node`: every node we know must drop it too, or partitions would overlap. */
  private informConnectionLoss(node: string): void {
    if (!this.host.connectAll || !this.host.preventOverlappingPartitions || this.shuttingDown) return;
    const xCreation = this.creationExtension + BigInt(this.host.creation) - MIN_64BIT_SMALL_INT;
    const msg = tuple(LOST_CONNECTION, atom(this.host.me), xCreation, this.newTag(), atom(node));
    this.volatileMulticast(msg, node, POP_VSN, true);
  }

  private onLostConnection(msg: Tuple, nodeA: string, xCreationA: Term, opIdA: Term, nodeB: string): void {
    if (!this.host.connectAll || !this.host.preventOverlappingPartitions) return;
    const key = `${nodeA} ${nodeB}`;
    const seen = this.lostConnections.get(key);
    if (seen && equals(seen.xCreation, xCreationA) && compare(opIdA, seen.opId) <= 0) return;
    // Pass it on, so that nodes losing their link to nodeA meanwhile still hear of it.
    this.volatileMulticast(msg, nodeA, POP_VSN, true);
    this.rememberLostConnection(key, xCreationA, opIdA);
    const rmNode = nodeB === this.host.me ? nodeA : nodeB;
    if (!this.isPotentiallyKnown(rmNode)) return;
    if (this.nodeVsn(rmNode) < POP_VSN) {
      this.host.disconnect(rmNode);
      this.host.log(`'global' at node ${this.host.me} disconnected old node ${rmNode} in order to prevent overlapping partitions`);
    } else {
      this.volatileSend(rmNode, tuple(REMOVE_CONNECTION, atom(this.host.me)));
      this.host.log(`'global' at node ${this.host.me} requested disconnect from node ${rmNode} in order to prevent overlapping partitions`);
    }
    this.handleNodeDown(rmNode, 'remove_connection');
  }

  private rememberLostConnection(key: string, xCreation: Term, opId: Term): void {
    const old = this.lostConnections.get(key);
    if (old) clearTimeout(old.timer);
    else if (this.lostConnections.size >= LOST_CONNECTION_LIMIT) {
      const [oldestKey, oldest] = this.lostConnections.entries().next().value as [string, { timer: NodeJS.Timeout }];
      clearTimeout(oldest.timer);
      this.lostConnections.delete(oldestKey);
    }
    const timer = setTimeout(() => this.lostConnections.delete(key), LOST_CONNECTION_MEMORY_MS);
    timer.unref();
    this.lostConnections.delete(key);
    this.lostConnections.set(key, { xCreation, opId, timer });
  }

  private onRemoveConnection(node: string): void {
    if (!this.isPotentiallyKnown(node)) return;
    this.host.disconnect(node);
    this.handleNodeDown(node, 'remove_connection');
    this.host.log(`'global' at node ${this.host.me} disconnected node ${node} in order to prevent overlapping partitions`);
  }

  // ---- Helpers ----

  private cancelLocker(node: string, tag: Term | undefined, fun?: () => void): void {
    this.locker.cancel(node, tag, fun);
    this.sendCancelConnect(node, tag);
    const resolver = this.resolvers.get(node);
    if (resolver && tag !== undefined && equals(resolver.tag, tag)) {
      resolver.cancelled = true;
      this.resolvers.delete(node);
    }
  }

  private sendCancelConnect(node: string, myTag: Term | undefined): void {
    const vsn = this.pending.get(node);
    const s = this.sync.get(node);
    if (vsn === undefined || vsn < VERIFY_CONNECT_VSN || myTag === undefined || s?.myTag === undefined || !equals(s.myTag, myTag)) return;
    this.sendCancelConnectMessage(node, s.hisTag ?? UNUSED);
  }

  private sendCancelConnectMessage(node: string, hisTag: Term): void {
    this.volatileSend(node, tuple(CANCEL_CONNECT, atom(this.host.me), hisTag));
  }

  private resetNodeState(node: string): void {
    this.sync.delete(node);
  }

  private resendPreConnect(node: string): void {
    const s = this.sync.get(node);
    const pre = s?.preConnect;
    if (!s || !pre) return;
    s.preConnect = undefined;
    this.proc.deliver(tuple(GEN_CAST, tuple(INIT_CONNECT, tuple(pre.vsn, pre.hisTag), atom(node), pre.initMsg)));
  }

  /** The sync state with `node`, without making one (messages naming unknown nodes leave nothing behind). */
  private peek(node: string): NodeSync {
    return this.sync.get(node) ?? {};
  }

  private state(node: string): NodeSync {
    let s = this.sync.get(node);
    if (s === undefined) {
      s = {};
      this.sync.set(node, s);
    }
    return s;
  }

  private notifySynced(node: string): void {
    for (const syncer of this.syncers) syncer.waiting.delete(node);
    this.finishSyncers();
  }

  private syncerNodeDown(node: string): void {
    this.notifySynced(node);
  }

  private finishSyncers(): void {
    const done = this.syncers.filter((s) => s.waiting.size === 0);
    if (done.length === 0) return;
    this.syncers = this.syncers.filter((s) => s.waiting.size > 0);
    for (const s of done) s.done();
  }

  private newTag(): number {
    return this.nextTag++;
  }

  private nodeVsn(node: string): number {
    if (node === this.host.me) return GLOBAL_VSN;
    return this.known.get(node) ?? this.pending.get(node) ?? 0;
  }

  private isPotentiallyKnown(node: string): boolean {
    return this.known.has(node) || this.pending.has(node);
  }

  /** `mk_known_list`: `[{Node, Vsn}]` for peers of vsn 7+, plain nodes for older ones. */
  private knownList(vsn: number): Term[] {
    const entries = [...this.known];
    return vsn < PGPV_VSN ? entries.map(([n]) => atom(n)) : entries.map(([n, v]) => tuple(atom(n), v));
  }

  /** `make_node_vsn_list`: every node with its version (ours where it came without one). */
  private nodeVsnList(list: Term[]): Term[] {
    const out: Term[] = [];
    for (const item of list) {
      if (item instanceof Atom) out.push(tuple(item, this.nodeVsn(item.name)));
      else if (item instanceof Tuple && item.length === 2 && item.get(0) instanceof Atom && typeof item.get(1) === 'number') {
        out.push(item.get(1) === 0 ? tuple(item.get(0), this.nodeVsn((item.get(0) as Atom).name)) : item);
      }
    }
    return out;
  }

  /** `add_to_known`: the nodes that were not known before. */
  private addToKnown(list: Term[]): string[] {
    const added: string[] = [];
    for (const item of list) {
      const [node, vsn] =
        item instanceof Atom
          ? [item.name, 0]
          : item instanceof Tuple && item.length === 2 && item.get(0) instanceof Atom && typeof item.get(1) === 'number'
            ? [(item.get(0) as Atom).name, item.get(1)]
            : [];
      if (typeof node !== 'string' || node === this.host.me) continue;
      const current = this.known.get(node);
      if (current === undefined) {
        added.unshift(node);
        this.known.set(node, typeof vsn === 'number' ? vsn : 0);
      } else if (current < 0 && typeof vsn === 'number') {
        this.known.set(node, vsn);
      }
    }
    return added;
  }

  private cast(node: string, msg: Term): void {
    this.proc.send([GLOBAL_NAME_SERVER, node], tuple(GEN_CAST, msg));
  }

  /** `gns_volatile_send`: only over a connection that is up; never sets one up. */
  private volatileSend(node: string, msg: Term): void {
    if (this.host.isConnected(node)) this.proc.send([GLOBAL_NAME_SERVER, node], msg);
  }

  private volatileMulticast(msg: Term, ignore: string, minVsn: number, alsoPending: boolean): void {
    for (const [n, v] of this.known) if (n !== ignore && v >= minVsn) this.volatileSend(n, msg);
    if (alsoPending) for (const [n, v] of this.pending) if (n !== ignore && v >= minVsn) this.volatileSend(n, msg);
  }

  private unexpected(where: string, m: Term): void {
    this.warnings.log(`The global_name_server received an unexpected message: ${where}(${summary(m)})`);
  }
}

/** `node_list`: `[Node]` from `[Node]` or `[{Node, Vsn}]`. */
function nodeList(list: Term[]): string[] {
  const out: string[] = [];
  for (const item of list) {
    if (item instanceof Atom) out.push(item.name);
    else if (item instanceof Tuple && item.length === 2 && item.get(0) instanceof Atom) out.push((item.get(0) as Atom).name);
  }
  return out;
}

function hostOf(node: string): string {
  return node.slice(node.indexOf('@') + 1);
}

/** A bounded description of a message for a log line. */
function summary(m: Term): string {
  const text = m instanceof Tuple && m.get(0) instanceof Atom ? `{${(m.get(0) as Atom).name}, ...}/${m.length}` : typeof m;
  return text.slice(0, 200);
}
