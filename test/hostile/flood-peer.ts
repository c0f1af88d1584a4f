/**
 * A hostile peer in a process of its own, so that its work does not share the event loop of the
 * node under test (whose latency the tests measure). Run through {@link spawnFloodPeer}; prints
 * one JSON line with what it saw, and `ready` lines on the way.
 *
 * - `handshakes PORT HOST COOKIE RATE SECONDS`: RATE connections a second to PORT, each the
 *   initiator's side of a handshake as node `floodN@HOST` with COOKIE (a wrong one): the node
 *   checks our challenge reply and closes. Counts the outcomes.
 * - `idle PORT COUNT HOLD_MS`: COUNT connections that send nothing; prints `ready` once all are
 *   connected, then after HOLD_MS how long each one lasted before the node closed it.
 */
import { createHash } from 'crypto';
import * as net from 'net';
import { advertisedFlags } from '../../handshake/flags';
import { serializeChallengeReply, serializeSendName } from '../../handshake/serializer';

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * One initiator handshake with `cookie`, on a raw socket (the library's initiator costs more per
 * attempt than this process may have): send_name, then at the challenge a reply with the digest
 * of `cookie`, as erl's dist_util sends it. Resolves with how it ended: `bad_cookie` (closed after
 * our reply), `accepted` (a challenge ack came), or where else it closed.
 */
function wrongCookieAttempt(port: number, host: string, cookie: string, n: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let stage = 'connect';
    let received = Buffer.alloc(0);
    const frames: Buffer[] = [];
    socket.on('connect', () => {
      stage = 'status';
      socket.write(serializeSendName({ flags: advertisedFlags(), creation: 5, name: `flood${n}@${host}` }));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        frames.push(received.subarray(2, 2 + received.readUInt16BE(0)));
        received = received.subarray(2 + received.readUInt16BE(0));
      }
      if (stage === 'status' && frames.length >= 2) {
        // The challenge: tag N, flags (8 bytes), the challenge (4), creation, name.
        const challenge = frames[1].readUInt32BE(9);
        const digest = createHash('md5').update(`${cookie}${challenge}`).digest();
        stage = 'challenge reply';
        socket.write(serializeChallengeReply({ challenge: 1, digest }));
      } else if (stage === 'challenge reply' && frames.length >= 3) {
        stage = 'accepted';
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () =>
      resolve(stage === 'challenge reply' ? 'bad_cookie' : stage === 'accepted' ? 'accepted' : `closed before ${stage}`),
    );
  });
}

/** In flight at most: on a machine too busy for RATE, attempts due beyond it are skipped (and counted). */
const MAX_IN_FLIGHT = 500;

async function handshakes(port: number, host: string, cookie: string, rate: number, seconds: number): Promise<void> {
  const outcomes: Record<string, number> = {};
  const attempts: Promise<void>[] = [];
  let inFlight = 0;
  let due = 0;
  const started = Date.now();
  const end = started + seconds * 1000;
  // Started on a 10 ms clock, as many as are due: a steady RATE a second whatever the timer jitter.
  while (Date.now() < end) {
    const dueNow = Math.floor(((Date.now() - started) * rate) / 1000) + 1;
    for (; due < dueNow; due++) {
      if (inFlight >= MAX_IN_FLIGHT) continue;
      inFlight++;
      const attempt = wrongCookieAttempt(port, host, cookie, due).then((o) => {
        inFlight--;
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      });
      attempts.push(attempt);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(attempts);
  const elapsedMs = Date.now() - started;
  print(
    JSON.stringify({
      attempts: attempts.length,
      skipped: due - attempts.length,
      perSecond: Math.round((attempts.length * 1000) / elapsedMs),
      elapsedMs,
      outcomes,
    }),
  );
}

async function idle(port: number, count: number, holdMs: number): Promise<void> {
  const lifetimes: Array<number | null> = new Array<number | null>(count).fill(null);
  let failed = 0;
  const failures: Record<string, number> = {};
  const sockets: net.Socket[] = [];
  const attempts: Array<Promise<boolean>> = [];
  // In batches: all at once would overflow the listen backlog, and a connection whose last ACK
  // the kernel dropped looks open here long before the node can accept it.
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    attempts.push(
      connect(port).then(
        (socket) => {
          const at = Date.now();
          sockets.push(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => (lifetimes[i] = Date.now() - at));
          return true;
        },
        (err: NodeJS.ErrnoException) => {
          failed++;
          failures[err.code ?? 'error'] = (failures[err.code ?? 'error'] ?? 0) + 1;
          return false;
        },
      ),
    );
  }
  const opened = await Promise.all(attempts);
  print(`ready ${opened.filter(Boolean).length}`);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  const closed = lifetimes.filter((t): t is number => t !== null).sort((a, b) => a - b);
  print(
    JSON.stringify({
      connected: count - failed,
      failed,
      failures,
      closed: closed.length,
      stillOpen: count - failed - closed.length,
      lifetimesMs: closed,
    }),
  );
  for (const socket of sockets) socket.destroy();
}

const [mode, ...args] = process.argv.slice(2);
const run =
  mode === 'handshakes'
    ? handshakes(Number(args[0]), args[1], args[2], Number(args[3]), Number(args[4]))
    : mode === 'idle'
      ? idle(Number(args[0]), Number(args[1]), Number(args[2]))
      : Promise.reject(new Error(`unknown mode ${mode}`));
run.then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
