/**
 * The node's connections (src/node/peers.ts) at their seam, without erl: two Peers on loopback
 * with an embedded EPMD connect on demand, keep signals in order while connecting, agree on one
 * connection when both dial at once, and report nodeup/nodedown. test/node/reconnect.test.ts and
 * cluster.test.ts do the same against real erl nodes.
 */
import * as os from 'os';
import { atom, Pid, Term, tuple } from '../../codec';
import { advertisedFlags, DistListener, EpmdRegistration, EpmdServer, registerNode, resolveCookie, tcpTransport } from '../../handshake';
import { ControlOp } from '../../src/dist/control';
import { Peers } from '../../src/node/peers';

const host = os.hostname().split('.')[0];
let epmd: EpmdServer;
const cleanUp: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  for (const f of cleanUp.splice(0).reverse()) await f();
});

afterAll(async () => {
  await epmd.close();
});

let serial = 0;

/** A Peers with its own listener, registered in the test's EPMD. */
async function peerNamed(
  alive: string,
  cookie = 'peers-cookie',
): Promise<{ peers: Peers; name: string; received: Term[]; logs: string[] }> {
  const name = `${alive}${process.pid}x${serial++}@${host}`;
  const listener: DistListener = await tcpTransport.listen({ port: 0 });
  const registration: EpmdRegistration = await registerNode(name.split('@')[0], listener.port, { port: epmd.port });
  const logs: string[] = [];
  const peers = new Peers({
    name,
    cookie: resolveCookie({ cookie }),
    creation: registration.creation,
    flags: advertisedFlags(),
    epmdPort: epmd.port,
    setupTimeout: 3000,
    log: (l) => logs.push(l),
  });
  const received: Term[] = [];
  peers.on('message', (_conn, m) => received.push(m.payload ?? m.control));
  listener.onConnection((socket) => void peers.accept(socket));
  cleanUp.push(async () => {
    peers.close();
    await listener.close();
    await registration.unregister();
  });
  return { peers, name, received, logs };
}

const SENDER = new Pid(atom('x@y'), 1, 0, 1);

/** A REG_SEND of `message` to the name `sink`. */
function regSend(message: Term): () => [Term, Term] {
  return () => [tuple(ControlOp.RegSend, SENDER, atom(''), atom('sink')), message];
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Peers', () => {
  it('a signal to a node not yet connected dials it, and signals keep their order while it connects', async () => {
    const a = await peerNamed('pa');
    const b = await peerNamed('pb');
    const ups: string[] = [];
    a.peers.on('nodeup', (p) => ups.push(p));
    for (let i = 0; i < 50; i++) a.peers.signal(b.name, regSend(i));
    await settle(300);
    expect(b.received).toEqual([...Array(50).keys()]);
    expect(ups).toEqual([b.name]);
    expect(a.peers.nodes()).toEqual([b.name]);
    expect(b.peers.nodes()).toEqual([a.name]);
  });

  it('a node that cannot be reached runs onNoConnection for every waiting signal, in order', async () => {
    const a = await peerNamed('pc');
    const failed: number[] = [];
    for (let i = 0; i < 3; i++) a.peers.signal(`nobody@${host}`, regSend(i), () => failed.push(i));
    await settle(300);
    expect(failed).toEqual([0, 1, 2]);
    expect(a.peers.nodes()).toEqual([]);
  });

  it('both dialling at once ends with one connection each way, and closing it is nodedown on both sides', async () => {
    const a = await peerNamed('pd');
    const b = await peerNamed('pe');
    const events: string[] = [];
    for (const [label, p] of [
      ['a', a],
      ['b', b],
    ] as const) {
      p.peers.on('nodeup', () => events.push(`${label} up`));
      p.peers.on('nodedown', (_peer, why) => events.push(`${label} down ${why}`));
    }
    const [ab, ba] = await Promise.all([a.peers.connect(b.name), b.peers.connect(a.name)]);
    await settle(50);
    expect(events.sort()).toEqual(['a up', 'b up']);
    expect(a.peers.get(b.name)).toBe(ab);
    expect(b.peers.get(a.name)).toBe(ba);
    ab.close();
    await settle(100);
    expect(events.sort()).toEqual(['a down closed', 'a up', 'b down peer_closed', 'b up']);
    expect(a.peers.nodes()).toEqual([]);
  });

  it('a wrong cookie is refused and logged on the accepting side, and the dial fails', async () => {
    const a = await peerNamed('pf', 'one');
    const b = await peerNamed('pg', 'other');
    await expect(a.peers.connect(b.name)).rejects.toThrow();
    await settle(50);
    expect(b.logs.join('\n')).toMatch(/refused a connection/);
    expect(b.peers.nodes()).toEqual([]);
  });

  it('a message the node refuses to handle closes only that connection, with the reason logged', async () => {
    const a = await peerNamed('ph');
    const b = await peerNamed('pi');
    const c = await peerNamed('pj');
    b.peers.removeAllListeners('message');
    b.peers.on('message', () => {
      throw new Error('bad message');
    });
    await a.peers.connect(b.name);
    await c.peers.connect(b.name);
    a.peers.signal(b.name, regSend(1));
    await settle(100);
    expect(b.peers.nodes()).toEqual([c.name]);
    expect(b.logs.join('\n')).toMatch(new RegExp(`connection to ${a.name} closed: bad message`));
  });
});
