/**
 * `ErlNode.connect` and `ping` with `timeout` and `signal`, without erl: a peer that accepts and
 * never speaks (registered in EPMD like a node) must not hold a caller past its deadline.
 */
import * as net from 'net';
import { ErlTimeoutError } from '../../src';
import { EpmdServer, listNames, registerNode } from '../../handshake';
import { ErlNode } from '../../src/node/node';

let epmd: EpmdServer;
let node: ErlNode;
let silent: net.Server;
const sockets: net.Socket[] = [];
let silentName: string;

beforeAll(async () => {
  epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
  node = await ErlNode.start({ name: `conn${process.pid}`, cookie: 'connect-test', epmdPort: epmd.port, log: () => undefined });
  silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const alive = `silent${process.pid}`;
  const registration = await registerNode(alive, (silent.address() as net.AddressInfo).port, { port: epmd.port });
  silentName = `${alive}@${node.name.split('@')[1]}`;
  afterAllCleanUp.push(() => registration.unregister());
});

const afterAllCleanUp: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent.close();
  for (const f of afterAllCleanUp) await f();
  await node.stop();
  await epmd.close();
});

describe('connect and ping with timeout and signal', () => {
  it('connect rejects with ErlTimeoutError once its timeout passes, and with signal.reason when aborted', async () => {
    const started = Date.now();
    const timedOut = await node.connect(silentName, { timeout: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(ErlTimeoutError);
    expect((timedOut as ErlTimeoutError).operation).toBe('connect');
    expect(Date.now() - started).toBeLessThan(2000);

    const controller = new AbortController();
    const aborted = node.connect(silentName, { signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(aborted).rejects.toThrow('changed my mind');
  });

  it('start with an aborted signal rejects with its reason and registers nothing', async () => {
    const name = `aborted${process.pid}`;
    const signal = AbortSignal.abort(new Error('not today'));
    await expect(ErlNode.start({ name, cookie: 'connect-test', epmdPort: epmd.port, signal })).rejects.toThrow('not today');
    const { nodes } = await listNames({ port: epmd.port });
    expect(nodes.map((n) => n.name)).not.toContain(name);
  });

  it('disconnect closes the connection (nodedown on both sides) and is false for a node not connected', async () => {
    const other = await ErlNode.start({ name: `conn2${process.pid}`, cookie: 'connect-test', epmdPort: epmd.port, log: () => undefined });
    try {
      expect(await node.ping(other.name, { timeout: 3000 })).toBe('pong');
      const downHere = new Promise<string>((resolve) => node.once('nodedown', (_peer, why) => resolve(why)));
      const downThere = new Promise<string>((resolve) => other.once('nodedown', (_peer, why) => resolve(why)));
      expect(node.disconnect(other.name)).toBe(true);
      expect(await downHere).toBe('closed');
      expect(await downThere).toBe('peer_closed');
      expect(node.nodes()).toEqual([]);
      expect(node.disconnect(other.name)).toBe(false);
    } finally {
      await other.stop();
    }
  });

  it('ping answers pang within its timeout', async () => {
    const started = Date.now();
    expect(await node.ping(silentName, { timeout: 200 })).toBe('pang');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
