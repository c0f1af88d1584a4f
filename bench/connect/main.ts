/**
 * bench/connect: a TypeScript node against erl nodes on one machine, in one run.
 *
 *   (a) connect: `ping` to a node we are not connected to (EPMD lookup, handshake, and the first
 *       request/reply: net_kernel's is_auth), median over many fresh connections;
 *   (b) one-way throughput of `{msg, N, <<"payload">>}` counted by the receiving process over a
 *       fixed window, and request/reply round trips per second (one in flight);
 *
 * each for TS→erl, erl→TS and erl→erl (the baseline: two erl nodes, the same roles). Results go to
 * the `## Connect` section of docs/benchmarks.md as ratios to erl→erl.
 *
 *   npm run bench -- connect [--quick] [--write|--no-write]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { atom, Pid, Tuple, tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { compileErl, cpuSecondsOf, Epmd, ErlBenchNode, freePort, otpVersion, parseNumbers } from './erl';
import { writeDocsSection } from '../docs-section';

interface Options {
  quick: boolean;
  write: boolean;
  explicitNoWrite: boolean;
}

interface Plan {
  rounds: number;
  connectsPerRound: number;
  gapMs: number;
  warmMs: number;
  windowMs: number;
}

const FULL: Plan = { rounds: 5, connectsPerRound: 40, gapMs: 10, warmMs: 500, windowMs: 2000 };
const QUICK: Plan = { rounds: 1, connectsPerRound: 10, gapMs: 10, warmMs: 200, windowMs: 500 };

type Pair = 'TS→erl' | 'erl→TS' | 'erl→erl';
const PAIRS: readonly Pair[] = ['TS→erl', 'erl→TS', 'erl→erl'];

const MSG = atom('msg');
const REPLY = atom('reply');
const PAYLOAD = Buffer.from('payload');

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, write: true, explicitNoWrite: false };
  let writeSet = false;
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--write') [o.write, writeSet] = [true, true];
    else if (a === '--no-write') [o.write, writeSet, o.explicitNoWrite] = [false, true, true];
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- connect [--quick] [--write|--no-write]\n' +
          '  --quick   one short round: a smoke run (does not write docs/benchmarks.md unless --write)',
      );
      process.exit(0);
    } else {
      // npm run bench passes every flag to every bench: another bench's flag is not an error here.
      console.error(`bench/connect: ignoring ${a} (not a flag of this bench; try --help)`);
    }
  }
  if (o.quick && !writeSet) o.write = false;
  return o;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function benchDir(): string {
  return process.env.ERLBRIDGE_BENCH_DIR ?? path.resolve(__dirname, '..', '..', '..', '..');
}

/** The TS node's side of the measurements. */
class TsSide {
  sinkCount = 0;
  rrCount = 0;
  private constructor(readonly node: ErlNode) {}

  static async start(name: string, cookie: string, epmdPort: number): Promise<TsSide> {
    const node = await ErlNode.start({
      name,
      cookie,
      epmdPort,
      hidden: true,
      log: (l) => process.stderr.write(`bench/connect (${name}): ${l}\n`),
    });
    const side = new TsSide(node);
    node.spawn(
      async (self) => {
        for (;;) {
          const m = await self.receive();
          if (m instanceof Tuple && m.get(0) === MSG) side.sinkCount++;
        }
      },
      { name: 'sink' },
    );
    node.spawn(
      async (self) => {
        for (;;) {
          const m = await self.receive();
          if (m instanceof Tuple && m.length === 2 && m.get(0) instanceof Pid) self.send(m.get(0) as Pid, tuple(REPLY, m.get(1)));
        }
      },
      { name: 'echo' },
    );
    return side;
  }

  async disconnect(peer: string): Promise<void> {
    if (this.node.nodes('connected').includes(peer)) (await this.node.connect(peer)).close();
  }

