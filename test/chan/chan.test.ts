/**
 * lib_chan in TypeScript on both sides: config reading, the auth vector from the book, framing,
 * the services, the hardening (timeouts, limits, bad frames, vanishing clients) and errors.
 */
import * as net from 'node:net';
import {
  AuthFailError,
  BadServiceError,
  ChanConfigError,
  ChanProtocolError,
  ChanServer,
  ChannelClosedError,
  ChanTimeoutError,
  FrameReader,
  MemoryKvsStore,
  challengeResponse,
  connect,
  frame,
  isResponseCorrect,
  makeChallenge,
  parseChanConfig,
  startChanServer,
} from '../../src/chan';
import { Term, atom, bin, charlist, decode, encode, equals, tuple } from '../../codec';

const CONFIG = `
{port, 0}.
{service, nameServer, password, "ABXy45", mfa, mod_name_server, start_me_up, notUsed}.
{service, echo, password, none, mfa, mod_echo, start, {server, args}}.
{service, math, password, "qwerty", mfa, mod_math, run, []}.
`;

describe('lib_chan config', () => {
  it('reads the book format', () => {
    const config = parseChanConfig(CONFIG);
    expect(config.port).toBe(0);
    expect(config.services.map((s) => [s.name, s.password, s.module, s.function])).toEqual([
      ['nameServer', 'ABXy45', 'mod_name_server', 'start_me_up'],
      ['echo', null, 'mod_echo', 'start'],
      ['math', 'qwerty', 'mod_math', 'run'],
    ]);
    expect(equals(config.services[1].args, tuple(atom('server'), atom('args')))).toBe(true);
  });

  it.each([
    ['{port, 1}. {port, 2}.', /exactly one \{port, N\}, found 2/],
    ['{service, a, password, none, mfa, m, f, []}.', /exactly one \{port, N\}, found 0/],
    ['{port, 1}. {colour, blue}.', /bad term \{colour,blue\}/],
    ['{port, 1}. {service, a, pwd, none, mfa, m, f, []}.', /bad term \{service,a,pwd,none,mfa,m,f,\[\]\}/],
    ['{port, 1}. {service, a, password, secret, mfa, m, f, []}.', /password must be a string/],
    ['{port, 99999}.', /bad term \{port,99999\}/],
    ['{port, 1', /not Erlang terms/],
  ])('rejects %s', (text, message) => {
    expect(() => parseChanConfig(text)).toThrow(ChanConfigError);
    expect(() => parseChanConfig(text)).toThrow(message);
  });
});

describe('lib_chan auth and framing', () => {
  it('matches the vector captured from the book on OTP 25', () => {
    expect(challengeResponse('hbyofdtztwlzrqmcjzohthivc', 'ABXy45')).toBe('f9ba44518c21fdcdcaca7fccbbedf085');
    expect(isResponseCorrect('hbyofdtztwlzrqmcjzohthivc', 'ABXy45', charlist('f9ba44518c21fdcdcaca7fccbbedf085'))).toBe(true);
    expect(isResponseCorrect('hbyofdtztwlzrqmcjzohthivc', 'ABXy45', bin('f9ba44518c21fdcdcaca7fccbbedf085'))).toBe(false);
    expect(isResponseCorrect('hbyofdtztwlzrqmcjzohthivc', 'ABXy45', charlist('f9ba44518c21fdcdcaca7fccbbedf086'))).toBe(false);
  });

  it('makes challenges of 25 lowercase letters that differ', () => {
    const a = makeChallenge();
    expect(a).toMatch(/^[a-z]{25}$/);
    expect(makeChallenge()).not.toBe(a);
  });

  it('reads frames split anywhere and joined in one chunk, and refuses oversized ones', () => {
    const bytes = Buffer.concat([frame(Buffer.from('ab')), frame(Buffer.alloc(0)), frame(Buffer.from('xyz'))]);
    for (const step of [1, 3, bytes.length]) {
      const reader = new FrameReader(10);
      const got: string[] = [];
      for (let i = 0; i < bytes.length; i += step) {
        reader.push(bytes.subarray(i, i + step));
        for (let p = reader.next(); p !== undefined; p = reader.next()) got.push(p.toString());
      }
      expect(got).toEqual(['ab', '', 'xyz']);
      expect(reader.buffered).toBe(0);
    }
    const small = new FrameReader(10);
    small.push(Buffer.concat([frame(Buffer.alloc(10)), frame(Buffer.alloc(11))]));
    expect(small.next()?.length).toBe(10);
    expect(() => small.next()).toThrow(/over the limit of 10/);
  });
});

