/**
 * Floods and slow peers (issue 13, item 3), each while a real erl client keeps calling kvs on the
 * node and its rpc:call latency is measured: 1,000 wrong-cookie handshakes a second, slowloris
 * peers on the distribution port and on the EPMD port, thousands of idle connections, and a peer
 * that never reads. The node keeps serving erl (every call answered, p99 under LATENCY_BOUND_MS),
 * cuts each bad peer off at its bound, and logs refusals rate-limited. The floods that would load
 * an event loop run in a child process (flood-peer.ts). Figures: docs/hostile.md.
 */
import * as net from 'net';
import * as path from 'path';
import { atom, Pid } from '../../codec';
import { connectToNode, EpmdServer, lookupNode, resolveCookie } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { MemoryKvsStore } from '../../src/kvs/store';
import { ErlNode, NodeOptions } from '../../src/node/node';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { NodeEvents, sleep, waitFor } from '../support/otp-node-extra';
import { describeHostOtp, uniqueName } from '../support/otp';
import { lineFrom } from '../support/cli-process';
import { outputOf, spawnTs } from '../support/ts-child';
import { kvsCallFigures, startKvsCaller, stopKvsCaller } from '../support/kvs-caller';

/** The node's setupTimeout (net_setuptime) and the EPMD's requestTimeout here. */
const SETUP_MS = 2000;
const SEND_TIMEOUT_MS = 2000;
/** What the erl client's p99 must stay under: generous, for a noisy 2-core CI machine. */
const LATENCY_BOUND_MS = 500;
/** RateLimitedLog's burst: lines a flood may cause in one window, plus the count of the rest. */
const LOG_BURST = 10;
const FLOOD_PEER = path.join(__dirname, 'flood-peer.ts');

interface Latency {
  calls: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
}

/** Set FLOODS_REPORT=1 to print each case's figures (for docs/hostile.md). */
function report(what: string, figures: object): void {
  if (process.env.FLOODS_REPORT === '1') process.stdout.write(`floods: ${what} ${JSON.stringify(figures)}\n`);
}