  /** Microseconds of each `ping` on a fresh connection. */
  async pingTimes(peer: string, n: number, gapMs: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      await this.disconnect(peer);
      await sleep(gapMs);
      const t0 = performance.now();
      const answer = await this.node.ping(peer);
      const t1 = performance.now();
      if (answer !== 'pong') throw new Error(`ping ${peer}: ${answer}`);
      out.push((t1 - t0) * 1000);
    }
    return out;
  }

  /** Floods `{sink, peer}` until the returned stop function is called; keeps to the connection's backpressure. */
  async flood(peer: string): Promise<() => Promise<number>> {
    const conn = await this.node.connect(peer);
    const me = this.node.spawn();
    const to = ['sink', peer] as const;
    let running = true;
    let n = 0;
    const done = (async () => {
      while (running && !conn.isClosed) {
        for (let i = 0; i < 512; i++) me.send(to, tuple(MSG, n++, PAYLOAD));
        await conn.drained();
        // Let timers and the other side's answers run now and then.
        if ((n & 0x3fff) === 0) await yieldToLoop();
      }
    })();
    return async () => {
      running = false;
      await done;
      me.exit();
      return n;
    };
  }

  async sinkDrained(): Promise<void> {
    let last = -1;
    while (this.sinkCount !== last) {
      last = this.sinkCount;
      await sleep(200);
    }
  }

  /** Request/reply round trips to `{echo, peer}`, one in flight, counted in `rrCount` until stopped. */
  startRoundTrips(peer: string): () => Promise<void> {
    const me: ErlProcess = this.node.spawn();
    const to = ['echo', peer] as const;
    let running = true;
    this.rrCount = 0;
    const done = (async () => {
      let n = 0;
      while (running) {
        me.send(to, tuple(me.pid, n));
        const m = await me.receive();
        if (!(m instanceof Tuple) || m.get(1) !== n) throw new Error('unexpected reply');
        n++;
        this.rrCount++;
      }
    })();
    return async () => {
      running = false;
      await done;
      me.exit();
    };
  }
}

/** A load's rate over the window, and the CPU time each process spent per operation in it (µs). */
interface Windowed {
  rate: number;
  cpuUs: { ts: number; a: number; b: number };
}

interface Results {
  connectUs: Record<Pair, number[]>;
  oneWay: Record<Pair, Windowed[]>;
  roundTrips: Record<Pair, Windowed[]>;
}

async function waitErlSinkEmpty(erl: ErlBenchNode): Promise<void> {
  while (Number(await erl.eval('connect_bench:sink_queue()')) > 0) await sleep(100);
}

/** `global.gc` under `--expose-gc` (how `npm run bench` runs every bench). */
const fullGc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/**
 * Runs a load that is already going: `warmMs`, then counts operations and CPU over `windowMs`.
 * The TypeScript node's heap is collected first: the garbage of the load before (a one-way
 * flood leaves hundreds of thousands of messages' worth) would otherwise be collected inside this
 * window, on V8's helper threads too, and counted as this load's CPU. An erl process's garbage
 * is collected by that process, within its own load.
 */
async function overWindow(plan: Plan, count: () => number | Promise<number>, a: ErlBenchNode, b: ErlBenchNode): Promise<Windowed> {
  fullGc?.();
  const take = async () => {
    const n = await count();
    const cpu = process.cpuUsage();
    return { n, t: performance.now(), ts: (cpu.user + cpu.system) / 1e6, a: cpuSecondsOf(a.pid), b: cpuSecondsOf(b.pid) };
  };
  await sleep(plan.warmMs);
  const s0 = await take();
  await sleep(plan.windowMs);
  const s1 = await take();
  const ops = s1.n - s0.n;
  const perOp = (x0: number, x1: number) => ((x1 - x0) * 1e6) / ops;
  return { rate: (ops * 1000) / (s1.t - s0.t), cpuUs: { ts: perOp(s0.ts, s1.ts), a: perOp(s0.a, s1.a), b: perOp(s0.b, s1.b) } };
}