/** A raw socket speaking frames, for what a well-behaved client never sends. */
async function rawSocket(port: number): Promise<{ socket: net.Socket; frames: Term[]; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const frames: Term[] = [];
  const reader = new FrameReader(1 << 20);
  socket.on('data', (chunk) => {
    reader.push(chunk);
    for (let p = reader.next(); p !== undefined; p = reader.next()) frames.push(decode(p));
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, frames, closed };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function timerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('lib_chan TypeScript server and client', () => {
  let server: ChanServer;
  let port: number;
  const logs: string[] = [];
  const store = new MemoryKvsStore();

  beforeAll(async () => {
    server = await startChanServer(parseChanConfig(CONFIG), { store, log: (line) => logs.push(line), handshakeTimeout: 3000 });
    port = server.address.port;
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 by default', () => {
    expect(server.address.host).toBe('127.0.0.1');
  });

  it('runs the book session against the name server, sharing the injected store', async () => {
    const channel = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45' });
    channel.send(tuple(atom('store'), atom('joe'), charlist('writing a book')));
    expect(equals(await channel.rpc(tuple(atom('lookup'), atom('joe'))), tuple(atom('ok'), charlist('writing a book')))).toBe(true);
    expect(await channel.rpc(tuple(atom('lookup'), atom('jim')))).toBe(atom('undefined'));
    expect(equals(store.lookup(atom('joe')) as Term, charlist('writing a book'))).toBe(true);
    channel.close();
  });

  it('serves echo without a password and math with exact bigints', async () => {
    const echo = await connect('127.0.0.1', port, 'echo');
    expect(equals(await echo.rpc(charlist('hello')), charlist('hello'))).toBe(true);
    echo.close();
    const math = await connect('127.0.0.1', port, 'math', { secret: 'qwerty' });
    expect(await math.rpc(tuple(atom('factorial'), 25))).toBe(15511210043330985984000000n);
    expect(await math.rpc(tuple(atom('fibonacci'), 10))).toBe(55);
    expect(equals(await math.rpc(tuple(atom('factorial'), 100000)), tuple(atom('error'), tuple(atom('tooLarge'), 100000)))).toBe(true);
    math.close();
  });

  it('gives typed errors: BadServiceError, AuthFailError, ChannelClosedError', async () => {
    await expect(connect('127.0.0.1', port, 'nope', { secret: 'x' })).rejects.toBeInstanceOf(BadServiceError);
    await expect(connect('127.0.0.1', port, 'nameServer', { secret: 'wrong' })).rejects.toBeInstanceOf(AuthFailError);
    await expect(connect('127.0.0.1', port, 'nameServer')).rejects.toBeInstanceOf(AuthFailError);
    const echo = await connect('127.0.0.1', port, 'echo');
    echo.close();
    expect(() => echo.send(atom('late'))).toThrow(ChannelClosedError);
    await expect(echo.rpc(atom('late'))).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('refuses a challenge that is not Latin-1 with a ChanProtocolError', async () => {
    // Found by the chan-client fuzz target: such a challenge was a RangeError from the MD5 step.
    const hostile = net.createServer((socket) => socket.resume().end(frame(encode(tuple(atom('challenge'), [97, 0x3b1])))));
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const { port: hostilePort } = hostile.address() as net.AddressInfo;
    await expect(connect('127.0.0.1', hostilePort, 'math', { secret: 'qwerty' })).rejects.toBeInstanceOf(ChanProtocolError);
    await new Promise((resolve) => hostile.close(resolve));
  });

  it('times out an rpc that gets no reply', async () => {
    const names = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45' });
    await expect(names.rpc(tuple(atom('store'), 1, 2), { timeout: 50 })).rejects.toBeInstanceOf(ChanTimeoutError);
    names.close();
  });

  it('abandons a receive and a connect when their signal aborts, with the signal reason', async () => {
    const names = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45' });
    const controller = new AbortController();
    const waiting = names.rpc(tuple(atom('store'), 1, 2), { signal: controller.signal });
    controller.abort(new Error('no longer wanted'));
    await expect(waiting).rejects.toThrow('no longer wanted');
    // The channel still works: the abandoned receive took nothing.
    expect(await names.rpc(tuple(atom('lookup'), atom('nobody')), { timeout: 2000 })).toBe(atom('undefined'));
    names.close();
    await expect(connect('127.0.0.1', port, 'echo', { signal: AbortSignal.abort(new Error('never')) })).rejects.toThrow('never');
  });

  it('answers frames pipelined in one write, in order', async () => {
    const { socket, frames } = await rawSocket(port);
    const terms: Term[] = [tuple(atom('startService'), atom('echo'), []), 1, atom('two'), bin('three')];
    socket.write(Buffer.concat(terms.map((t) => frame(encode(t)))));
    await until(() => frames.length === 4);
    expect(frames[0]).toBe(atom('ack'));
    expect(equals(frames.slice(1), terms.slice(1))).toBe(true);
    socket.destroy();
  });

  it('reads payload pipelined behind startService under the payload limits, not the handshake ones', async () => {
    const { socket, frames } = await rawSocket(port);
    const big = Buffer.alloc(200 * 1024, 7);
    socket.write(Buffer.concat([frame(encode(tuple(atom('startService'), atom('echo'), []))), frame(encode(big))]));
    await until(() => frames.length === 2);
    expect(frames[0]).toBe(atom('ack'));
    expect(equals(frames[1], big)).toBe(true);
    socket.destroy();
  });

  it('stops reading from a peer that does not read its replies, and catches up once it does', async () => {
    const small = await startChanServer(parseChanConfig(CONFIG), { maxFrameSize: 100 * 1024, log: () => undefined });
    const { socket, frames } = await rawSocket(small.address.port);
    try {
      socket.pause();
      const chunk = Buffer.alloc(50 * 1024, 1);
      const count = 800;
      socket.write(frame(encode(tuple(atom('startService'), atom('echo'), []))));
      for (let i = 0; i < count; i++) socket.write(frame(encode([i, chunk])));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // 40 MB sent: far more than loopback socket buffers hold, so most of it still waits here.
      expect(socket.writableLength).toBeGreaterThan(10 * 1024 * 1024);
      socket.resume();
      await until(() => frames.length === count + 1, 20000);
      expect(equals(frames[count], [count - 1, chunk])).toBe(true);
    } finally {
      socket.destroy();
      await small.close();
    }
  });

  it.each([
    ['a first frame that is not startService', frame(encode(tuple(atom('hello'), atom('world')))), /protocol violation/],
    ['an undecodable frame', frame(Buffer.from([1, 2, 3])), /undecodable frame/],
    ['an oversized frame', Buffer.from([0, 2, 0, 0]), /over the limit/],
  ])('closes the session on %s, and logs it', async (_what, bytes, logged) => {
    const { socket, frames, closed } = await rawSocket(port);
    socket.write(bytes);
    await closed;
    expect(frames).toEqual([]);
    expect(logs.some((line) => logged.test(line))).toBe(true);
  });

  it('keeps nothing of a client that vanishes mid-challenge: no session, no timer', async () => {
    await until(() => server.sessionCount === 0);
    const timersBefore = timerCount();
    const { socket, frames } = await rawSocket(port);
    socket.write(frame(encode(tuple(atom('startService'), atom('nameServer'), []))));
    await until(() => frames.length === 1);
    expect(server.sessionCount).toBe(1);
    expect(timerCount()).toBeGreaterThan(timersBefore);
    socket.destroy();
    // Well before the 3 s handshake timeout could have cleaned up.
    await until(() => server.sessionCount === 0, 1000);
    expect(timerCount()).toBe(timersBefore);
  });

  it('times out a silent client', async () => {
    const quick = await startChanServer(parseChanConfig(CONFIG), { handshakeTimeout: 100, log: () => undefined });
    const { closed } = await rawSocket(quick.address.port);
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(quick.sessionCount).toBe(0);
    await quick.close();
  });

  it('closes connections beyond maxConnections and serves again once one closes', async () => {
    const small = await startChanServer(parseChanConfig(CONFIG), { maxConnections: 1, log: () => undefined });
    const first = await connect('127.0.0.1', small.address.port, 'echo');
    await expect(connect('127.0.0.1', small.address.port, 'echo')).rejects.toBeInstanceOf(ChannelClosedError);
    first.close();
    await until(() => small.sessionCount === 0);
    const again = await connect('127.0.0.1', small.address.port, 'echo');
    expect(await again.rpc(7)).toBe(7);
    again.close();
    await small.close();
  });

  it('closes its connections when it stops', async () => {
    const stopping = await startChanServer(parseChanConfig(CONFIG), { log: () => undefined });
    const echo = await connect('127.0.0.1', stopping.address.port, 'echo');
    const pending = echo.receive();
    await stopping.close();
    await expect(pending).rejects.toBeInstanceOf(ChannelClosedError);
    expect(stopping.sessionCount).toBe(0);
  });

  it('runs custom services: a promise that settles closes the channel, a throw is logged and closes it', async () => {
    const seen: string[] = [];
    const config = parseChanConfig(`{port, 0}.
      {service, loop, password, none, mfa, my_loop, start, {prefix, "got"}}.
      {service, boom, password, none, mfa, my_boom, start, []}.`);
    const custom = await startChanServer(config, {
      log: (line) => seen.push(line),
      modules: {
        my_loop: {
          async start(channel, argsC, configArgs) {
            for await (const term of channel) {
              if (term === atom('stop')) return;
              channel.send(tuple(configArgs, argsC, term));
            }
          },
        },
        my_boom: {
          start() {
            throw new Error('kaboom');
          },
        },
      },
    });
    const loop = await connect('127.0.0.1', custom.address.port, 'loop', { args: atom('hi') });
    expect(equals(await loop.rpc(1), tuple(tuple(atom('prefix'), charlist('got')), atom('hi'), 1))).toBe(true);
    loop.send(atom('stop'));
    await expect(loop.receive({ timeout: 2000 })).rejects.toBeInstanceOf(ChannelClosedError);
    const boom = await connect('127.0.0.1', custom.address.port, 'boom');
    await expect(boom.receive({ timeout: 2000 })).rejects.toBeInstanceOf(ChannelClosedError);
    expect(seen.some((line) => /service boom \(my_boom\) failed: kaboom/.test(line))).toBe(true);
    await custom.close();
  });

  it('refuses a config naming a module nobody registered', async () => {
    const config = parseChanConfig('{port, 0}. {service, x, password, none, mfa, mod_missing, start, []}.');
    await expect(startChanServer(config)).rejects.toThrow(/no module mod_missing/);
  });

  it('is still serving after all of that', async () => {
    const names = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45' });
    expect(equals(await names.rpc(tuple(atom('lookup'), atom('joe'))), tuple(atom('ok'), charlist('writing a book')))).toBe(true);
    names.close();
  });
});
