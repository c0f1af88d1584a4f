import * as net from 'net';
import {
  acceptHandshake,
  AcceptorOptions,
  advertisedFlags,
  BadCookieError,
  challengeDigest,
  connectToNode,
  Cookie,
  CookieJar,
  DEFAULT_DIST_FLAGS,
  DistFlag,
  HandshakeError,
  HandshakeRefusedError,
  HandshakeResult,
  HandshakeTimeoutError,
  initiateHandshake,
  InitiatorOptions,
  MalformedMessageError,
  MissingFlagsError,
  NameMismatchError,
  OversizedMessageError,
  simultaneousConnectStatus,
} from '../../handshake';
import { parseStatus } from '../../handshake/parser';

const COOKIE = Cookie.fromString('sesame');
const A = 'alice@host';
const B = 'bob@host';

const sockets: net.Socket[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Two connected loopback sockets: [dialing side, accepted side]. */
async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const dialing = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => dialing.once('connect', resolve));
  const pair: [net.Socket, net.Socket] = [dialing, await accepted];
  sockets.push(...pair);
  return pair;
}

/** Reads `{packet,2}` frames off a raw socket, for hand-made peers. */
function frameReader(socket: net.Socket): () => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let notify: (() => void) | null = null;
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    notify?.();
  });
  return async () => {
    while (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) {
      await new Promise<void>((resolve) => (notify = resolve));
    }
    const length = buffered.readUInt16BE(0);
    const payload = buffered.subarray(2, 2 + length);
    buffered = buffered.subarray(2 + length);
    return payload;
  };
}

const frame = (...parts: Buffer[]): Buffer => {
  const payload = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([payload.length >> 8, payload.length & 0xff]), payload]);
};
const u32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
};
const u64 = (value: bigint): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(value);
  return bytes;
};
const u16 = (value: number): Buffer => Buffer.from([value >> 8, value & 0xff]);
const closedSoon = (socket: net.Socket): Promise<boolean> =>
  socket.destroyed ? Promise.resolve(true) : new Promise((resolve) => socket.once('close', () => resolve(true)));

function initiatorOptions(options: Partial<InitiatorOptions> = {}): InitiatorOptions {
  return { ourName: A, peerName: B, cookie: COOKIE, creation: 101, timeout: 2000, ...options };
}

function acceptorOptions(options: Partial<AcceptorOptions> = {}): AcceptorOptions {
  return { ourName: B, cookie: COOKIE, creation: 202, timeout: 2000, ...options };
}

/** Run both sides of a handshake on a fresh socket pair and settle both. */
async function handshake(initiator: Partial<InitiatorOptions> = {}, acceptor: Partial<AcceptorOptions> = {}) {
  const [dialing, accepted] = await socketPair();
  return Promise.allSettled([
    initiateHandshake(dialing, initiatorOptions(initiator)),
    acceptHandshake(accepted, acceptorOptions(acceptor)),
  ]);
}

