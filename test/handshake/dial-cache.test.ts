import { promises as dns } from 'dns';
import {
  acceptHandshake,
  connectToNode,
  ConnectOptions,
  Cookie,
  DialCache,
  DistListener,
  EpmdRegistration,
  EpmdServer,
  HandshakeStatus,
  registerNode,
  tcpTransport,
} from '../../handshake';

const COOKIE = Cookie.fromString('sesame');

/** A TypeScript node that only accepts: listens, registers in EPMD, answers every handshake. */
interface Peer {
  port: number;
  /** How each handshake it accepted ended: its peer's name, or the error. */
  outcomes: Array<Promise<string>>;
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
let epmd: EpmdServer;

beforeEach(async () => {
  epmd = await EpmdServer.start({ port: 0 });
  cleanups.push(() => epmd.close());
});

afterEach(async () => {
  jest.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startPeer(name: string, { port = 0, status = 'ok' }: { port?: number; status?: HandshakeStatus } = {}): Promise<Peer> {
  const listener: DistListener = await tcpTransport.listen({ port });
  const outcomes: Array<Promise<string>> = [];
  listener.onConnection((socket) => {
    const outcome = acceptHandshake(socket, { ourName: name, cookie: COOKIE, creation: 7, decideStatus: () => status }).then((result) => {
      result.socket.destroy();
      return result.peerName;
    });
    outcome.catch(() => undefined);
    outcomes.push(outcome);
  });
  const registration: EpmdRegistration = await registerNode(name.split('@')[0], listener.port, { port: epmd.port });
  const peer = {
    port: listener.port,
    outcomes,
    stop: async () => {
      await registration.unregister();
      await listener.close();
    },
  };
  cleanups.push(() => peer.stop());
  return peer;
}

function options(ourName: string, cache?: DialCache): ConnectOptions {
  return { ourName, cookie: COOKIE, creation: 3, epmdPort: epmd.port, timeout: 2000, cache };
}

async function dial(peerName: string, opts: ConnectOptions): Promise<string> {
  const result = await connectToNode(peerName, opts);
  result.socket.destroy();
  return result.peerName;
}

describe('connectToNode: host lookups', () => {
  it('makes no DNS lookup for a host that is an IP address', async () => {
    await startPeer('bob@127.0.0.1');
    const lookup = jest.spyOn(dns, 'lookup');
    expect(await dial('bob@127.0.0.1', options('alice@127.0.0.1'))).toBe('bob@127.0.0.1');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('resolves a host name once per dial, and with a cache once across dials', async () => {
    await startPeer('bob@localhost');
    const lookup = jest.spyOn(dns, 'lookup');
    await dial('bob@localhost', options('alice@localhost'));
    expect(lookup).toHaveBeenCalledTimes(1);
    const cache = new DialCache();
    await dial('bob@localhost', options('alice@localhost', cache));
    await dial('bob@localhost', options('alice@localhost', cache));
    expect(lookup).toHaveBeenCalledTimes(2);
  });
});

describe('connectToNode with a DialCache', () => {
  it("remembers EPMD's answer: the next dial needs no EPMD", async () => {
    await startPeer('bob@localhost');
    const cache = new DialCache();
    await dial('bob@localhost', options('alice@localhost', cache));
    await epmd.close();
    expect(await dial('bob@localhost', options('alice@localhost', cache))).toBe('bob@localhost');
  });

  it('reaches a peer restarted on a new port on the next connect', async () => {
    const first = await startPeer('bob@127.0.0.1');
    const cache = new DialCache();
    await dial('bob@127.0.0.1', options('alice@127.0.0.1', cache));
    await first.stop();
    const second = await startPeer('bob@127.0.0.1');
    expect(second.port).not.toBe(first.port);
    expect(await dial('bob@127.0.0.1', options('alice@127.0.0.1', cache))).toBe('bob@127.0.0.1');
    expect(cache.node({ address: '127.0.0.1', epmdPort: epmd.port, alive: 'bob' })?.port).toBe(second.port);
  });

  it('asks EPMD again when another node now listens on the remembered port, and never answers its alive with true', async () => {
    const first = await startPeer('bob@127.0.0.1');
    const cache = new DialCache();
    await dial('bob@127.0.0.1', options('alice@127.0.0.1', cache));
    await first.stop();
    // carol takes bob's old port and claims a connection to us already: it must hear `false`.
    const carol = await startPeer('carol@127.0.0.1', { port: first.port, status: 'alive' });
    await startPeer('bob@127.0.0.1');
    expect(await dial('bob@127.0.0.1', options('alice@127.0.0.1', cache))).toBe('bob@127.0.0.1');
    expect(carol.outcomes).toHaveLength(1);
    await expect(carol.outcomes[0]).rejects.toMatchObject({ code: 'refused', status: 'alive' });
  });

  it('drops the entries of a dial that fails, and says why', async () => {
    const bob = await startPeer('bob@localhost');
    const cache = new DialCache();
    await dial('bob@localhost', options('alice@localhost', cache));
    const address = cache.address('localhost') as string;
    expect(address).toBeDefined();
    await bob.stop();
    await expect(dial('bob@localhost', options('alice@localhost', cache))).rejects.toMatchObject({
      name: 'EpmdError',
      code: 'not_registered',
    });
    expect(cache.address('localhost')).toBeUndefined();
    expect(cache.node({ address, epmdPort: epmd.port, alive: 'bob' })).toBeUndefined();
  });

  it('keeps a bad cookie a bad cookie, without a second try', async () => {
    const bob = await startPeer('bob@127.0.0.1');
    const cache = new DialCache();
    await dial('bob@127.0.0.1', options('alice@127.0.0.1', cache));
    const wrong = { ...options('alice@127.0.0.1', cache), cookie: Cookie.fromString('other') };
    await expect(dial('bob@127.0.0.1', wrong)).rejects.toMatchObject({ code: 'bad_cookie' });
    expect(bob.outcomes).toHaveLength(2);
    expect(cache.node({ address: '127.0.0.1', epmdPort: epmd.port, alive: 'bob' })).toBeUndefined();
  });
});

describe('DialCache', () => {
  const key = (alive: string) => ({ address: '10.0.0.1', epmdPort: 4369, alive });
  const answer = { port: 1234, highestVersion: 6 };

  it('keeps at most its limits, dropping the oldest entry first', () => {
    const cache = new DialCache({ hosts: 2, nodes: 2 });
    cache.rememberAddress('a', '10.0.0.1');
    cache.rememberAddress('b', '10.0.0.2');
    cache.rememberAddress('a', '10.0.0.3');
    cache.rememberAddress('c', '10.0.0.4');
    expect([cache.address('a'), cache.address('b'), cache.address('c')]).toEqual(['10.0.0.3', undefined, '10.0.0.4']);
    cache.rememberNode(key('x'), answer);
    cache.rememberNode(key('y'), answer);
    cache.rememberNode(key('z'), answer);
    expect([cache.node(key('x')), cache.node(key('y')), cache.node(key('z'))]).toEqual([undefined, answer, answer]);
  });

  it('uses an address only for its time to live', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const cache = new DialCache({ addressTtl: 100 });
    cache.rememberAddress('a', '10.0.0.1');
    now.mockReturnValue(1_000_099);
    expect(cache.address('a')).toBe('10.0.0.1');
    now.mockReturnValue(1_000_100);
    expect(cache.address('a')).toBeUndefined();
  });

  it('tells EPMD answers apart by address, EPMD port and name', () => {
    const cache = new DialCache();
    cache.rememberNode(key('x'), answer);
    expect(cache.node({ ...key('x'), epmdPort: 4370 })).toBeUndefined();
    expect(cache.node({ ...key('x'), address: '10.0.0.2' })).toBeUndefined();
    cache.forgetNode(key('x'));
    expect(cache.node(key('x'))).toBeUndefined();
  });
});
