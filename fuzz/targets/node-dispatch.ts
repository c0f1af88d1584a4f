/**
 * Control messages dispatched into a real node (src/node/dispatch.ts, remote-signals.ts, the
 * process table) through the seam an accepted connection uses: a hostile peer completes the
 * handshake over an in-memory socket pair, then sends control tuples of every operation with
 * input-chosen arities and elements (pids, references and ports of the peer, of our node and of a
 * third node; atoms, names, MFAs, option lists), or raw bytes as a whole frame.
 *
 * One node lives across inputs. After each input the peer closes, and:
 * - the connection must have ended with a `DistError` or the peer's close (any other error is a
 *   throw that escaped from dispatch);
 * - the node's own processes hold no link or monitor to a node it is not connected to;
 * - the node still answers: its registered process (replaced if the peer killed it) gets a
 *   message and replies.
 *
 * Input: one byte of choices (bit 0: raw frame; bit 1: distribution headers with atom cache and
 * fragments), then the choices of each message (see {@link element}) or the raw frame's body.
 */
import { Atom, atom, Pid, Port, Reference, Term, Tuple, tuple } from '../../codec';
import { Cookie, DEFAULT_DIST_FLAGS, DistFlag, initiateHandshake, lengthPrefixed } from '../../handshake';
import { CONTROL_ARITY, HAS_PAYLOAD } from '../../src/dist/control';
import type { CloseReason, Connection } from '../../src/dist/connection';
import { DistError } from '../../src/dist/errors';
import { MessageWriter } from '../../src/dist/message-writer';
import { ErlNode } from '../../src/node/node';
import type { ErlProcess } from '../../src/process/process';
import type { FuzzTarget } from '../target';
import { fixtureTerms } from '../support/etf-fixtures';
import { FuzzedData } from '../support/fuzzed-data';
import { memorySocketPair, MemorySocket, nextTurn } from '../support/memory-socket';

const COOKIE = 'fuzzcookie';
const RAW = 1;
const HEADERS = 2;
const HEADER_FLAGS = DistFlag.DIST_HDR_ATOM_CACHE | DistFlag.FRAGMENTS;
const PING = atom('fuzz_ping');
const SINK_NAME = 'fuzz_sink';
const OPS = Object.keys(CONTROL_ARITY).map(Number);
const ATOMS = [
  SINK_NAME,
  'rex',
  'net_kernel',
  'global_name_server',
  'pg',
  'nosuch',
  '',
  'erlang',
  'apply',
  'io',
  'link',
  'monitor',
  'kill',
  'normal',
].map((name) => atom(name));
const FIXTURE_TERMS = fixtureTerms();

/** The node under test, its peer's name, and the processes whose links and monitors are checked. */
interface Harness {
  node: ErlNode;
  peerName: string;
  thirdNode: Atom;
  /** A registered process that traps exits (so links stay to be checked) and answers {@link PING}. */
  sink: ErlProcess;
  /** An unregistered process that dies of exit signals (and is replaced). */
  plain: ErlProcess;
  pinged: (() => void) | undefined;
}

let harness: Promise<Harness> | undefined;

function runSink(h: Harness, self: ErlProcess): Promise<void> {
  self.trapExit = true;
  return (async () => {
    for (;;) {
      const message = await self.receive();
      if (message === PING) h.pinged?.();
    }
  })();
}

function spawnPlain(h: Harness): ErlProcess {
  return h.node.spawn((self) => self.receive());
}

async function startHarness(): Promise<Harness> {
  const node = await ErlNode.start({ name: 'fuzzdispatch', cookie: COOKIE, distListen: false, log: () => undefined });
  const host = node.name.slice(node.name.indexOf('@') + 1);
  return { node, peerName: `fuzzpeer@${host}`, thirdNode: atom(`third@${host}`), pinged: undefined } as Harness;
}

/** Replace the processes a peer may legitimately have ended (an EXIT2 with reason `kill` ends even the sink). */
function ensureProcesses(h: Harness): void {
  if (!h.sink?.alive) {
    h.sink = h.node.spawn((self) => runSink(h, self));
    h.node.register(SINK_NAME, h.sink);
  }
  if (!h.plain?.alive) h.plain = spawnPlain(h);
}

/** The node's connection seam: a listener hands accepted sockets to its peers' `accept`. */
function accept(node: ErlNode, socket: MemorySocket): void {
  const peers = (node as unknown as { peers: { accept(socket: unknown): Promise<void> } }).peers;
  void peers.accept(socket.asSocket);
}

/** One element of a control tuple, of an input-chosen kind. */
function element(h: Harness, data: FuzzedData, depth = 0): Term {
  const ours = h.node.nameAtom;
  const peer = atom(h.peerName);
  switch (data.below(16)) {
    case 0:
      return h.sink.pid;
    case 1:
      return h.plain.pid;
    case 2:
      return new Pid(peer, data.byte(), 0, 7);
    case 3:
      return new Pid(h.thirdNode, data.byte(), 0, 9);
    case 4:
      return new Pid(ours, 100_000 + data.byte(), 0, h.node.creation);
    case 5:
      return new Reference(peer, 7, [data.u32(), data.u32(), 0]);
    case 6:
      return new Reference(data.bool() ? ours : h.thirdNode, h.node.creation, [data.u32(), data.u32(), 0]);
    case 7:
      return data.pick(ATOMS);
    case 8:
      return data.byte() - 128;
    case 9:
      return tuple(data.pick(ATOMS), data.pick(ATOMS), data.byte() % 4);
    case 10:
      return [atom('link'), atom('monitor'), tuple(atom('reply'), atom('yes'))].slice(0, data.byte() % 4);
    case 11:
      return new Port(data.bool() ? peer : ours, data.byte(), 7);
    case 12:
      return data.pick(FIXTURE_TERMS);
    case 13:
      return depth < 2 ? tuple(element(h, data, depth + 1), element(h, data, depth + 1)) : [];
    case 14:
      return depth < 2 ? [element(h, data, depth + 1)] : atom('nil');
    default:
      return data.bytes(data.byte() % 8);
  }
}