describeHostOtp('floods and slow peers', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  const cookie = uniqueName('cookie');
  const nodes: ErlNode[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0, requestTimeout: SETUP_MS });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  // One node per case: stopped after it, so that no case sees another's connections.
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  /** A node serving kvs (k -> v) that erl has called once, and the lines it logs. */
  async function servingNode(options: Partial<NodeOptions> = {}): Promise<{ ts: ErlNode; logs: string[] }> {
    const logs: string[] = [];
    const ts = await ErlNode.start({
      name: uniqueName('ts'),
      cookie,
      epmdPort: epmd.port,
      setupTimeout: SETUP_MS,
      limits: { sendTimeout: SEND_TIMEOUT_MS },
      log: (line) => logs.push(line),
      ...options,
    });
    nodes.push(ts);
    const store = new MemoryKvsStore();
    store.store(atom('k'), atom('v'));
    serveKvs(ts, store);
    expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [k], 5000)`)).toBe('{ok,v}');
    return { ts, logs };
  }

  /**
   * erl calls kvs:lookup(k) on `ts` every 5 ms until told to stop (at most a minute): the latency
   * of each rpc:call, in ms, and how many did not answer {ok, v} within 5 s.
   */
  async function latencyProbe(ts: ErlNode): Promise<{ stop(): Promise<Latency> }> {
    const name = uniqueName('probe');
    expect(
      await erl.eval(startKvsCaller({ node: ts.name, name, key: 'k', value: 'v', everyMs: 5, callTimeoutMs: 5000, maxMs: 60_000 })),
    ).toBe('ok');
    return {
      stop: async () => {
        const { calls, failed, p50Us, p99Us, maxUs } = kvsCallFigures(await erl.eval(stopKvsCaller(name), 40_000));
        return { calls, failures: failed, p50: p50Us / 1000, p99: p99Us / 1000, max: maxUs / 1000 };
      },
    };
  }

  /** Run `body` while erl calls kvs on `ts`: its result and the latency the probe saw meanwhile. */
  async function measured<T>(ts: ErlNode, body: () => Promise<T>): Promise<{ value: T; latency: Latency }> {
    const probe = await latencyProbe(ts);
    let value: T;
    try {
      await sleep(200);
      value = await body();
      await sleep(200);
    } catch (err) {
      await probe.stop().catch(() => undefined);
      throw err;
    }
    return { value, latency: await probe.stop() };
  }

  function expectServed(latency: Latency): void {
    expect(latency.calls).toBeGreaterThan(20);
    expect(latency.failures).toBe(0);
    expect(latency.p99).toBeLessThan(LATENCY_BOUND_MS);
  }

  it('1,000 wrong-cookie handshakes a second: all refused, a few log lines, kvs served', async () => {
    const { ts, logs } = await servingNode();
    const { value: result, latency } = await measured(ts, async () => {
      const flood = spawnTs(FLOOD_PEER, ['handshakes', String(ts.distPort), ts.name.split('@')[1], 'not-the-cookie', '1000', '3']);
      return JSON.parse(await outputOf(flood, 40_000)) as { attempts: number; perSecond: number; outcomes: Record<string, number> };
    });
    report('wrong-cookie handshakes', { ...result, logLines: logs.length, latency });

    // 3,000 on an idle machine; an overloaded one starts fewer (the rest are counted as skipped).
    expect(result.attempts).toBeGreaterThanOrEqual(500);
    // None got in: each was refused on its challenge reply.
    expect(result.outcomes).toEqual({ bad_cookie: result.attempts });
    expect(logs.filter((l) => /refused a connection .*does not match our cookie/.test(l)).length).toBeGreaterThan(0);
    expect(logs.length).toBeLessThanOrEqual(LOG_BURST + 1);
    expectServed(latency);
  }, 60_000);

  it('slowloris on the distribution and the EPMD port: cut off at their bounds, others served', async () => {
    const { ts, logs } = await servingNode();
    // A send_name frame and an EPMD NAMES request announced long, a byte a second.
    const trickle = (port: number, bytes: Buffer) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      let sent = 0;
      const timer = setInterval(() => socket.writable && socket.write(bytes.subarray(sent, ++sent)), 1000);
      const opened = Date.now();
      const closed = new Promise<number>((resolve) =>
        socket.on('close', () => {
          clearInterval(timer);
          resolve(Date.now() - opened);
        }),
      );
      socket.write(bytes.subarray(0, ++sent));
      return { closed, sent: () => sent, socket };
    };
    const sendName = Buffer.concat([Buffer.from([0, 40, 0x4e]), Buffer.alloc(39, 0x61)]);
    const namesRequest = Buffer.concat([Buffer.from([0, 40, 0x6e]), Buffer.alloc(39, 0x61)]);
    const slow: Array<ReturnType<typeof trickle>> = [];
    try {
      const { value: lifetimes, latency } = await measured(ts, async () => {
        for (let i = 0; i < 3; i++) slow.push(trickle(ts.distPort as number, sendName), trickle(epmd.port, namesRequest));
        // Meanwhile a good peer still connects, and EPMD still answers.
        await sleep(500);
        const good = await connectToNode(ts.name, {
          ourName: `${uniqueName('good')}@${ts.name.split('@')[1]}`,
          cookie: resolveCookie({ cookie }),
          creation: 5,
          epmdPort: epmd.port,
        });
        good.socket.destroy();
        expect(await lookupNode(ts.name.split('@')[0], { port: epmd.port })).toMatchObject({ port: ts.distPort });
        return Promise.all(slow.map((s) => s.closed));
      });
      report('slowloris', { lifetimesMs: lifetimes, bytesSent: slow.map((s) => s.sent()), logLines: logs, latency });
      // Cut off by the setup timeout / request timeout: a byte a second restarts neither.
      for (const lifetime of lifetimes) {
        expect(lifetime).toBeGreaterThanOrEqual(SETUP_MS - 100);
        expect(lifetime).toBeLessThan(SETUP_MS + 2500);
      }
      expect(Math.min(...slow.map((s) => s.sent()))).toBeGreaterThanOrEqual(2);
      // One line per dist-port slowloris (3), under the burst.
      expect(logs.filter((l) => /refused a connection .*peer name/.test(l))).toHaveLength(3);
      expectServed(latency);
    } finally {
      for (const s of slow) s.socket.destroy();
    }
  }, 60_000);

  it('3,000 idle connections: beyond the cap refused at once, the rest closed at the setup timeout', async () => {
    // Under 1,024 with what the test process has open: the node must not run out of descriptors
    // where the soft limit is 1,024 (the flood peer raises its own).
    const maxPendingHandshakes = 500;
    const connections = 3000;
    const { ts, logs } = await servingNode({ maxPendingHandshakes });
    // Exact only with `node --expose-gc` (how docs/hostile.md measured it); a rough bound without.
    const gc = (global as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    let held = before;
    const { value: result, latency } = await measured(ts, async () => {
      const flood = spawnTs(FLOOD_PEER, ['idle', String(ts.distPort), String(connections), String(SETUP_MS + 4000)], {
        openFiles: connections + 100,
      });
      const output = outputOf(flood, 60_000);
      // Memory while the pending handshakes are held: as soon as the peer has all its sockets.
      await lineFrom(flood, /^ready/, 30_000);
      gc?.();
      held = process.memoryUsage();
      const json = (await output).split('\n').find((l) => l.startsWith('{')) as string;
      return JSON.parse(json) as { connected: number; failures: Record<string, number>; stillOpen: number; lifetimesMs: number[] };
    });
    const early = result.lifetimesMs.filter((t) => t < SETUP_MS / 2).length;
    const atTimeout = result.lifetimesMs.filter((t) => t >= SETUP_MS - 100).length;
    const heapPerPending = (held.heapUsed - before.heapUsed) / maxPendingHandshakes;
    report('idle connections', {
      ...result,
      lifetimesMs: undefined,
      early,
      atTimeout,
      slowestMs: result.lifetimesMs.at(-1),
      heapPerPendingBytes: Math.round(heapPerPending),
      rssPerPendingBytes: Math.round((held.rss - before.rss) / maxPendingHandshakes),
      logLines: logs.length,
      latency,
    });

    // Every connection is closed: at once beyond the cap, else at the setup timeout. (How many
    // of each depends on how fast they arrive: a slot is free again when its holder times out.)
    expect(result.failures).toEqual({});
    expect(result.connected).toBe(connections);
    expect(result.stillOpen).toBe(0);
    expect(early).toBeGreaterThan(0);
    expect(atTimeout).toBeGreaterThanOrEqual(maxPendingHandshakes);
    expect(result.lifetimesMs.at(-1)).toBeLessThan(2 * SETUP_MS + 2000);
    // Generous: the heap grows by a few KiB per pending handshake (docs/hostile.md).
    expect(heapPerPending).toBeLessThan(64 * 1024);
    expect(logs.length).toBeLessThanOrEqual(LOG_BURST + 1);
    expect(logs.some((l) => /maxPendingHandshakes/.test(l))).toBe(true);
    expectServed(latency);
  }, 60_000);

  const megabyte = Buffer.alloc(1 << 20, 1);

  /**
   * A peer that completes the handshake and then never reads (its socket is never resumed), and a
   * pid of it to send to, once `ts` lists it as connected.
   */
  async function deafPeer(ts: ErlNode): Promise<{ name: string; to: Pid; socket: net.Socket }> {
    const name = `${uniqueName('deaf')}@${ts.name.split('@')[1]}`;
    const deaf = await connectToNode(ts.name, { ourName: name, cookie: resolveCookie({ cookie }), creation: 5, epmdPort: epmd.port });
    deaf.socket.on('error', () => undefined);
    await waitFor(`${name} up`, () => ts.nodes('connected').includes(name));
    return { name, to: new Pid(atom(name), 1, 0, 5), socket: deaf.socket };
  }

  it('a peer that never reads: busy, then closed at the send timeout with nodedown; erl unaffected', async () => {
    const { ts, logs } = await servingNode();
    const events = new NodeEvents(ts);
    const { name, to, socket } = await deafPeer(ts);
    try {
      const { value: down, latency } = await measured(ts, async () => {
        const sentAt = Date.now();
        for (let i = 0; i < 32; i++) ts.send(to, megabyte);
        const event = await events.next('nodedown', name, SEND_TIMEOUT_MS + 10_000);
        return { reason: event.reason, afterMs: event.at - sentAt };
      });
      report('never-reading peer', { closedAfterMs: down.afterMs, reason: down.reason, latency });

      expect(down.reason).toMatch(new RegExp(`read too little: more than \\d+ bytes stayed queued for ${SEND_TIMEOUT_MS} ms`));
      expect(down.afterMs).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS - 100);
      expect(down.afterMs).toBeLessThan(SEND_TIMEOUT_MS + 3000);
      expect(logs.filter((l) => l.includes(`connection to ${name} closed`))).toHaveLength(1);
      expect(ts.nodes()).toContain(erl.name);
      expectServed(latency);
    } finally {
      socket.destroy();
      events.dispose();
    }
  }, 60_000);

  it('a peer that never reads while the node sends past maxQueued: closed at once as overloaded, no send throws', async () => {
    const { ts, logs } = await servingNode({ limits: { sendTimeout: 60_000, maxQueued: 8 << 20 } });
    const events = new NodeEvents(ts);
    const { name, to, socket } = await deafPeer(ts);
    try {
      // Sent in turns of the event loop, so the queue is the socket's, as a program's sends are.
      for (let i = 0; i < 64 && ts.nodes('connected').includes(name); i++) {
        ts.send(to, megabyte);
        await sleep(1);
      }
      const [down] = events.about(name, 'nodedown');
      expect(down?.reason).toMatch(/more than 8388608 bytes queued/);
      expect(logs.filter((l) => l.includes(`connection to ${name} closed`))).toHaveLength(1);
      expect(ts.nodes()).toContain(erl.name);
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [k], 5000)`)).toBe('{ok,v}');
    } finally {
      socket.destroy();
      events.dispose();
    }
  }, 60_000);
});
