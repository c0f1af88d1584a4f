/**
 * Closing a Connection (src/dist/connection.ts): the timer that destroys a socket whose peer never
 * answers our FIN is gone once the socket has closed, whoever closed first, so that a closed
 * connection (its atom caches and buffers) is not kept alive by the timer for its 5 s.
 */
import * as net from 'net';
import { useLoopbackServer } from '../support/loopback-server';
import { Connection } from '../../src/dist/connection';

const loopback = useLoopbackServer({}, (s) => s.on('end', () => s.end()));

async function connection(): Promise<{ connection: Connection; socket: net.Socket; closed: Promise<void> }> {
  const { port } = loopback;
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { connection: new Connection({ peer: 'peer@host', socket, flags: 0n }), socket, closed };
}

/** The timers set through setTimeout from now on that are not cleared yet. */
function pendingTimers(): () => unknown[] {
  const set = jest.spyOn(global, 'setTimeout');
  const cleared = jest.spyOn(global, 'clearTimeout');
  return () => {
    const gone = new Set(cleared.mock.calls.map(([t]): unknown => t));
    return set.mock.results.map((r): unknown => r.value).filter((t) => !gone.has(t));
  };
}

test('closing: the destroy timer is cleared once the socket closes', async () => {
  const { connection: c, closed } = await connection();
  const pending = pendingTimers();
  c.close();
  expect(pending()).toHaveLength(1);
  await closed;
  expect(pending()).toEqual([]);
});

test('the peer closing first leaves no destroy timer', async () => {
  const { connection: c, closed } = await connection();
  const pending = pendingTimers();
  const down = new Promise((resolve) => c.once('close', resolve));
  loopback.accepted[0].destroy();
  await expect(down).resolves.toBe('peer_closed');
  await closed;
  expect(pending()).toEqual([]);
});