/** A control message: mostly the right arity for its operation, sometimes one off, or no operation at all. */
function controlMessage(h: Harness, data: FuzzedData): [Term, Term?] {
  const shape = data.byte();
  const op = shape % 16 === 15 ? data.byte() : data.pick(OPS);
  const arity = (CONTROL_ARITY[op] ?? 1 + (data.byte() % 7)) + (shape % 8 === 7 ? (shape & 0x80 ? 1 : -1) : 0);
  const elements: Term[] = [shape % 32 === 31 ? data.pick(ATOMS) : op];
  for (let i = 1; i < arity; i++) elements.push(element(h, data));
  const payload = HAS_PAYLOAD.has(op) !== (shape % 16 === 14) ? element(h, data) : undefined;
  return [new Tuple(elements), payload];
}

function closeReason(conn: Connection): Promise<CloseReason> {
  return new Promise((resolve) => conn.once('close', resolve));
}

/** Resolves once the sink has received a ping sent now (all that was sent to it before came first). */
function pingSink(h: Harness): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${SINK_NAME} did not answer within 200 ms`)), 200);
    h.pinged = () => {
      clearTimeout(timer);
      h.pinged = undefined;
      resolve();
    };
    h.node.send(SINK_NAME, PING);
  });
}

/** Links and monitors of `proc` that point at a node we are not connected to. */
function strayBonds(h: Harness, proc: ErlProcess): string[] {
  const connected = new Set([h.node.name, ...h.node.nodes('connected')]);
  const stray: string[] = [];
  for (const pid of proc.links.values()) if (!connected.has(pid.node.name)) stray.push(`a link to a process of ${pid.node.name}`);
  for (const { watcher } of proc.monitoredBy.values()) {
    if (!connected.has(watcher.node.name)) stray.push(`a monitor by a process of ${watcher.node.name}`);
  }
  return stray;
}

async function run(input: Buffer): Promise<void> {
  harness ??= startHarness();
  const h = await harness;
  ensureProcesses(h);
  const data = new FuzzedData(input);
  const options = data.byte();
  const [ours, theirs] = memorySocketPair();
  accept(h.node, ours);
  const flags = options & HEADERS ? DEFAULT_DIST_FLAGS : DEFAULT_DIST_FLAGS & ~HEADER_FLAGS;
  const link = await initiateHandshake(theirs.asSocket, {
    ourName: h.peerName,
    peerName: h.node.name,
    cookie: Cookie.fromString(COOKIE),
    creation: 7,
    flags,
    timeout: 200,
  });
  link.socket.on('data', () => undefined);
  link.socket.resume();
  const conn = await h.node.connect(h.peerName, { timeout: 200 });
  const closed = closeReason(conn);

  if (options & RAW) {
    link.socket.write(lengthPrefixed(data.rest(), 4));
  } else {
    const headers = (link.negotiatedFlags & HEADER_FLAGS) !== 0n;
    const writer = new MessageWriter({ headers, atomCache: headers, fragments: headers, fragmentSize: 64 });
    while (data.remaining > 0) {
      const [control, payload] = controlMessage(h, data);
      link.socket.write(Buffer.concat(writer.write(control, payload)));
    }
  }
  await nextTurn();
  link.socket.end();
  const reason = await closed;
  if (reason instanceof Error && !(reason instanceof DistError)) throw reason;

  for (const proc of [h.sink, h.plain]) {
    const stray = strayBonds(h, proc);
    if (stray.length > 0) throw new Error(`after the peer left, ${proc === h.sink ? SINK_NAME : 'a process'} keeps ${stray.join(', ')}`);
  }
  ensureProcesses(h);
  await pingSink(h);
}

function seeds(): Buffer[] {
  // Each op twice, with the right arity: elements of the peer and our node in pass-through
  // frames, and with a third node's pid first (which link and monitor operations refuse) under
  // the distribution header.
  const fromPeer = Buffer.from([0, 2, 0, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8, 7, 0, 9, 1, 2, 3, 10, 2, 12, 4]);
  const fromThird = Buffer.from([3, 1, 0, 0, 5, 1, 2, 3, 4, 6, 1, 1, 2, 3, 4, 5, 6, 7, 8, 7, 0, 9, 1]);
  const out: Buffer[] = [];
  for (const i of OPS.keys()) {
    // A shape byte of 0 or 16 keeps the arity and the payload as the operation has them.
    const shape = Buffer.from([16 * (i % 2), i]);
    out.push(Buffer.concat([Buffer.from([0]), shape, fromPeer]));
    out.push(Buffer.concat([Buffer.from([HEADERS]), shape, fromThird]));
  }
  out.push(Buffer.concat([Buffer.from([RAW]), Buffer.from([112, 131, 104, 1, 97, 99])]));
  return out;
}

export const target: FuzzTarget = {
  name: 'node-dispatch',
  covers: ['src/node/dispatch.ts', 'src/node/remote-signals.ts', 'src/node/peers.ts', 'src/process/table.ts'],
  seeds,
  run,
  expected: () => false,
  dictionary: OPS.map((op) => Buffer.from([op])),
};
