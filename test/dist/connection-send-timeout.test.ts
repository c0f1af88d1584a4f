/**
 * The send timeout of a Connection (src/dist/connection.ts): a peer that stops reading while more
 * than busyLimit bytes wait for it is cut off with a `send_timeout` DistError after sendTimeout ms,
 * as erl's `send_timeout` closes a distribution socket; a peer that keeps reading is not.
 */
import * as net from 'net';
import { atom, tuple } from '../../codec';
import { useLoopbackServer } from '../support/loopback-server';
import { CloseReason, Connection } from '../../src/dist/connection';
import { DistError } from '../../src/dist/errors';

const loopback = useLoopbackServer({ pauseOnConnect: true });

async function connection(sendTimeout: number): Promise<{ connection: Connection; reasons: CloseReason[] }> {
  const { port } = loopback;
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const c = new Connection({ peer: 'peer@host', socket, flags: 0n, busyLimit: 64 << 10, sendTimeout });
  const reasons: CloseReason[] = [];
  c.on('close', (reason) => reasons.push(reason));
  return { connection: c, reasons };
}

/** Send 1 MiB messages until the connection reports busy (the kernel's buffers are full too). */
function sendUntilBusy(c: Connection): number {
  const big = Buffer.alloc(1 << 20, 7);
  for (let sent = 1; sent <= 48; sent++) if (!c.send(tuple(atom('data')), big)) return sent;
  throw new Error('never busy');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a peer that never reads is cut off after sendTimeout, with a send_timeout reason', async () => {
  const { connection: c, reasons } = await connection(300);
  sendUntilBusy(c);
  const started = Date.now();
  await new Promise((resolve) => c.once('close', resolve));
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect(reasons).toHaveLength(1);
  expect(reasons[0]).toBeInstanceOf(DistError);
  expect((reasons[0] as DistError).code).toBe('send_timeout');
  expect((reasons[0] as DistError).message).toMatch(/peer@host read too little/);
});

test('a peer that reads what it is sent stays connected past sendTimeout', async () => {
  const { connection: c, reasons } = await connection(300);
  while (loopback.accepted.length === 0) await sleep(10);
  loopback.accepted[0].resume();
  for (let round = 0; round < 4; round++) {
    sendUntilBusy(c);
    await c.drained();
    await sleep(150);
  }
  expect(reasons).toEqual([]);
  expect(c.isClosed).toBe(false);
  c.close();
});