function fulfilled(outcome: PromiseSettledResult<HandshakeResult>): HandshakeResult {
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

function rejected(outcome: PromiseSettledResult<HandshakeResult>): unknown {
  if (outcome.status === 'fulfilled') throw new Error('handshake succeeded where it should have failed');
  return outcome.reason;
}

describe('handshake between our initiator and our acceptor', () => {
  it('authenticates both sides and agrees on the flags', async () => {
    const [dialed, accepted] = (await handshake()).map(fulfilled);
    expect(dialed).toMatchObject({ peerName: B, peerCreation: 202, peerFlags: DEFAULT_DIST_FLAGS, leftover: Buffer.alloc(0) });
    expect(accepted).toMatchObject({ peerName: A, peerCreation: 101, peerFlags: DEFAULT_DIST_FLAGS, leftover: Buffer.alloc(0) });
    expect(dialed.negotiatedFlags).toBe(DEFAULT_DIST_FLAGS);
    expect(accepted.negotiatedFlags).toBe(DEFAULT_DIST_FLAGS);
    expect(dialed.socket.isPaused()).toBe(true);
    expect(dialed.socket.listenerCount('data')).toBe(0);
  });

  it('is visible only when both sides publish', async () => {
    const visible = { flags: advertisedFlags({ visible: true }) };
    const [both] = (await handshake(visible, visible)).map(fulfilled);
    expect(both.negotiatedFlags & DistFlag.PUBLISHED).toBe(DistFlag.PUBLISHED);
    const [one] = (await handshake(visible, {})).map(fulfilled);
    expect(one.negotiatedFlags & DistFlag.PUBLISHED).toBe(0n);
  });

  it('gives each side a bad-cookie error when the cookies differ', async () => {
    const [dialed, accepted] = await handshake({}, { cookie: Cookie.fromString('other') });
    expect(rejected(dialed)).toBeInstanceOf(BadCookieError);
    expect(rejected(accepted)).toBeInstanceOf(BadCookieError);
    expect((rejected(accepted) as Error).message).not.toContain('sesame');
  });

  it("lets the acceptor pick the initiator's cookie from a jar", async () => {
    const jar = new CookieJar(Cookie.fromString('default'));
    jar.set(A, COOKIE);
    const outcomes = await handshake({}, { cookie: jar });
    expect(outcomes.map(fulfilled).map((result) => result.peerName)).toEqual([B, A]);
  });

  it('rejects a challenge from a node other than the one dialed', async () => {
    const [dialed] = await handshake({ peerName: 'carol@host' });
    expect(rejected(dialed)).toBeInstanceOf(NameMismatchError);
    expect(rejected(dialed)).toMatchObject({ expected: 'carol@host', received: B });
  });

  it.each(['nok', 'not_allowed'] as const)('ends both sides on status %s', async (status) => {
    const [dialed, accepted] = await handshake({}, { decideStatus: () => status });
    expect(rejected(dialed)).toBeInstanceOf(HandshakeRefusedError);
    expect(rejected(dialed)).toMatchObject({ code: 'refused', status });
    expect(rejected(accepted)).toMatchObject({ code: 'refused', status });
  });

  it('continues on ok_simultaneous', async () => {
    const outcomes = await handshake({}, { decideStatus: () => 'ok_simultaneous' });
    expect(outcomes.map(fulfilled)).toHaveLength(2);
  });

  it('passes the incoming name and flags to the status hook', async () => {
    const seen: unknown[] = [];
    await handshake({}, { decideStatus: (peer) => (seen.push(peer), 'ok') });
    expect(seen).toEqual([{ name: A, flags: DEFAULT_DIST_FLAGS | 0x1070f94n }]);
  });

  it('on alive, continues when the initiator says true and lets the acceptor drop the old link first', async () => {
    const order: string[] = [];
    const outcomes = await handshake(
      { onAlive: (peer) => (order.push(`asked about ${peer}`), true) },
      { decideStatus: () => 'alive', onAliveConfirmed: (peer) => Promise.resolve(void order.push(`confirmed ${peer}`)) },
    );
    expect(outcomes.map(fulfilled)).toHaveLength(2);
    expect(order).toEqual([`asked about ${B}`, `confirmed ${A}`]);
  });

  it('on alive, stops both sides when the initiator says false', async () => {
    const confirmed = jest.fn();
    const [dialed, accepted] = await handshake({ onAlive: () => false }, { decideStatus: () => 'alive', onAliveConfirmed: confirmed });
    expect(rejected(dialed)).toMatchObject({ status: 'alive' });
    expect(rejected(accepted)).toMatchObject({ status: 'alive' });
    expect(confirmed).not.toHaveBeenCalled();
  });

  it('acceptor refuses an initiator lacking mandatory flags with not_allowed, naming them', async () => {
    const [dialed, accepted] = await handshake({ flags: DEFAULT_DIST_FLAGS & ~DistFlag.V4_NC });
    expect(rejected(accepted)).toBeInstanceOf(MissingFlagsError);
    expect(rejected(accepted)).toMatchObject({ missing: ['V4_NC'] });
    expect(rejected(dialed)).toMatchObject({ status: 'not_allowed' });
    expect((rejected(dialed) as Error).message).toContain('V4_NC');
  });

  it('initiator aborts when the acceptor lacks required flags, naming them', async () => {
    const [dialed, accepted] = await handshake({ requiredFlags: DistFlag.ALTACT_SIG | DistFlag.HANDSHAKE_23 });
    expect(rejected(dialed)).toBeInstanceOf(MissingFlagsError);
    expect(rejected(dialed)).toMatchObject({ missing: ['ALTACT_SIG'] });
    expect(rejected(accepted)).toBeInstanceOf(HandshakeError);
  });

  it('tells which node is greater in a simultaneous connect, as net_kernel does', () => {
    expect(simultaneousConnectStatus('b@host', 'a@host')).toBe('nok');
    expect(simultaneousConnectStatus('a@host', 'b@host')).toBe('ok_simultaneous');
    expect(simultaneousConnectStatus('a@host', 'a@hosts')).toBe('ok_simultaneous');
  });
});

describe('initiator against hand-made acceptors', () => {
  /** Accepts, reads send_name, answers `status`, then runs `rest` on the accepted socket. */
  async function fakeAcceptor(
    status: Buffer,
    rest: (socket: net.Socket, next: () => Promise<Buffer>) => Promise<void> = () => Promise.resolve(),
  ): Promise<PromiseSettledResult<HandshakeResult>> {
    const [dialing, accepted] = await socketPair();
    const next = frameReader(accepted);
    const peer = (async () => {
      await next();
      accepted.write(frame(status));
      await rest(accepted, next);
    })();
    const [outcome] = await Promise.allSettled([initiateHandshake(dialing, initiatorOptions()), peer]);
    return outcome;
  }

  const challengeFrame = (challenge: number): Buffer =>
    frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS), u32(challenge), u32(7), u16(B.length), Buffer.from(B));

  it('hands over bytes that arrived with the ack, and the socket paused', async () => {
    const tick = Buffer.from([0, 0, 0, 0, 0, 0, 0, 5, 0x70]);
    const outcome = await fakeAcceptor(Buffer.from('sok'), async (socket, next) => {
      socket.write(challengeFrame(12345));
      const reply = await next();
      const ack = frame(Buffer.from('a'), challengeDigest(COOKIE, reply.readUInt32BE(1)));
      socket.write(Buffer.concat([ack, tick]));
    });
    const result = fulfilled(outcome);
    expect(result.peerCreation).toBe(7);
    expect(result.socket.isPaused()).toBe(true);
    // Whatever did not arrive with the last read is still in the socket, so together: all of it.
    const rest = await new Promise<Buffer>((resolve) => {
      if (result.leftover.length === tick.length) return resolve(Buffer.alloc(0));
      result.socket.once('data', resolve);
    });
    expect(Buffer.concat([result.leftover, rest])).toEqual(tick);
  });

  it('rejects an ack with the wrong digest as a bad cookie', async () => {
    const outcome = await fakeAcceptor(Buffer.from('sok'), async (socket, next) => {
      socket.write(challengeFrame(1));
      await next();
      socket.write(frame(Buffer.from('a'), Buffer.alloc(16)));
    });
    expect(rejected(outcome)).toBeInstanceOf(BadCookieError);
  });

  it('rejects a named: status it did not ask for', async () => {
    const outcome = await fakeAcceptor(Buffer.concat([Buffer.from('snamed:'), u16(4), Buffer.from('x@hh'), u32(1)]));
    expect(rejected(outcome)).toBeInstanceOf(MalformedMessageError);
  });

  it('times out a step that never comes', async () => {
    const [dialing] = await socketPair();
    const outcome = await initiateHandshake(dialing, initiatorOptions({ timeout: 100 })).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(HandshakeTimeoutError);
    expect(outcome).toMatchObject({ code: 'timeout', step: 'the status' });
    expect(dialing.destroyed).toBe(true);
  });
});

