/**
 * Closing a Connection (src/dist/connection.ts): the timer that destroys a socket whose peer never
 * answers our FIN is cleared once the socket has closed, so that a closed connection (its atom
 * caches and buffers) is not kept alive by the timer for its 5 s.
 */
import * as net from 'net';
import { Connection } from '../../src/dist/connection';

test('the destroy timer of a clean close is cleared once the socket closes', async () => {
  const server = net.createServer((s) => s.on('end', () => s.end()).on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const connection = new Connection({ peer: 'peer@host', socket, flags: 0n });
  const setTimer = jest.spyOn(global, 'setTimeout');
  const clearTimer = jest.spyOn(global, 'clearTimeout');
  try {
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    connection.close();
    const timers = setTimer.mock.results.map((r): unknown => r.value);
    expect(timers).toHaveLength(1);
    await closed;
    expect(clearTimer.mock.calls.map(([t]) => t)).toContain(timers[0]);
  } finally {
    setTimer.mockRestore();
    clearTimer.mockRestore();
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
