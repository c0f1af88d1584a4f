import * as net from 'net';
import { tcpTransport, TransportError } from '../../../handshake';
import type { DistListener } from '../../../handshake';
import { freePort } from '../../support/otp-node-extra';

// Node has no public getter for TCP_NODELAY; its own record of the setting is this symbol.
function noDelay(socket: net.Socket): boolean {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  if (symbol === undefined) throw new Error('this Node keeps no kSetNoDelay to check');
  return (socket as unknown as Record<symbol, boolean>)[symbol];
}

const received = (socket: net.Socket): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.resume();
  });

const sockets: net.Socket[] = [];
const listeners: DistListener[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

async function listen(): Promise<{ listener: DistListener; accepted: () => Promise<net.Socket> }> {
  const listener = await tcpTransport.listen({ port: 0, host: '127.0.0.1' });
  listeners.push(listener);
  const queue: net.Socket[] = [];
  const waiting: Array<(socket: net.Socket) => void> = [];
  listener.onConnection((socket) => {
    sockets.push(socket);
    const next = waiting.shift();
    if (next) next(socket);
    else queue.push(socket);
  });
  const accepted = (): Promise<net.Socket> => {
    const socket = queue.shift();
    return socket ? Promise.resolve(socket) : new Promise((resolve) => waiting.push(resolve));
  };
  return { listener, accepted };
}

/** Makes net.connect hand out a socket that never connects, as toward a host that drops SYNs. */
function hangingConnect(): { socket: net.Socket; connect: jest.SpyInstance } {
  const socket = new net.Socket();
  // The module object itself: the `import * as` namespace has read-only bindings.
  const connect = jest.spyOn(jest.requireActual<typeof net>('net'), 'connect').mockReturnValue(socket);
  return { socket, connect };
}

describe('TCP transport: connect', () => {
  it('connects with noDelay on', async () => {
    const { listener, accepted } = await listen();
    const socket = await tcpTransport.connect('127.0.0.1', listener.port, { timeout: 2000 });
    sockets.push(socket);
    expect(noDelay(socket)).toBe(true);
    const peer = await accepted();
    socket.end('ping');
    expect((await received(peer)).toString()).toBe('ping');
  });

  it('reports a port where nothing listens as connect_failed, with the cause', async () => {
    const port = await freePort();
    const failure = await tcpTransport.connect('127.0.0.1', port, { timeout: 2000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportError);
    expect(failure).toMatchObject({ code: 'connect_failed', cause: { code: 'ECONNREFUSED' } });
  });

  it('times out a connection that never completes, and destroys its socket', async () => {
    const { socket, connect } = hangingConnect();
    const started = Date.now();
    const failure = await tcpTransport.connect('192.0.2.1', 4370, { timeout: 100 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportError);
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(socket.destroyed).toBe(true);
    expect(connect).toHaveBeenCalledWith(expect.objectContaining({ host: '192.0.2.1', port: 4370, noDelay: true }));
  });

  it('on abort, destroys the socket and rejects with the reason', async () => {
    const { socket } = hangingConnect();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 20);
    await expect(tcpTransport.connect('192.0.2.1', 4370, { timeout: 5000, signal: controller.signal })).rejects.toBe(reason);
    expect(socket.destroyed).toBe(true);
  });

  it('does not even try with a signal that is already aborted', async () => {
    const { connect } = hangingConnect();
    const reason = new Error('too late');
    await expect(tcpTransport.connect('192.0.2.1', 4370, { timeout: 5000, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('TCP transport: listen', () => {
  it('is called tcp', () => {
    expect(tcpTransport.name).toBe('tcp');
  });

  it('hands over accepted sockets paused and with noDelay, so no byte is read before the handshake', async () => {
    const { listener, accepted } = await listen();
    expect(listener.port).toBeGreaterThan(0);
    const client = net.connect(listener.port, '127.0.0.1');
    sockets.push(client);
    client.end('hello, acceptor');
    const peer = await accepted();
    expect(peer.isPaused()).toBe(true);
    expect(noDelay(peer)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(peer.bytesRead).toBe(0);
    expect((await received(peer)).toString()).toBe('hello, acceptor');
  });

  it('stops accepting on close, while accepted sockets stay open', async () => {
    const { listener, accepted } = await listen();
    const client = await tcpTransport.connect('127.0.0.1', listener.port, { timeout: 2000 });
    sockets.push(client);
    const peer = await accepted();
    await listener.close();
    await expect(tcpTransport.connect('127.0.0.1', listener.port, { timeout: 2000 })).rejects.toMatchObject({ code: 'connect_failed' });
    expect(peer.destroyed).toBe(false);
    client.end('still here');
    expect((await received(peer)).toString()).toBe('still here');
  });

  it('rejects a port that is taken with the listen error', async () => {
    const { listener } = await listen();
    await expect(tcpTransport.listen({ port: listener.port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
