/**
 * Visible by default, hidden on request, and nodes that do not listen (`distListen: false`, as
 * erl's `-dist_listen false` and erl_call's node), between TypeScript nodes on a private EPMD:
 * what each side's `nodes(kind)`, `nodeInfo` and nodeup/nodedown info say, and that a node that
 * does not listen registers nothing and starts no EPMD.
 */
import { EpmdServer, listNames } from '../../handshake';
import { ErlNode, NodeInfo, NodeOptions } from '../../src/node/node';
import { freePort, listening } from '../support/otp-node-extra';
import { uniqueName } from '../support/otp';

let epmd: EpmdServer;
const cookie = uniqueName('cookie');
const started: ErlNode[] = [];

async function start(options: Partial<NodeOptions> = {}): Promise<ErlNode> {
  const node = await ErlNode.start({ name: uniqueName('vis'), cookie, epmdPort: epmd.port, log: () => undefined, ...options });
  started.push(node);
  return node;
}

function nextEvent(node: ErlNode, kind: 'nodeup' | 'nodedown', peer: string): Promise<NodeInfo> {
  return new Promise((resolve) => {
    const onUp = (name: string, info: NodeInfo) => {
      if (name !== peer) return;
      node.off('nodeup', onUp);
      resolve(info);
    };
    const onDown = (name: string, _reason: string, info: NodeInfo) => {
      if (name !== peer) return;
      node.off('nodedown', onDown);
      resolve(info);
    };
    if (kind === 'nodeup') node.on('nodeup', onUp);
    else node.on('nodedown', onDown);
  });
}

async function registered(): Promise<string[]> {
  return (await listNames({ port: epmd.port })).nodes.map((n) => n.name);
}

beforeAll(async () => {
  epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  for (const node of started) await node.stop();
  await epmd.close();
});

describe('visibility', () => {
  it('two nodes started with defaults are visible to each other: nodes() lists them, nodes(hidden) does not', async () => {
    const a = await start();
    const b = await start();
    expect([a.visible, b.visible]).toEqual([true, true]);
    const upThere = nextEvent(b, 'nodeup', a.name);
    const upHere = nextEvent(a, 'nodeup', b.name);
    expect(await a.ping(b.name)).toBe('pong');
    const [here, there] = [await upHere, await upThere];
    expect(here).toEqual({ visible: true, connectionId: expect.any(Number) as unknown });
    expect(there.visible).toBe(true);
    expect(a.nodes()).toEqual([b.name]);
    expect(a.nodes('visible')).toEqual([b.name]);
    expect(a.visibleNodes()).toEqual([b.name]);
    expect(a.nodes('hidden')).toEqual([]);
    expect(a.nodes('connected')).toEqual([b.name]);
    expect(b.nodes()).toEqual([a.name]);
    const conn = await a.connect(b.name);
    expect(conn.visible).toBe(true);
    expect(conn.connectionId).toBe(here.connectionId);
    expect(a.nodeInfo(b.name)).toEqual(here);
    expect(a.nodeInfo(uniqueName('nobody'))).toBeUndefined();
  });

  it('gives every connection its own id, and nodedown carries the id of the connection that went down', async () => {
    const a = await start();
    const b = await start();
    const firstUp = nextEvent(a, 'nodeup', b.name);
    await a.connect(b.name);
    const first = await firstUp;
    const down = nextEvent(a, 'nodedown', b.name);
    a.disconnect(b.name);
    expect(await down).toEqual(first);
    const secondUp = nextEvent(a, 'nodeup', b.name);
    await a.connect(b.name);
    const second = await secondUp;
    expect(second.visible).toBe(true);
    expect(second.connectionId).not.toBe(first.connectionId);
    // Ids are unique within the node across peers too.
    const c = await start();
    const thirdUp = nextEvent(a, 'nodeup', c.name);
    await a.connect(c.name);
    expect([first.connectionId, second.connectionId]).not.toContain((await thirdUp).connectionId);
  });

  it.each([
    ['hidden: true', { hidden: true }],
    ['visible: false', { visible: false }],
    ['hidden: true and visible: true (hidden wins)', { hidden: true, visible: true }],
  ] as const)('a node started with %s makes hidden connections, on both sides', async (_label, options) => {
    const shy = await start(options);
    const open = await start();
    expect(shy.visible).toBe(false);
    const up = nextEvent(open, 'nodeup', shy.name);
    expect(await shy.ping(open.name)).toBe('pong');
    expect((await up).visible).toBe(false);
    expect(shy.nodes()).toEqual([]);
    expect(shy.nodes('hidden')).toEqual([open.name]);
    expect(open.nodes()).toEqual([]);
    expect(open.nodes('hidden')).toEqual([shy.name]);
    expect(open.nodes('connected')).toEqual([shy.name]);
    expect((await open.connect(shy.name)).visible).toBe(false);
    // Hidden is about the handshake only: the node is still registered and can be dialled.
    expect(await registered()).toContain(shy.name.split('@')[0]);
  });

  it('nodes() refuses a kind erl does not have', async () => {
    const a = await start();
    expect(() => a.nodes('all' as 'connected')).toThrow(TypeError);
  });
});

describe('distListen: false', () => {
  it('starts no EPMD where none runs, registers nothing, is hidden, and takes a random creation of 4..2^32-1', async () => {
    const port = await freePort();
    const node = await ErlNode.start({
      name: uniqueName('noisy'),
      cookie,
      epmdPort: port,
      distListen: false,
      visible: true,
      log: () => undefined,
    });
    try {
      expect(node.epmd).toEqual({ origin: 'none', port });
      expect(node.distListen).toBe(false);
      expect(node.visible).toBe(false);
      expect(node.creation).toBeGreaterThanOrEqual(4);
      expect(node.creation).toBeLessThan(2 ** 32);
      expect(await listening(port)).toBe(false);
      // Its pids carry that creation.
      expect(node.spawn().pid.creation).toBe(node.creation);
    } finally {
      await node.stop();
    }
    expect(await listening(port)).toBe(false);
  });

  it('creations differ between nodes that do not listen', async () => {
    const creations = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const node = await ErlNode.start({ name: uniqueName('cr'), cookie, epmdPort: epmd.port, distListen: false, log: () => undefined });
      creations.add(node.creation);
      await node.stop();
    }
    expect(creations.size).toBe(5);
  });

  it('dials out: a hidden connection both sides, while EPMD never lists it and nobody can dial it', async () => {
    const open = await start();
    const dialer = await start({ distListen: false });
    const alive = dialer.name.split('@')[0];
    expect(await registered()).not.toContain(alive);
    const up = nextEvent(open, 'nodeup', dialer.name);
    expect(await dialer.ping(open.name)).toBe('pong');
    expect((await up).visible).toBe(false);
    expect(open.nodes('hidden')).toEqual([dialer.name]);
    expect(open.nodes()).toEqual([]);
    expect(dialer.nodes('hidden')).toEqual([open.name]);
    expect(await registered()).not.toContain(alive);
    // The other side uses the connection it made, both ways.
    expect(await open.ping(dialer.name)).toBe('pong');
    // Once it is gone, it cannot be reached: it is in no EPMD.
    const down = nextEvent(open, 'nodedown', dialer.name);
    await dialer.stop();
    await down;
    expect(await open.ping(dialer.name, { timeout: 2000 })).toBe('pang');
  });
});
