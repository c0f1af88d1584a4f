import * as net from 'net';
import { EpmdError, EpmdServer, listNames, lookupNode, registerNode } from '../../../handshake';
import type { EpmdRegistration } from '../../../handshake';

/** Send raw bytes and collect the reply until EPMD closes (or `waitMs` passes: then `closed` is false). */
function raw(port: number, bytes: Buffer, waitMs = 2000): Promise<{ reply: Buffer; closed: boolean; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(chunks), closed, socket });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', reject);
  });
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
/** A request body in hex, with its u16 length in front. */
const request = (body: string): Buffer => {
  const bytes = hex(body);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

describe('embedded EPMD server with our client', () => {
  let epmd: EpmdServer;
  const registrations: EpmdRegistration[] = [];
  const client = (): { port: number } => ({ port: epmd.port });

  beforeEach(async () => {
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
  });

  afterEach(async () => {
    await Promise.all(registrations.splice(0).map((registration) => registration.unregister()));
    await epmd.close();
  });

  const register = async (name: string, port: number): Promise<EpmdRegistration> => {
    const registration = await registerNode(name, port, client());
    registrations.push(registration);
    return registration;
  };

  it('registers, finds and lists a node, and forgets it on unregister', async () => {
    const registration = await register('alpha', 4242);
    expect(registration.creation).toBeGreaterThanOrEqual(4);
    expect(await lookupNode('alpha', client())).toEqual({
      name: 'alpha',
      port: 4242,
      nodeType: 77,
      protocol: 0,
      highestVersion: 6,
      lowestVersion: 5,
      extra: Buffer.alloc(0),
    });
    expect(await listNames(client())).toEqual({ epmdPort: epmd.port, nodes: [{ name: 'alpha', port: 4242 }] });

    await registration.unregister();
    expect(await lookupNode('alpha', client())).toBeNull();
    expect((await listNames(client())).nodes).toEqual([]);
  });

  it('refuses a duplicate name with result 1 and creation 99', async () => {
    await register('dup', 1);
    await expect(registerNode('dup', 2, client())).rejects.toMatchObject({ code: 'name_taken' });
    const { reply, closed } = await raw(epmd.port, request('78 0002 4d 00 0006 0005 0003 647570 0000'));
    expect(reply).toEqual(hex('76 01 00000063'));
    expect(closed).toBe(true);
    expect(await lookupNode('dup', client())).toMatchObject({ port: 1 });
  });

  it('hands a returning name the next creation', async () => {
    const first = await register('back', 1);
    await first.unregister();
    const second = await register('back', 1);
    expect(second.creation).toBe(first.creation + 1);
  });

  it('answers old-style nodes (highest version 5) with ALIVE2_RESP and a creation in 1..3', async () => {
    const { reply, closed, socket } = await raw(epmd.port, request('78 0007 4d 00 0005 0005 0005 6f6c646965 0000'), 300);
    expect(closed).toBe(false);
    expect(reply.subarray(0, 2)).toEqual(hex('79 00'));
    expect([1, 2, 3]).toContain(reply.readUInt16BE(2));
    expect(await lookupNode('oldie', client())).toMatchObject({ highestVersion: 5, port: 7 });
    socket.destroy();
  });

  it('unregisters a node whose registration socket says anything more', async () => {
    const { reply, closed, socket } = await raw(epmd.port, request('78 0007 4d 00 0006 0005 0003 6d6f75 0000'), 300);
    expect(reply[0]).toBe(0x76);
    expect(closed).toBe(false);
    const gone = new Promise((resolve) => socket.once('close', resolve));
    socket.write(hex('00'));
    await gone;
    expect(await lookupNode('mou', client())).toBeNull();
  });

  it('lets the registration promise report that EPMD went away', async () => {
    const registration = await register('orphan', 1);
    await epmd.close();
    await expect(registration.closed).resolves.toBeUndefined();
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
  });

  it.each([
    ['an unknown request', hex('0001 64')],
    ['a zero length', hex('0000')],
    ['a length beyond the request buffer', hex('ffff 78')],
    ['more bytes than the length announces', hex('0001 6e 6e')],
    ['a PORT_PLEASE2 without a name', hex('0001 7a')],
    ['an ALIVE2 too short for its fields', hex('0005 78 0001 4d 00')],
  ])('closes without a reply on %s, and keeps serving', async (_what, bytes) => {
    const { reply, closed } = await raw(epmd.port, bytes);
    expect(reply.length).toBe(0);
    expect(closed).toBe(true);
    await register('still', 9);
    expect(await lookupNode('still', client())).toMatchObject({ port: 9 });
  });

  it('closes a connection that stops halfway through a request', async () => {
    const server = await EpmdServer.start({ port: 0, host: '127.0.0.1', requestTimeout: 100 });
    try {
      const { closed } = await raw(server.port, hex('0005 78'), 2000);
      expect(closed).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('closes a connection that trickles its request a byte at a time, however steadily', async () => {
    const server = await EpmdServer.start({ port: 0, host: '127.0.0.1', requestTimeout: 300 });
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    // A NAMES request announced 200 bytes long: a byte every 40 ms never completes it, and never
    // leaves the socket silent for long.
    const request = Buffer.concat([hex('00c8 6e'), Buffer.alloc(199, 0x61)]);
    let sent = 0;
    const trickle = setInterval(() => socket.writable && socket.write(request.subarray(sent, ++sent)), 40);
    const started = Date.now();
    try {
      await new Promise<void>((resolve, reject) => {
        const giveUp = setTimeout(() => reject(new Error(`still open after ${sent} bytes`)), 3000);
        socket.on('close', () => resolve(clearTimeout(giveUp)));
        socket.on('error', () => undefined);
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(sent).toBeGreaterThan(4);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await server.close();
    }
  });
});

describe('EPMD client failures', () => {
  let silent: net.Server;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const silentPort = (): number => (silent.address() as net.AddressInfo).port;

  it('times out every request against an EPMD that never answers', async () => {
    const options = { port: silentPort(), timeout: 100 };
    await expect(registerNode('x', 1, options)).rejects.toMatchObject({ code: 'timeout' });
    await expect(lookupNode('x', options)).rejects.toMatchObject({ code: 'timeout' });
    await expect(listNames(options)).rejects.toBeInstanceOf(EpmdError);
  });

  it('aborts every request with signal.reason', async () => {
    const reason = new Error('stop');
    const abortSoon = (): AbortSignal => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 20);
      return controller.signal;
    };
    const port = silentPort();
    await expect(registerNode('x', 1, { port, signal: abortSoon() })).rejects.toBe(reason);
    await expect(lookupNode('x', { port, signal: abortSoon() })).rejects.toBe(reason);
    await expect(listNames({ port, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('reports a port where nothing listens as connect_failed', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));
    await expect(lookupNode('x', { port })).rejects.toMatchObject({ code: 'connect_failed' });
  });

  it('reports a request EPMD dropped (closed without a reply) as closed', async () => {
    const epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
    try {
      await expect(lookupNode('bad\u0000name', { port: epmd.port })).rejects.toMatchObject({ code: 'closed' });
    } finally {
      await epmd.close();
    }
  });
});
