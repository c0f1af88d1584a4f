/**
 * A Connection reading a peer that keeps its socket full (src/dist/connection.ts): after a slice
 * of reading it lets the event loop turn, instead of handling every chunk libuv reads in one go
 * (up to 32 of them), so other connections and timers are not starved by a flooding peer.
 */
import * as net from 'net';
import { useLoopbackServer } from '../support/loopback-server';
import { Connection } from '../../src/dist/connection';

const loopback = useLoopbackServer();

/** A pass-through frame: 112, the control term `[]`, and a binary of `size` bytes as the payload. */
function frame(size: number): Buffer {
  const body = Buffer.alloc(1 + 2 + 6 + size);
  body.set([112, 131, 106, 131, 109]);
  body.writeUInt32BE(size, 5);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('messages costing 6 ms each, two to a 64 KiB read: the event loop turns after every few', async () => {
  const { port } = loopback;
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
  const total = 100;
  const peer = loopback.accepted[0];
  // 100 frames of 32 KiB, written before the connection reads: the kernel's buffers fill (a few
  // MiB), so the socket stays readable for many reads in a row, as under a flood.
  peer.write(Buffer.concat(Array.from({ length: total }, () => frame(32 * 1024))));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const connection = new Connection({ peer: 'peer@host', socket, flags: 0n });
  const events: string[] = [];
  let handled = 0;
  const done = new Promise<void>((resolve) =>
    connection.on('message', () => {
      events.push('m');
      spin(6);
      if (++handled === total) resolve();
    }),
  );
  let turning = true;
  const turn = (): void => {
    events.push('t');
    if (turning) setImmediate(turn);
  };
  setImmediate(turn);
  await done;
  turning = false;
  connection.close();
  const longestRun = Math.max(...events.join('').split('t').map((run) => run.length));
  // A slice is 10 ms: two messages, or three or four when a read ends inside a frame. Without
  // yielding, a turn handles every read the kernel has ready (about ten messages here, more under
  // a real flood: libuv goes on for up to 32 reads).
  expect(longestRun).toBeLessThanOrEqual(4);
  expect(events.filter((e) => e === 'm')).toHaveLength(total);
});
