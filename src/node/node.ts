/**
 * A node of an Erlang cluster: registers with EPMD (starting the embedded one when none listens),
 * accepts and initiates distribution connections, answers net_kernel's `is_auth` (ping), and
 * treats every signal for a process it does not have the way BEAM treats a dead process.
 */
import { EventEmitter } from 'events';
import * as net from 'net';
import { Atom, atom, ImproperList, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import {
  acceptHandshake,
  advertisedFlags,
  connectToNode,
  CookieSource,
  DistFlag,
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
import { DistMessage } from '../dist/message-reader';
import { CONTROL_ARITY, ControlOp, HAS_PAYLOAD } from './control';

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
}

/** A message for one of this node's pids or aliases. */
type Delivery = (message: Term, from: Term | undefined) => void;

const NET_KERNEL = atom('net_kernel');
const GEN_CALL = atom('$gen_call');
const IS_AUTH = atom('is_auth');
const ALIAS = atom('alias');
const YES = atom('yes');
const NOPROC = atom('noproc');
const EMPTY = atom('');

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
  private readonly mailboxes = new Map<number, Delivery>();
  private readonly aliases = new Map<string, Delivery>();
  private nextPid = 1;
  private nextRef = 1;
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
      if (epmd.origin === 'in-process') await epmd.server.close();
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
    const attempt = this.dial(peer).finally(() => this.pending.delete(peer));
    this.pending.set(peer, attempt);
    return attempt;
  }

  /** `net_adm:ping(Peer)`: `'pong'` when the node answers, `'pang'` otherwise. */
  async ping(peer: string, timeoutMs = 10_000): Promise<'pong' | 'pang'> {
    let conn: Connection;
    try {
      conn = await this.connect(peer);
    } catch {
      return 'pang';
    }
    const self = this.makePid();
    const ref = this.makeRef();
    const answer = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const onDown = (name: string) => name === peer && finish(false);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.mailboxes.delete(self.id);
        this.off('nodedown', onDown);
        resolve(ok);
      };
      this.on('nodedown', onDown);
      this.mailboxes.set(self.id, (message) => {
        if (message instanceof Tuple && message.length === 2 && message.get(0) instanceof Reference) {
          finish(message.get(1) === YES);
        }
      });
    });
    conn.send(tuple(ControlOp.RegSend, self, EMPTY, NET_KERNEL), tuple(GEN_CALL, tuple(self, ref), tuple(IS_AUTH, this.nameAtom)));
    return (await answer) ? 'pong' : 'pang';
  }

  /** A new pid of this node. */
  makePid(): Pid {
    const id = this.nextPid++;
    return new Pid(this.nameAtom, id & 0x7fffffff, Math.floor(id / 0x80000000), this.creation);
  }

  /** A new reference of this node. */
  makeRef(): Reference {
    const n = this.nextRef++;
    return new Reference(this.nameAtom, this.creation, [n & 0x3ffff, (n / 0x40000) >>> 0, (Math.random() * 0x100000000) >>> 0]);
  }

  /** Leave: unregister from EPMD, close every connection and the listener. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.connections.values()) c.close();
    await this.registration.unregister();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.epmd.origin === 'in-process') await this.epmd.server.close();
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`erlbridge ${this.name}: ${l}\n`)))(line);
  }

  private handshakeOptions() {
    return { ourName: this.name, cookie: this.cookie, creation: this.creation, flags: this.flags, timeoutMs: this.options.setupTimeout };
  }

  private async dial(peer: string): Promise<Connection> {
    try {
      const result = await connectToNode(peer, { ...this.handshakeOptions(), epmdPort: this.options.epmdPort, onAlive: () => true });
      return this.established(result);
    } catch (err) {
      // Simultaneous connect lost: the peer's own attempt to us is the connection.
      if (err instanceof HandshakeRefusedError && err.status === 'nok') return this.awaitIncoming(peer);
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
    try {
      const result = await acceptHandshake(socket, {
        ...this.handshakeOptions(),
        decideStatus: ({ name }) => {
          if (this.connections.has(name)) return 'alive';
          if (this.pending.has(name)) return simultaneousConnectStatus(this.name, name);
          return 'ok';
        },
        onAliveConfirmed: (name) => this.connections.get(name)?.close('closed'),
      });
      this.established(result);
    } catch (err) {
      this.log(`refused a connection from ${from}: ${(err as Error).message}`);
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
        this.dispatch(conn, m);
      } catch (err) {
        this.log(`closing the connection to ${conn.peer}: ${(err as Error).message}`);
        conn.close(err as Error);
      }
    });
    conn.on('close', (reason: CloseReason) => {
      if (this.connections.get(conn.peer) === conn) this.connections.delete(conn.peer);
      if (reason instanceof Error) this.log(`connection to ${conn.peer} closed: ${reason.message}`);
      this.emit('nodedown', conn.peer, reason instanceof Error ? reason.message : reason);
    });
    this.emit('nodeup', conn.peer);
    return conn;
  }

  private dispatch(conn: Connection, { control, payload }: DistMessage): void {
    if (!(control instanceof Tuple) || control.length === 0 || typeof control.get(0) !== 'number') {
      throw new Error('invalid distribution message: the control message is not a tuple starting with an operation');
    }
    const c = control.elements;
    const op = c[0] as number;
    if (CONTROL_ARITY[op] !== c.length || HAS_PAYLOAD.has(op) !== (payload !== undefined)) {
      throw new Error(`invalid distribution message: operation ${op} with ${c.length} elements${payload === undefined ? '' : ' and a payload'}`);
    }
    switch (op) {
      case ControlOp.Send:
      case ControlOp.SendTT:
        return this.deliverToPid(c[2], payload as Term, undefined);
      case ControlOp.SendSender:
      case ControlOp.SendSenderTT:
        return this.deliverToPid(c[2], payload as Term, c[1]);
      case ControlOp.AliasSend:
      case ControlOp.AliasSendTT:
        this.aliases.get(refKey(c[2]))?.(payload as Term, c[1]);
        return;
      case ControlOp.RegSend:
      case ControlOp.RegSendTT:
        return this.registeredSend(conn, c[3], payload as Term);
      case ControlOp.MonitorP:
        // net_kernel is always there; any other target is a process we do not have.
        if (c[2] !== NET_KERNEL) this.sendMonitorExit(conn, c[2], c[1], c[3], NOPROC);
        return;
      case ControlOp.Link:
        // Linking to a process that does not exist: it "exits" with noproc at once.
        conn.send(tuple(ControlOp.Exit, c[2], c[1], NOPROC));
        return;
      case ControlOp.UnlinkId:
        conn.send(tuple(ControlOp.UnlinkIdAck, c[1], c[3], c[2]));
        return;
      case ControlOp.SpawnRequest:
      case ControlOp.SpawnRequestTT:
        // No spawnable functions are served yet: refuse the way a node without the function would.
        conn.send(tuple(ControlOp.SpawnReply, c[1], c[2], 0, atom('notsup')));
        return;
      default:
        // Exits, demonitors, monitor exits, group leader, unlink acks for processes we do not have.
        return;
    }
  }

  private deliverToPid(to: Term, message: Term, from: Term | undefined): void {
    if (to instanceof Pid && to.node === this.nameAtom && to.creation === this.creation) {
      this.mailboxes.get(to.id + to.serial * 0x80000000)?.(message, from);
    }
  }

  private registeredSend(conn: Connection, name: Term, message: Term): void {
    if (name !== NET_KERNEL) return; // unknown names are dropped, as BEAM does
    // {'$gen_call', {From, Tag}, {is_auth, Node}}: net_adm:ping.
    if (!(message instanceof Tuple) || message.length !== 3 || message.get(0) !== GEN_CALL) return;
    const replyTo = message.get(1);
    const request = message.get(2);
    if (!(replyTo instanceof Tuple) || replyTo.length !== 2 || !(request instanceof Tuple) || request.get(0) !== IS_AUTH) return;
    const tag = replyTo.get(1);
    const reply = tuple(tag, YES);
    const alias = aliasOf(tag);
    if (alias) conn.send(tuple(ControlOp.AliasSend, this.makePid(), alias), reply);
    else if (replyTo.get(0) instanceof Pid) conn.send(tuple(ControlOp.SendSender, this.makePid(), replyTo.get(0)), reply);
  }

  private sendMonitorExit(conn: Connection, target: Term, watcher: Term, ref: Term, reason: Term): void {
    if ((conn.flags & DistFlag.EXIT_PAYLOAD) !== 0n) conn.send(tuple(ControlOp.PayloadMonitorPExit, target, watcher, ref), reason);
    else conn.send(tuple(ControlOp.MonitorPExit, target, watcher, ref, reason));
  }
}

/** gen's reply tags `[alias|Ref]` and `[[alias|Ref]|_]` name the alias to answer. */
function aliasOf(tag: Term): Reference | undefined {
  if (!(tag instanceof ImproperList)) return undefined;
  if (tag.elements.length === 1 && tag.elements[0] === ALIAS && tag.tail instanceof Reference) return tag.tail;
  const head = tag.elements[0];
  return head instanceof ImproperList ? aliasOf(head) : undefined;
}

function refKey(ref: Term): string {
  return ref instanceof Reference ? `${ref.node.name}/${ref.creation}/${ref.ids.join('.')}` : '';
}