async function measure(plan: Plan, ts: TsSide, a: ErlBenchNode, b: ErlBenchNode, log: (s: string) => void): Promise<Results> {
  const r: Results = {
    connectUs: { 'TS→erl': [], 'erl→TS': [], 'erl→erl': [] },
    oneWay: { 'TS→erl': [], 'erl→TS': [], 'erl→erl': [] },
    roundTrips: { 'TS→erl': [], 'erl→TS': [], 'erl→erl': [] },
  };
  const n = plan.connectsPerRound;
  const tsName = ts.node.name;
  const erlSink = async () => Number(await a.eval('connect_bench:sink_count()'));
  for (let round = 1; round <= plan.rounds; round++) {
    log(`round ${round}/${plan.rounds}: connect`);
    // (a) connect + first request/reply. Each side ends connected; drop that before the next.
    r.connectUs['TS→erl'].push(...(await ts.pingTimes(a.name, n, plan.gapMs)));
    await ts.disconnect(a.name);
    await sleep(plan.gapMs);
    r.connectUs['erl→TS'].push(...parseNumbers(await a.eval(`connect_bench:ping_times('${tsName}', ${n}, ${plan.gapMs})`)));
    await a.eval(`erlang:disconnect_node('${tsName}')`);
    r.connectUs['erl→erl'].push(...parseNumbers(await b.eval(`connect_bench:ping_times('${a.name}', ${n}, ${plan.gapMs})`)));
    await sleep(plan.gapMs);

    log(`round ${round}/${plan.rounds}: one-way messages`);
    // (b1) one-way: the receiving process counts what it takes from its mailbox.
    {
      const stop = await ts.flood(a.name);
      r.oneWay['TS→erl'].push(await overWindow(plan, erlSink, a, b));
      await stop();
      await waitErlSinkEmpty(a);
    }
    {
      await a.eval(`connect_bench:sender_start('${tsName}')`);
      r.oneWay['erl→TS'].push(await overWindow(plan, () => ts.sinkCount, a, b));
      await a.eval('connect_bench:sender_stop()');
      await ts.sinkDrained();
    }
    {
      await b.eval(`connect_bench:sender_start('${a.name}')`);
      r.oneWay['erl→erl'].push(await overWindow(plan, erlSink, a, b));
      await b.eval('connect_bench:sender_stop()');
      await waitErlSinkEmpty(a);
    }

    log(`round ${round}/${plan.rounds}: request/reply`);
    // (b2) request/reply, one in flight.
    {
      const stop = ts.startRoundTrips(a.name);
      r.roundTrips['TS→erl'].push(await overWindow(plan, () => ts.rrCount, a, b));
      await stop();
    }
    {
      await a.eval(`connect_bench:rr_start('${tsName}')`);
      r.roundTrips['erl→TS'].push(await overWindow(plan, async () => Number(await a.eval('connect_bench:rr_count()')), a, b));
      await a.eval('connect_bench:rr_stop()');
    }
    {
      await b.eval(`connect_bench:rr_start('${a.name}')`);
      r.roundTrips['erl→erl'].push(await overWindow(plan, async () => Number(await b.eval('connect_bench:rr_count()')), a, b));
      await b.eval('connect_bench:rr_stop()');
    }
  }
  return r;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function ratio(x: number): string {
  return `${x.toFixed(2)}×`;
}

function spread(xs: number[]): string {
  if (xs.length < 2) return '';
  const m = median(xs);
  return ` (±${(((Math.max(...xs) - Math.min(...xs)) / 2 / m) * 100).toFixed(0)}%)`;
}

/** The median of per-round ratios, and their range when there are several rounds. */
function pairedRatio(ratios: number[]): string {
  const m = ratio(median(ratios));
  return ratios.length < 2 ? m : `${m} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

/** Who plays the first role (sender, client) and the second (receiver, server) in each pair. */
const ROLES: Record<Pair, ['ts' | 'a' | 'b', 'ts' | 'a' | 'b']> = { 'TS→erl': ['ts', 'a'], 'erl→TS': ['a', 'ts'], 'erl→erl': ['b', 'a'] };

function render(r: Results, plan: Plan, machine: string, quick: boolean): string {
  const L: string[] = [];
  L.push(
    'A TypeScript node (erlbridge) and erl nodes on one machine, loopback TCP, measured in one run, the three pairs ' +
      'interleaved round by round. erl→erl is the baseline: two erl nodes in the same roles. "vs erl→erl" is how many ' +
      'times as fast as the baseline (above 1.00× is faster; for connect times it is erl→erl time / our time), taken ' +
      'round by round against the baseline of the same round: the median, and in brackets the lowest and highest round.',
  );
  L.push('');
  L.push('| measurement | TS→erl | erl→TS | erl→erl | TS→erl vs erl→erl | erl→TS vs erl→erl |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  const c = PAIRS.map((p) => median(r.connectUs[p]));
  // Ratios are taken round by round (the pairs of one round ran minutes apart at most) and the
  // median of those is shown, with their range.
  const perRound = (p: Pair) =>
    Array.from({ length: plan.rounds }, (_, k) => median(r.connectUs[p].slice(k * plan.connectsPerRound, (k + 1) * plan.connectsPerRound)));
  const base = perRound('erl→erl');
  const connectRatio = (p: Pair) => pairedRatio(perRound(p).map((us, k) => base[k] / us));
  L.push(
    `| connect + first ping, median µs (${r.connectUs['erl→erl'].length} connects each) | ${fmt(c[0])} | ${fmt(c[1])} | ${fmt(c[2])} | ${connectRatio('TS→erl')} | ${connectRatio('erl→TS')} |`,
  );
  const row = (label: string, runs: Record<Pair, Windowed[]>) => {
    const rates = PAIRS.map((p) => runs[p].map((w) => w.rate));
    const m = rates.map(median);
    L.push(
      `| ${label} | ${fmt(m[0])}${spread(rates[0])} | ${fmt(m[1])}${spread(rates[1])} | ${fmt(m[2])}${spread(rates[2])} | ${pairedRatio(rates[0].map((x, k) => x / rates[2][k]))} | ${pairedRatio(rates[1].map((x, k) => x / rates[2][k]))} |`,
    );
  };
  row('one-way `{msg, N, <<"payload">>}`, messages/s', r.oneWay);
  row('request/reply round trips/s (one in flight)', r.roundTrips);
  L.push('');
  const p90 = PAIRS.map((p) => {
    const s = [...r.connectUs[p]].sort((x, y) => x - y);
    return s[Math.floor(s.length * 0.9)];
  });
  L.push(`Connect times at the 90th percentile: TS→erl ${fmt(p90[0])} µs, erl→TS ${fmt(p90[1])} µs, erl→erl ${fmt(p90[2])} µs.`);
  L.push('');
  L.push(
    'CPU time per message (µs, user + system of the whole OS process, median over the rounds) on each side. ' +
      'This does not depend on how busy the machine was, unlike the rates above:',
  );
  L.push('');
  L.push('| | TS→erl | erl→TS | erl→erl |');
  L.push('| --- | ---: | ---: | ---: |');
  const cpuRow = (label: string, runs: Record<Pair, Windowed[]>, role: 0 | 1) => {
    const cells = PAIRS.map((p) => {
      const who = ROLES[p][role];
      const us = median(runs[p].map((w) => w.cpuUs[who]));
      return `${Number.isFinite(us) ? us.toFixed(2) : 'n/a'} (${who === 'ts' ? 'TS' : 'erl'})`;
    });
    L.push(`| ${label} | ${cells.join(' | ')} |`);
  };
  cpuRow('one-way: sender', r.oneWay, 0);
  cpuRow('one-way: receiver', r.oneWay, 1);
  cpuRow('request/reply: client', r.roundTrips, 0);
  cpuRow('request/reply: server', r.roundTrips, 1);
  L.push('');
  L.push('Where the time goes (`node --cpu-prof`, `strace -c -f` and CPU time per connect, 2026-12-07, on the machine below):');
  L.push('');
  L.push(
    '- **connect**: TS→erl now makes no name lookup for an IP host and one per dial for a host name (cached per node, with ' +
      'the EPMD answer, and dropped on any failure), and the handshake sends what one side says in a row in one write: 36 system ' +
      'calls per connect instead of 67, 25% less CPU. erl→TS (we accept) makes 4 writes (status and challenge together, the ack, ' +
      "pg's discover, the is_auth reply), 5 reads and about 8 epoll waits, as erl does; holding the ack back to send it with the " +
      'first frames saved a write but made connects slower (erl then waits for our nodeup work), so it was not kept. What is left ' +
      'is loopback writes (about 400 µs of CPU per connect in the profile), building the connection (now about 20 µs and 5 KiB, ' +
      "from 190 µs and 35 KiB), and V8's optimizing compiler (14–18% of samples)." +
      " erl→TS, timed on our side (2026-12-07, the 250th of 260 connects): the peer's name is read 0.31 ms after the `connection` event, " +
      "the status and challenge written at 0.53, the reply read at 0.98, the ack written at 1.17, the first frame (pg's discover) at 1.52, " +
      "erl's frames read at 1.64 and the is_auth reply written at 1.75 ms: about 0.9 ms of that is our own work between reads, " +
      'and on two cores it also delays the erl client, whose core our woken thread shares: a bare TCP connect (`gen_tcp:connect`, no handshake) ' +
      "to a Node listener took 460–570 µs against 283 µs to erl's listener and 260–310 µs to a Python one, and 200–230 µs with the two " +
      'processes pinned to different cores. Closing it needs less JavaScript per accepted connection or a core of its own.',
  );
  L.push(
    '- **request/reply**: one read, one write and one epoll wait per round trip on each side (strace), as erl. A bare Node TCP ' +
      "ping-pong with no protocol costs about 28 µs of CPU per round trip here, 17 µs of it in the kernel; erlbridge's own code " +
      '(codec, dist, node, processes) is 11–16% of the busy samples, the write system call about 60% (on loopback it carries the ' +
      "delivery to the peer). Left: Node's stream layer per read and write; `onread` with a reused buffer saved about 1.5 µs per " +
      'round trip in a trial but is offered only for sockets a program dials, not for accepted ones.',
  );
  L.push(
    '- **one-way**: a connection writes what was sent in one turn of the event loop with one system call (small frames copied together), ' +
      "where writing each message cost a system call of its own; that is why the TS sender spends less CPU per message than erl's.",
  );
  L.push('');
  L.push('How:');
  L.push('');
  L.push(
    `- **connect**: \`ping\` (\`net_adm:ping/1\` on the erl side) to a node we are not connected to: EPMD lookup (OTP's \`epmd\`), ` +
      `TCP connect, handshake, and net_kernel's \`is_auth\` request/reply; then disconnect and wait ${plan.gapMs} ms. ` +
      `${plan.rounds} rounds of ${plan.connectsPerRound} per pair. erl→TS is erl dialling us (we accept); erl→erl is a second erl dialling the same erl.`,
  );
  L.push(
    `- **one-way**: the sender floods \`{sink, Node} ! {msg, N, <<"payload">>}\` (erl: a process that a busy connection suspends; ` +
      `TS: \`send\` in batches, waiting for \`drained()\` when the connection reports busy); the receiving process counts what it takes from its mailbox ` +
      `over ${plan.windowMs} ms after ${plan.warmMs} ms; median of ${plan.rounds} rounds (± half the range).`,
  );
  L.push(
    `- **request/reply**: \`{echo, Node} ! {self(), N}\`, wait for \`{reply, N}\`, repeat; ${plan.windowMs} ms after ${plan.warmMs} ms; median of ${plan.rounds} rounds. ` +
      'TS sides use ErlNode processes (`spawn`, `send`, `receive`); erl sides are plain processes (bench/connect/connect_bench.erl).',
  );
  L.push(
    "- Before each window of (b) the TypeScript node's heap is collected (`global.gc()`, as the codec bench does between batches): " +
      "otherwise the garbage of the load before (a flood leaves hundreds of thousands of messages' worth) is collected inside the next window and counted as its CPU. " +
      'An erl process collects its own garbage within its own load.',
  );
  L.push(
    '- erl nodes run `-hidden` (no `global` traffic on connect; our node runs `hidden: true` for the same reason) with scheduler busy-waiting off (`+sbwt none +sbwtdcpu none +sbwtdio none`).',
  );
  L.push('');
  L.push(`Machine: ${machine}.${quick ? ' QUICK RUN: not representative.' : ''}`);
  L.push('Run with `npm run bench -- connect`.');
  return L.join('\n');
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const plan = opt.quick ? QUICK : FULL;
  const bench = benchDir();
  const root = path.resolve(bench, '..');
  const outDir = path.join(bench, '.build');
  const started = Date.now();
  const log = (s: string) => console.log(`bench/connect: ${s}`);

  const ebin = compileErl(bench, outDir);
  const cookie = `bench${process.pid}${Math.random().toString(36).slice(2, 10)}`;
  const epmd = await Epmd.start(await freePort());
  const stops: Array<() => Promise<void> | void> = [() => epmd.stop()];
  try {
    const a = await ErlBenchNode.start({ sname: `bench_a_${process.pid}`, cookie, epmdPort: epmd.port, ebin });
    stops.unshift(() => a.stop());
    const b = await ErlBenchNode.start({ sname: `bench_b_${process.pid}`, cookie, epmdPort: epmd.port, ebin });
    stops.unshift(() => b.stop());
    const ts = await TsSide.start(`bench_ts_${process.pid}`, cookie, epmd.port);
    stops.unshift(() => ts.node.stop());
    await a.eval('connect_bench:sink_start()');
    await a.eval('connect_bench:echo_start()');

    const otp = otpVersion();
    const machine = `${os.cpus()[0]?.model?.trim() ?? '?'}, ${os.cpus().length} cores (Linux ${os.release()}), Node ${process.version}, OTP ${otp}, ${new Date().toISOString().slice(0, 10)}`;
    log(`${opt.quick ? 'quick' : 'full'} run on ${machine}`);
    const loadBefore = os.loadavg()[0];
    const results = await measure(plan, ts, a, b, log);
    const loadAfter = os.loadavg()[0];

    const md = `${render(results, plan, machine, opt.quick)}\nLoad average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end.`;
    console.log(`\n## Connect\n\n${md}\n`);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'connect-results.json'), JSON.stringify({ machine, plan, results }, null, 1));
    const docs = path.join(root, 'docs', 'benchmarks.md');
    if (opt.write) {
      writeDocsSection(docs, 'Connect', md);
      log(`wrote the ## Connect section of ${path.relative(process.cwd(), docs)}`);
    } else {
      log(`not written to docs/benchmarks.md (${opt.explicitNoWrite ? '--no-write' : 'a quick run'}; pass --write to write it)`);
    }
    log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    for (const stop of stops) {
      try {
        await stop();
      } catch (err) {
        console.error(`bench/connect: while stopping: ${(err as Error).message}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\n!!! bench/connect: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
