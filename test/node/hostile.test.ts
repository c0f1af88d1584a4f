/**
 * A hostile or broken peer after the handshake: oversized length prefixes, truncated and garbage
 * frames, and control operations we do not know each close that one connection (with a log line
 * naming the peer) and nothing else: a real erl and a well-behaved bystander stay connected.
 */
import { atom, Encoder, Pid, Term, tuple } from '../../codec';
import { connectToNode, DEFAULT_DIST_FLAGS, DistFlag, EpmdServer, resolveCookie } from '../../handshake';
import { Connection } from '../../src/dist/connection';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { NodeEvents, sleep, waitFor } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';
import type { Socket } from 'net';

const MAX_FRAME = 1 << 20;
const HEADERS = DistFlag.DIST_HDR_ATOM_CACHE | DistFlag.FRAGMENTS;
const REG_SEND = 6;

interface RawPeer {
  name: string;
  socket: Socket;
  closed: Promise<void>;
  isClosed(): boolean;
  /** A whole frame (length prefix included) in the format the handshake negotiated. */
  frame(control: Term, payload?: Term): Buffer;
  /** A pid of the raw peer, as a sender. */
  pid: Pid;
}

function lengthPrefixed(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

describeOtp('hostile peers', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let events: NodeEvents;
  let erlConn: Connection;
  let bystander: RawPeer;
  let sink: ErlProcess;
  const cookie = uniqueName('cookie');
  const logs: string[] = [];
  const encoder = new Encoder();

  async function rawPeer(options: { headers?: boolean } = {}): Promise<RawPeer> {
    const name = `${uniqueName('raw')}@${ts.name.split('@')[1]}`;
    const flags = options.headers === false ? DEFAULT_DIST_FLAGS & ~HEADERS : undefined;
    const link = await connectToNode(ts.name, {
      ourName: name,
      cookie: resolveCookie({ cookie }),
      creation: 5,
      epmdPort: epmd.port,
      flags,
    });
    const headers = (link.negotiatedFlags & HEADERS) !== 0n;
    expect(headers).toBe(options.headers !== false);
    let closed = false;
    const closedP = new Promise<void>((resolve) =>
      link.socket.on('close', () => {
        closed = true;
        resolve();
      }),
    );
    link.socket.on('error', () => undefined);
    link.socket.resume();
    await waitFor(`${name} to be up`, () => ts.nodes('connected').includes(name));
    return {
      name,
      socket: link.socket,
      closed: closedP,
      isClosed: () => closed,
      pid: new Pid(atom(name), 1, 0, 5),
      frame: (control, payload) => {
        const parts = headers
          ? [
              Buffer.from([131, 68, 0]),
              encoder.encodeWithoutVersion(control),
              ...(payload === undefined ? [] : [encoder.encodeWithoutVersion(payload)]),
            ]
          : [Buffer.from([112]), encoder.encode(control), ...(payload === undefined ? [] : [encoder.encode(payload)])];
        return lengthPrefixed(Buffer.concat(parts));
      },
    };
  }

  /** A REG_SEND of `{hi, Tag}` to the TS process `hostile_sink`, which must get it. */
  async function deliveredThrough(peer: RawPeer, tag: number): Promise<void> {
    peer.socket.write(peer.frame(tuple(REG_SEND, peer.pid, atom(''), atom('hostile_sink')), tuple(atom('hi'), tag)));
    const got = await sink.receive(
      (m) => (m instanceof Object && 'get' in m && (m as { get(i: number): Term }).get(1) === tag ? m : undefined),
      { timeout: 5000 },
    );
    expect(got).toBeDefined();
  }

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({
      name: uniqueName('ts'),
      cookie,
      epmdPort: epmd.port,
      limits: { maxFrame: MAX_FRAME },
      log: (l) => logs.push(l),
    });
    events = new NodeEvents(ts);
    sink = ts.spawn(undefined, { name: 'hostile_sink' });
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
    erlConn = await ts.connect(erl.name);
    bystander = await rawPeer();
    events.clear();
  });

  afterAll(async () => {
    events?.dispose();
    bystander?.socket.destroy();
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('a raw peer speaking properly is served (both wire formats), so the frames below are wrong only where meant', async () => {
    await deliveredThrough(bystander, 1);
    const plain = await rawPeer({ headers: false });
    await deliveredThrough(plain, 2);
    expect(plain.isClosed()).toBe(false);
    plain.socket.destroy();
  });

  type Attack = (peer: RawPeer) => Promise<void> | void;
  const cases: Array<[string, { headers?: boolean }, Attack, RegExp | 'peer_closed']> = [
    ['a length prefix of 4 GiB - 1', {}, (p) => void p.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff])), /exceeds the limit/],
    [
      'a length prefix one byte over our limit, split across two writes',
      {},
      async (p) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(MAX_FRAME + 1);
        p.socket.write(len.subarray(0, 2));
        await sleep(20);
        p.socket.write(len.subarray(2));
      },
      /exceeds the limit/,
    ],
    [
      'a frame cut short, then the peer closes its side',
      {},
      (p) => {
        const whole = p.frame(tuple(REG_SEND, p.pid, atom(''), atom('hostile_sink')), tuple(atom('hi'), 3));
        p.socket.end(whole.subarray(0, whole.length - 3));
      },
      'peer_closed',
    ],
    [
      'a complete frame whose term is cut short',
      {},
      (p) => void p.socket.write(lengthPrefixed(Buffer.from([131, 68, 0, 104, 4, 97, 6, 119]))),
      /undecodable/,
    ],
    [
      'an unknown distribution header (131, 99)',
      {},
      (p) => void p.socket.write(lengthPrefixed(Buffer.from([131, 99, 0, 97, 1]))),
      /unknown distribution header/,
    ],
    [
      'an atom cache header that refers to entries it never made',
      {},
      (p) => void p.socket.write(lengthPrefixed(Buffer.from([131, 68, 3, 0x11, 0x01, 7, 8, 9, 82, 0]))),
      /empty cache slot/,
    ],
    [
      'bytes after the payload',
      {},
      (p) => {
        const f = p.frame(tuple(REG_SEND, p.pid, atom(''), atom('hostile_sink')), tuple(atom('hi'), 4));
        const body = Buffer.concat([f.subarray(4), Buffer.from([97, 1])]);
        p.socket.write(lengthPrefixed(body));
      },
      /bytes after the payload/,
    ],
    [
      'an unknown control operation (99) in a valid 131,68 frame',
      {},
      (p) => void p.socket.write(p.frame(tuple(99, p.pid, atom('x')))),
      /operation 99/,
    ],
    ['a control message that is not a tuple', {}, (p) => void p.socket.write(p.frame(atom('hello'))), /not a tuple/],
    [
      'a REG_SEND without its payload',
      {},
      (p) => void p.socket.write(p.frame(tuple(REG_SEND, p.pid, atom(''), atom('hostile_sink')))),
      /operation 6/,
    ],
    [
      'a distribution header on a pass-through connection',
      { headers: false },
      (p) => void p.socket.write(lengthPrefixed(Buffer.from([131, 68, 0, 97, 1]))),
      /pass-through/,
    ],
    [
      'random bytes',
      {},
      (p) => void p.socket.write(lengthPrefixed(Buffer.from('a3f1c07d5e9b2a4400ff13', 'hex'))),
      /does not start with 131/,
    ],
  ];

  it.each(cases)('%s closes only that connection', async (_label, options, attack, expected) => {
    const peer = await rawPeer(options);
    const down = events.next('nodedown', peer.name, 10000);
    const logged = logs.length;
    await attack(peer);
    const event = await down;
    await peer.closed;
    expect(ts.nodes('connected')).not.toContain(peer.name);
    const lines = logs.slice(logged).filter((l) => l.includes(peer.name));
    if (expected === 'peer_closed') {
      expect(event.reason).toBe('peer_closed');
      // The half frame was dropped: nothing of it reached the process.
      expect(await sink.receive(undefined, { timeout: 50 }).catch(() => 'nothing')).toBe('nothing');
    } else {
      expect(lines.join('\n')).toMatch(expected);
      expect(event.reason).not.toBe('peer_closed');
    }
    // Everyone else is still there, on the same connections.
    expect(bystander.isClosed()).toBe(false);
    expect(ts.nodes('hidden')).toContain(bystander.name);
    expect(await ts.connect(erl.name)).toBe(erlConn);
    expect(await ts.ping(erl.name)).toBe('pong');
    expect(events.about(erl.name)).toEqual([]);
  });

  it('after all that, the bystander and erl still get through', async () => {
    await deliveredThrough(bystander, 5);
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
    expect(erlConn.isClosed).toBe(false);
  });
});