describe('aborting a handshake', () => {
  const reason = new Error('node stopping');

  it('closes the socket and rejects the initiator with signal.reason', async () => {
    const [dialing] = await socketPair();
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 20);
    await expect(initiateHandshake(dialing, initiatorOptions({ signal: controller.signal }))).rejects.toBe(reason);
    expect(dialing.destroyed).toBe(true);
  });

  it('closes the socket and rejects the acceptor with signal.reason', async () => {
    const [, accepted] = await socketPair();
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 20);
    await expect(acceptHandshake(accepted, acceptorOptions({ signal: controller.signal }))).rejects.toBe(reason);
    expect(accepted.destroyed).toBe(true);
  });

  it('sends nothing with a signal that is already aborted', async () => {
    const [dialing, accepted] = await socketPair();
    const arrived: Buffer[] = [];
    accepted.on('data', (chunk) => arrived.push(chunk));
    await expect(initiateHandshake(dialing, initiatorOptions({ signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    expect(await closedSoon(accepted)).toBe(true);
    expect(arrived).toEqual([]);
  });

  it('rejects with signal.reason also when the abort comes during a hook and another failure follows', async () => {
    const controller = new AbortController();
    const [dialed, accepted] = await handshake(
      {},
      {
        signal: controller.signal,
        decideStatus: () => {
          controller.abort(reason);
          return Promise.resolve('nok' as const);
        },
      },
    );
    expect(rejected(accepted)).toBe(reason);
    expect(rejected(dialed)).toMatchObject({ code: 'closed' });
  });

  it('has no effect once the handshake is done: the socket handed over stays open', async () => {
    const controller = new AbortController();
    const [dialed] = (await handshake({ signal: controller.signal })).map(fulfilled);
    controller.abort(reason);
    expect(dialed.socket.destroyed).toBe(false);
  });

  it('rejects connectToNode with signal.reason while EPMD keeps it waiting', async () => {
    const silent = net.createServer((socket) => sockets.push(socket));
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    const options = {
      ourName: A,
      cookie: COOKIE,
      creation: 1,
      epmdPort: (silent.address() as net.AddressInfo).port,
      signal: controller.signal,
    };
    await expect(connectToNode('bob@localhost', options)).rejects.toBe(reason);
  });

  it('refuses, before any traffic, to dial a host that does not fit our names, as erl does', async () => {
    const options = { cookie: COOKIE, creation: 1, epmdPort: 1 };
    const short = connectToNode('bob@10.1.2.3', { ...options, ourName: A });
    await expect(short).rejects.toThrow('System NOT running to use fully qualified hostnames');
    await expect(short).rejects.toMatchObject({ code: 'bad_name' });
    const long = connectToNode('bob@host', { ...options, ourName: 'alice@host.example' });
    await expect(long).rejects.toThrow('System running to use fully qualified hostnames; Hostname host is illegal');
  });
});

describe('acceptor against hand-made and hostile initiators', () => {
  let port: number;
  // Each accepted connection's result, or the error it failed with.
  let outcomes: Promise<unknown>[];

  beforeEach(async () => {
    outcomes = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      outcomes.push(acceptHandshake(socket, acceptorOptions({ timeout: 300 })).catch((error: unknown) => error));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  async function dial(): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  async function lastOutcome(): Promise<unknown> {
    while (outcomes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    return outcomes[outcomes.length - 1];
  }

  async function stillServes(): Promise<void> {
    const result = await initiateHandshake(await dial(), initiatorOptions());
    expect(result.peerName).toBe(B);
  }

  it.each([
    ['an unknown first message', frame(Buffer.from('Xhello')), MalformedMessageError],
    [
      'a send_name with a truncated name',
      frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS), u32(1), u16(50), Buffer.from('a@b')),
      MalformedMessageError,
    ],
    ['a frame longer than any handshake message', Buffer.from([0xff, 0xff, 0x4e]), OversizedMessageError],
    ['an empty frame', Buffer.from([0, 0]), MalformedMessageError],
  ])('rejects %s with a typed error, closes, and keeps serving', async (_what, bytes, errorClass) => {
    const socket = await dial();
    socket.write(bytes);
    expect(await lastOutcome()).toBeInstanceOf(errorClass);
    expect(await closedSoon(socket)).toBe(true);
    await stillServes();
  });

  it('rejects a name without exactly one @', async () => {
    const socket = await dial();
    socket.write(frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS), u32(1), u16(5), Buffer.from('nohost')));
    expect(await lastOutcome()).toMatchObject({ code: 'bad_name' });
    expect(await closedSoon(socket)).toBe(true);
  });

  it('grants a dynamic-name request a random name at the given host, as net_kernel does', async () => {
    const socket = await dial();
    const next = frameReader(socket);
    socket.write(frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS | DistFlag.NAME_ME), u32(0), u16(4), Buffer.from('host')));
    const status = parseStatus(await next());
    if (status.status !== 'named') throw new Error(`expected named:, got ${status.status}`);
    expect(status.name).toMatch(/^[0-9A-Z]+@host$/);
    expect(status.creation).toBeGreaterThanOrEqual(4);
    const challenge = await next();
    expect(challenge[0]).toBe(0x4e);
    // NAME_ME instead of PUBLISHED in our flags, as dist_util's publish_flag has it.
    expect(challenge.readBigUInt64BE(1) & (DistFlag.NAME_ME | DistFlag.PUBLISHED)).toBe(DistFlag.NAME_ME);
    socket.destroy();
  });

  it('refuses a dynamic-name request whose host holds an @', async () => {
    const socket = await dial();
    socket.write(frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS | DistFlag.NAME_ME), u32(0), u16(3), Buffer.from('a@b')));
    expect(await lastOutcome()).toMatchObject({ code: 'bad_name' });
    expect(await closedSoon(socket)).toBe(true);
  });

  it('reports a peer that hangs up mid-frame as closed', async () => {
    const socket = await dial();
    socket.end(Buffer.from([0, 20, 0x4e, 0]));
    expect(await lastOutcome()).toMatchObject({ code: 'closed' });
    await stillServes();
  });

  it('times out a peer that says nothing', async () => {
    const socket = await dial();
    expect(await lastOutcome()).toBeInstanceOf(HandshakeTimeoutError);
    expect(await closedSoon(socket)).toBe(true);
  });

  it('rejects a challenge reply that is not exactly 21 bytes', async () => {
    const socket = await dial();
    const next = frameReader(socket);
    socket.write(frame(Buffer.from('N'), u64(DEFAULT_DIST_FLAGS), u32(5), u16(A.length), Buffer.from(A)));
    await next();
    await next();
    socket.write(frame(Buffer.from('r'), u32(1), Buffer.alloc(15)));
    expect(await lastOutcome()).toBeInstanceOf(MalformedMessageError);
  });

  /** An old initiator: `'n'` with the low flag bits, then the complement with the high bits. */
  async function oldInitiator(flagsHigh: number): Promise<{ next: () => Promise<Buffer>; socket: net.Socket; challenge: Buffer }> {
    const socket = await dial();
    const next = frameReader(socket);
    const low = Number(DEFAULT_DIST_FLAGS & 0xffffffffn);
    socket.write(frame(Buffer.from('n'), u16(5), u32(low), Buffer.from(A)));
    expect((await next()).toString()).toBe('sok');
    const challenge = await next();
    socket.write(frame(Buffer.from('c'), u32(flagsHigh), u32(77)));
    return { next, socket, challenge };
  }

  it("accepts an old 'n' send_name followed by the complement", async () => {
    const { next, socket, challenge } = await oldInitiator(Number(DEFAULT_DIST_FLAGS >> 32n));
    socket.write(frame(Buffer.from('r'), u32(99), challengeDigest(COOKIE, challenge.readUInt32BE(9))));
    expect(await next()).toEqual(Buffer.concat([Buffer.from('a'), challengeDigest(COOKIE, 99)]));
    expect(await lastOutcome()).toMatchObject({ peerName: A, peerCreation: 77, peerFlags: DEFAULT_DIST_FLAGS });
  });

  it('refuses an old initiator whose complement lacks mandatory high flags', async () => {
    const { next } = await oldInitiator(0);
    expect((await next()).toString()).toBe('snot_allowed');
    expect(await lastOutcome()).toMatchObject({ code: 'missing_flags', missing: ['V4_NC'] });
  });
});
