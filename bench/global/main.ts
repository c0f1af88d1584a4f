/**
 * bench/global: OTP's `global` with the TypeScript node as a member of the cluster, against a plain
 * erl node in its place, in one run.
 *
 * Two clusters of the same shape, {client C, member M}: M is the TypeScript node (`visible: true`)
 * in one and an erl node in the other; C is an erl node in both. Measured, round by round,
 * alternating which configuration goes first:
 *
 *   - from C: `global:register_name/2` + `unregister_name/1` cycles/s (global's lock is taken on
 *     every known node, so M answers set_lock, register, del_lock on each), `whereis_name/1`
 *     lookups/s (a local read), `global:trans({Res, self()}, Fun)` with the default nodes;
 *   - from M: the same three with `node.global` in TypeScript, or the same calls in erl;
 *   - the time N fresh nodes (2 to 6, M one of them) take from the first connect until every node
 *     lists all the others in `nodes()` and `global:sync()` returned there: each other node
 *     connects to M, all at once.
 *
 * Writes the `## Global` section of docs/benchmarks.md (not for --quick unless --write).
 *
 *   npm run bench -- global [--quick] [--write|--no-write]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { spawnSync } from 'child_process';
import { atom } from '../../codec';
import { ErlNode } from '../../src/node/node';
import type { ErlProcess } from '../../src/process/process';
import { compileErl, cpuSecondsOf, Epmd, ErlBenchNode, freePort, otpVersion } from '../connect/erl';
import { writeDocsSection } from '../docs-section';

interface Options {
  quick: boolean;
  write: boolean;
  explicitNoWrite: boolean;
}

interface Plan {
  /** Rounds of the throughput workloads. */
  rounds: number;
  warmMs: number;
  windowMs: number;
  /** Rounds of the sync measurement (each N, both configurations, fresh nodes each time). */
  syncRounds: number;
  sizes: number[];
}

const FULL: Plan = { rounds: 4, warmMs: 300, windowMs: 1000, syncRounds: 6, sizes: [2, 3, 4, 5, 6] };
const QUICK: Plan = { rounds: 1, warmMs: 100, windowMs: 300, syncRounds: 1, sizes: [2, 4, 6] };

/** How long a timed window or a sync may take before the bench gives up on it. */
const OP_TIMEOUT_MS = 20000;
const SYNC_TIMEOUT_MS = 60000;

type Config = 'ts' | 'erl';
const CONFIGS: readonly Config[] = ['ts', 'erl'];

type Workload = 'c_register' | 'c_whereis' | 'c_trans' | 'm_register' | 'm_whereis' | 'm_trans';
const WORKLOADS: readonly Workload[] = ['c_register', 'c_whereis', 'c_trans', 'm_register', 'm_whereis', 'm_trans'];

const LABELS: Record<Workload, string> = {
  c_register: '`global:register_name/2` + `unregister_name/1` from C, cycles/s',
  c_whereis: '`global:whereis_name/1` on C, lookups/s',
  c_trans: '`global:trans({Res, self()}, Fun)` from C (default nodes: C and M), transactions/s',
  m_register: '`registerName` + `unregisterName` from M (erl: the same calls as from C), cycles/s',
  m_whereis: '`whereisName` on M (erl: `global:whereis_name/1`), lookups/s',
  m_trans: '`trans([Res, Requester], fn)` from M (erl: `global:trans/2`), transactions/s',
};

const HELD = 'bench_held';

/** Read from profiles and traces of the runs of 2026-12-04 (kept by hand: update it with the numbers). */
const WHAT_THE_FIGURES_SHOW = `
What the figures show (\`node --cpu-prof\`, \`strace -c\` on this process and erl's global.erl, 2026-12-04):

- **Registrations and transactions from C** are request/reply work on M, which is global's boss in both clusters
  (the greater node name): a register_name/unregister_name cycle makes 8 gen_server calls to M (set_lock on the
  boss, set_lock on all, \`{register, ...}\` or \`{unregister, ...}\`, del_lock on the boss; each with a monitor and
  a demonitor), a trans makes 2. The TypeScript member answers each with one socket write (strace: 8.0 writes and
  8.1 reads per cycle), so its CPU per cycle (the M CPU column) is 8 request/replies at 1.2–1.5 times erl's. About 60% of
  the TypeScript node's busy main-thread samples are that write system call (loopback delivery included), as in
  \`## Node\`; global_name_server's handlers with the encoding of their replies about a sixth, reading and decoding
  a tenth. No lock retry sleeps: one caller at a time never meets a held lock, and a single \`random_sleep\` (up to
  125 or 250 ms) would show as a collapse of the rate.
- **Lookups** are a local table read on both sides; from C the row is a control (M takes no part). On M the
  TypeScript \`whereisName\` is a synchronous Map read in the caller, erl's \`global:whereis_name/1\` an ETS lookup.
- **Sync times are the lockers' timers, not work.** Each locker waits 200 ms after hearing of a node to sync with
  while it knows no node yet (\`1000 + 100 × known\` ms once it knows some, 0 right after a sync), then locks both
  partitions; when two lockers try at once, one of them fails and waits a timer more. So the times fall on steps
  (about 250–400 ms, or a timer step more), rounds of the same configuration differ by whole steps, and the ratios
  say which step a round hit. The fastest rounds show the floor, which the TypeScript member meets as erl does.
  With 4 to 6 nodes the erl-member rounds were more often a step slower than the TS-member ones in the three
  full runs of that day; why was not looked into.
`.trim();

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, write: true, explicitNoWrite: false };
  let writeSet = false;
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--write') [o.write, writeSet] = [true, true];
    else if (a === '--no-write') [o.write, writeSet, o.explicitNoWrite] = [false, true, true];
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- global [--quick] [--write|--no-write]\n' +
          '  --quick   one short round: a smoke run (does not write docs/benchmarks.md unless --write)',
      );
      process.exit(0);
    } else {
      console.error(`bench/global: ignoring ${a} (not a flag of this bench; try --help)`);
    }
  }
  if (o.quick && !writeSet) o.write = false;
  return o;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function benchDir(): string {
  return process.env.ERLBRIDGE_BENCH_DIR ?? path.resolve(__dirname, '..', '..', '..', '..');
}

/** `promise`, or a rejection naming `what` after `ms`. */
async function bounded<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The wall clock in microseconds (what erl's `os:system_time(microsecond)` reads), with
 * performance.now()'s resolution: pinned to the instant Date.now() ticks over, so good for the
 * next few seconds.
 */
function wallClock(): () => number {
  const first = Date.now();
  let ms = first;
  let at = performance.now();
  while (ms === first) {
    at = performance.now();
    ms = Date.now();
  }
  return () => ms * 1000 + (performance.now() - at) * 1000;
}

/** `[a, b]` as an Erlang list of atoms. */
function atomList(nodes: string[]): string {
  return `[${nodes.map((n) => `'${n}'`).join(', ')}]`;
}

/** `{Count, Micros}` as printed by ~w. */
function parseRate(text: string, what: string): { count: number; micros: number } {
  const m = /^\{(\d+),(\d+)\}$/.exec(text.trim());
  if (!m) throw new Error(`${what}: erl answered ${text}`);
  return { count: Number(m[1]), micros: Number(m[2]) };
}

interface Sample {
  rate: number;
  /** CPU µs per operation of the member (TS: this whole process) and of the client. */
  memberCpu: number;
  clientCpu: number;
}

/** A cluster {client C, member M}. */
interface Cluster {
  config: Config;
  client: ErlBenchNode;
  memberName: string;
  memberCpuSeconds(): number;
  /** Run one member-side workload for `ms`: operations and microseconds. */
  memberRate(w: 'm_register' | 'm_whereis' | 'm_trans', ms: number): Promise<{ count: number; micros: number }>;
}

function tsCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The TypeScript member's loops, as global_bench:rate/2 runs them in erl. */
async function tsRate(ts: ErlNode, holder: ErlProcess, w: 'm_register' | 'm_whereis' | 'm_trans', ms: number) {
  const g = ts.global;
  const t0 = performance.now();
  const end = t0 + ms;
  let count = 0;
  if (w === 'm_whereis') {
    const name = atom(HELD);
    while (performance.now() < end) {
      for (let i = 0; i < 100; i++) if (g.whereisName(name) === undefined) throw new Error(`whereisName(${HELD}) is undefined`);
      count += 100;
    }
  } else if (w === 'm_register') {
    const name = atom('bench_m_reg');
    while (performance.now() < end) {
      const r = await bounded('registerName', g.registerName(name, holder), OP_TIMEOUT_MS);
      if (r !== 'yes') throw new Error(`registerName answered ${r}`);
      await bounded('unregisterName', g.unregisterName(name), OP_TIMEOUT_MS);
      count++;
    }
  } else {
    while (performance.now() < end) {
      const r = await bounded(
        'trans',
        g.trans(['bench_m_res', 'ts'], () => 'ok'),
        OP_TIMEOUT_MS,
      );
      if (r !== 'ok') throw new Error(`trans answered ${String(r)}`);
      count++;
    }
  }
  return { count, micros: (performance.now() - t0) * 1000 };
}

/** Start erl nodes in parallel; when one fails, stop the others and throw. */
async function startAll(names: string[], start: (sname: string) => Promise<ErlBenchNode>): Promise<ErlBenchNode[]> {
  const settled = await Promise.allSettled(names.map(start));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : Promise.resolve())));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<ErlBenchNode>).value);
}

async function startClusters(cookie: string, epmdPort: number, ebin: string[]) {
  const tag = process.pid;
  const start = (sname: string) => ErlBenchNode.start({ sname, cookie, epmdPort, ebin: ebin[0], pa: ebin.slice(1), visible: true });
  const [cTs, cErl, mErl] = await startAll([`gb_cts_${tag}`, `gb_cerl_${tag}`, `gb_merl_${tag}`], start);
  const ts = await ErlNode.start({
    name: `gb_mts_${tag}`,
    cookie,
    epmdPort,
    visible: true,
    log: (l) => process.stderr.write(`bench/global (TS member): ${l}\n`),
  }).catch(async (err: unknown) => {
    await Promise.all([cTs.stop(), cErl.stop(), mErl.stop()]);
    throw err;
  });
  const stop = async () => {
    await ts.stop();
    await Promise.all([cTs.stop(), cErl.stop(), mErl.stop()]);
  };
  const holder = ts.spawn();
  const clusters: Record<Config, Cluster> = {
    ts: {
      config: 'ts',
      client: cTs,
      memberName: ts.name,
      memberCpuSeconds: tsCpuSeconds,
      memberRate: (w, ms) => tsRate(ts, holder, w, ms),
    },
    erl: {
      config: 'erl',
      client: cErl,
      memberName: mErl.name,
      memberCpuSeconds: () => cpuSecondsOf(mErl.pid),
      memberRate: async (w, ms) => {
        const op = w === 'm_register' ? '{register, bench_m_reg}' : w === 'm_whereis' ? `{whereis, ${HELD}}` : '{trans, bench_m_res}';
        return parseRate(await mErl.eval(`global_bench:rate(${op}, ${ms})`, ms + OP_TIMEOUT_MS), w);
      },
    },
  };
  try {
    await joinClusters(clusters);
    if (ts.global.whereisName(HELD) === undefined) throw new Error(`the TypeScript node does not see ${HELD}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { clusters, stop };
}

/** C connects to M and syncs, then registers the name the lookups look up. */
async function joinClusters(clusters: Record<Config, Cluster>): Promise<void> {
  for (const c of CONFIGS) {
    const { client, memberName } = clusters[c];
    const up = await client.eval(`net_kernel:connect_node('${memberName}')`, OP_TIMEOUT_MS);
    if (up !== 'true') throw new Error(`${client.name} could not connect to ${memberName}: ${up}`);
    const synced = await client.eval(`global_bench:await(['${memberName}'], ${SYNC_TIMEOUT_MS})`, SYNC_TIMEOUT_MS + 5000);
    if (!synced.startsWith('{')) throw new Error(`${client.name} did not sync with ${memberName}: ${synced}`);
    const held = await client.eval(`global_bench:hold(${HELD})`, OP_TIMEOUT_MS);
    if (held !== 'yes') throw new Error(`global:register_name(${HELD}, _) on ${client.name}: ${held}`);
  }
}

/** One timed window of one workload in one cluster. */
async function window(cluster: Cluster, w: Workload, ms: number): Promise<Sample> {
  const take = () => ({ m: cluster.memberCpuSeconds(), c: cpuSecondsOf(cluster.client.pid) });
  const s0 = take();
  let r: { count: number; micros: number };
  if (w === 'c_register' || w === 'c_whereis' || w === 'c_trans') {
    const op = w === 'c_register' ? '{register, bench_c_reg}' : w === 'c_whereis' ? `{whereis, ${HELD}}` : '{trans, bench_c_res}';
    r = parseRate(await cluster.client.eval(`global_bench:rate(${op}, ${ms})`, ms + OP_TIMEOUT_MS), `${w} (${cluster.config})`);
  } else {
    r = await cluster.memberRate(w, ms);
  }
  const s1 = take();
  if (r.count === 0) throw new Error(`${w} (${cluster.config}): not one operation in ${ms} ms`);
  return {
    rate: (r.count * 1e6) / r.micros,
    memberCpu: ((s1.m - s0.m) * 1e6) / r.count,
    clientCpu: ((s1.c - s0.c) * 1e6) / r.count,
  };
}

type Rates = Record<Workload, Record<Config, Sample[]>>;

async function measureRates(plan: Plan, cookie: string, epmdPort: number, ebin: string[], log: (s: string) => void): Promise<Rates> {
  const out = Object.fromEntries(WORKLOADS.map((w) => [w, { ts: [], erl: [] }])) as unknown as Rates;
  const { clusters, stop } = await startClusters(cookie, epmdPort, ebin);
  try {
    log('warming up');
    for (const w of WORKLOADS) for (const c of CONFIGS) await window(clusters[c], w, plan.warmMs);
    for (let round = 1; round <= plan.rounds; round++) {
      const order = round % 2 ? CONFIGS : [...CONFIGS].reverse();
      log(`round ${round}/${plan.rounds}: ${order.join(' then ')}`);
      for (const w of WORKLOADS) for (const c of order) out[w][c].push(await window(clusters[c], w, plan.windowMs));
    }
  } finally {
    await stop();
  }
  return out;
}

/**
 * N fresh nodes: M (the TypeScript node or an erl node) and N-1 erl nodes, not connected yet.
 * Each erl node connects to M, all at once; returns the microseconds from the first connect
 * until the last node was done (global_bench:join/3's rule: nodes() full, then global:sync()).
 */
async function syncOnce(n: number, config: Config, round: number, cookie: string, epmdPort: number, ebin: string[]): Promise<number> {
  const tag = `${process.pid}_${round}_${n}_${config}`;
  const start = (sname: string) => ErlBenchNode.start({ sname, cookie, epmdPort, ebin: ebin[0], pa: ebin.slice(1), visible: true });
  const erls = await startAll(
    Array.from({ length: config === 'ts' ? n - 1 : n }, (_, i) => `gs_${tag}_${i}`),
    start,
  );
  let ts: ErlNode | undefined;
  try {
    let hub: string;
    if (config === 'ts') {
      ts = await ErlNode.start({
        name: `gs_${tag}_ts`,
        cookie,
        epmdPort,
        visible: true,
        log: (l) => process.stderr.write(`bench/global (TS member, sync of ${n}): ${l}\n`),
      });
      hub = ts.name;
    } else {
      hub = erls[0].name;
    }
    const joiners = config === 'ts' ? erls : erls.slice(1);
    const all = [hub, ...joiners.map((e) => e.name)];
    const others = (me: string) => atomList(all.filter((x) => x !== me).sort());
    await sleep(100);
    const wall = wallClock();
    const waits: Array<Promise<{ t0?: number; done: number }>> = [];
    // The hub only waits; every other node connects to it. All written in this one tick.
    for (const j of joiners) {
      waits.push(
        j.eval(`global_bench:join('${hub}', ${others(j.name)}, ${SYNC_TIMEOUT_MS})`, SYNC_TIMEOUT_MS + 5000).then((text) => {
          const m = /^\{(\d+),(\d+)\}$/.exec(text);
          if (!m) throw new Error(`${j.name} joining ${hub}: ${text}`);
          return { t0: Number(m[1]), done: Number(m[2]) };
        }),
      );
    }
    if (ts) {
      waits.push(
        bounded(`sync of ${n} nodes on the TypeScript node`, tsAwait(ts, all.filter((x) => x !== hub).sort(), wall), SYNC_TIMEOUT_MS),
      );
    } else {
      const h = erls[0];
      waits.push(
        h.eval(`global_bench:await(${others(h.name)}, ${SYNC_TIMEOUT_MS})`, SYNC_TIMEOUT_MS + 5000).then((text) => {
          const m = /^\{(\d+),(\d+)\}$/.exec(text);
          if (!m) throw new Error(`${h.name} waiting for ${n - 1} nodes: ${text}`);
          return { done: Number(m[2]) };
        }),
      );
    }
    const results = await Promise.all(waits);
    const t0 = Math.min(...results.filter((r) => r.t0 !== undefined).map((r) => r.t0 as number));
    return Math.max(...results.map((r) => r.done)) - t0;
  } finally {
    await ts?.stop();
    await Promise.all(erls.map((e) => e.stop()));
  }
}

/** On the TypeScript node, what global_bench:await/2 does in erl; the wall time when done. */
async function tsAwait(ts: ErlNode, expected: string[], wall: () => number): Promise<{ done: number }> {
  const full = () => {
    const now = ts.visibleNodes().sort();
    return now.length === expected.length && now.every((x, i) => x === expected[i]);
  };
  for (;;) {
    if (full()) {
      await ts.global.sync();
      const done = wall();
      if (full()) return { done };
    } else {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, 50);
        function finish() {
          clearTimeout(timer);
          ts.off('nodeup', finish);
          ts.off('nodedown', finish);
          resolve();
        }
        ts.on('nodeup', finish);
        ts.on('nodedown', finish);
      });
    }
  }
}

type Syncs = Record<number, Record<Config, number[]>>;

async function measureSyncs(plan: Plan, cookie: string, epmdPort: number, ebin: string[], log: (s: string) => void): Promise<Syncs> {
  const out: Syncs = Object.fromEntries(plan.sizes.map((n) => [n, { ts: [], erl: [] }]));
  for (let round = 1; round <= plan.syncRounds; round++) {
    const order = round % 2 ? CONFIGS : [...CONFIGS].reverse();
    log(`sync round ${round}/${plan.syncRounds}: ${order.join(' then ')}`);
    for (const n of plan.sizes) for (const c of order) out[n][c].push(await syncOnce(n, c, round, cookie, epmdPort, ebin));
  }
  return out;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The median of per-round ratios, and their range when there are several rounds. */
function pairedRatio(ratios: number[]): string {
  const m = `${median(ratios).toFixed(2)}×`;
  return ratios.length < 2 ? m : `${m} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

function cpu(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : 'n/a';
}

function render(rates: Rates, syncs: Syncs, plan: Plan, machine: string, quick: boolean, tookS: number): string {
  const L: string[] = [];
  L.push(
    "OTP's `global` in a cluster where M, one member, is the TypeScript node (`ErlNode.start({visible: true})`, its " +
      '`node.global`) or, in its place, a plain erl node; every other node is erl. Both configurations run on the ' +
      'same machine in one run, round by round, alternating which goes first. "TS ÷ erl" divides the TS-member ' +
      'figure by the erl-member figure of the same round: the median over the rounds, in brackets the lowest and ' +
      'highest round. For rates above 1.00× means the TypeScript member is faster; for sync times above 1.00× ' +
      'means it is slower.',
  );
  L.push('');
  L.push('| figure | TS member | erl member | TS ÷ erl | M CPU µs/op, TS / erl | C CPU µs/op, TS cfg / erl cfg |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const w of WORKLOADS) {
    const t = rates[w].ts;
    const e = rates[w].erl;
    const ratios = t.map((s, k) => s.rate / e[k].rate);
    const mc = (xs: Sample[]) => cpu(median(xs.map((s) => s.memberCpu)));
    const cc = (xs: Sample[]) => cpu(median(xs.map((s) => s.clientCpu)));
    L.push(
      `| ${LABELS[w]} | ${fmt(median(t.map((s) => s.rate)))} | ${fmt(median(e.map((s) => s.rate)))} | ${pairedRatio(ratios)} | ` +
        `${mc(t)} / ${mc(e)} | ${cc(t)} / ${cc(e)} |`,
    );
  }
  for (const n of plan.sizes) {
    const t = syncs[n].ts;
    const e = syncs[n].erl;
    L.push(
      `| ${n} nodes: first connect to \`nodes()\` full and \`global:sync()\` done on all, ms | ${fmt(median(t) / 1000, 1)} | ` +
        `${fmt(median(e) / 1000, 1)} | ${pairedRatio(t.map((x, k) => x / e[k]))} | | |`,
    );
  }
  L.push('');
  L.push(
    'Every sync round, in ms, in the order run (the TS-member configuration went first in rounds 1, 3, 5, ...; fresh ' +
      'nodes each time), and the fastest:',
  );
  L.push('');
  L.push('| nodes | TS member | erl member | fastest, TS / erl |');
  L.push('| ---: | --- | --- | ---: |');
  for (const n of plan.sizes) {
    const list = (xs: number[]) => xs.map((x) => fmt(x / 1000)).join(', ');
    const best = (xs: number[]) => Math.min(...xs) / 1000;
    L.push(`| ${n} | ${list(syncs[n].ts)} | ${list(syncs[n].erl)} | ${fmt(best(syncs[n].ts))} / ${fmt(best(syncs[n].erl))} |`);
  }
  L.push('');
  L.push(WHAT_THE_FIGURES_SHOW);
  L.push('');
  L.push('How:');
  L.push('');
  L.push(
    `- **Rates**: two clusters of two nodes each, {C, M}: C an erl node in both, M the TypeScript node in one and an erl node ` +
      `in the other (the same EPMD, never connected across). Each figure counts operations over ${plan.windowMs} ms ` +
      `(after a ${plan.warmMs} ms warm-up of each), one caller, one operation in flight, ${plan.rounds} rounds; the rates ` +
      `are medians over the rounds. The erl loops are \`bench/global/global_bench.erl\` (\`rate/2\`); from M in TypeScript ` +
      'the same loops over `node.global` (`registerName`/`unregisterName` of one process, `whereisName`, `trans` with lock ' +
      "id `[bench_m_res, ts]`). `register_name` takes global's lock (`{global, Registrar}`) on every known node, boss " +
      'first, multi_calls `{register, ...}` and releases it; `unregister_name` the same; `trans` sets `{Res, self()}` on ' +
      'C and M, runs the fun and deletes it. `whereis_name` is a read of the local table and does not involve the other node.',
  );
  L.push(
    '- **CPU µs/op**: user + system time of the whole OS process over the window (`/proc/PID/stat` for erl, ' +
      '`process.cpuUsage()` for this process, which holds the TypeScript node), per operation. M is the member; C the client ' +
      '(in the TS configuration, then in the erl one). It does not depend on how busy the machine was, unlike the rates.',
  );
  L.push(
    `- **Sync**: for each N, N fresh nodes (started and idle for 100 ms before; startup is not timed): M and N−1 erl ` +
      'nodes. Every erl node other than M runs `global_bench:join/3` at once: `net_kernel:connect_node(M)`, then waits ' +
      'until `nodes()` lists all the other N−1 and a `global:sync()` begun then returns (`await/2` on M, or its ' +
      "TypeScript equivalent over `visibleNodes()` and `node.global.sync()`). global's mesh connects the others to " +
      'each other. Timed from the earliest connect to the last node done, by the wall clock ' +
      `(\`os:system_time(microsecond)\` in erl); median of ${plan.syncRounds} rounds, fresh nodes for each.`,
  );
  L.push(
    '- erl nodes are visible, `-connect_all` on (the default), scheduler busy-waiting off (`+sbwt none +sbwtdcpu none ' +
      "+sbwtdio none`); OTP's `epmd` on a private port; the host `erl` only.",
  );
  L.push('');
  L.push(`Machine: ${machine}.${quick ? ' QUICK RUN: not representative.' : ''} The run took ${tookS.toFixed(0)} s.`);
  L.push('Run with `npm run bench -- global`.');
  return L.join('\n');
}

function gitCode(root: string): string {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trimEnd() : '';
  };
  const rev = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src', 'codec', 'handshake')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return dirty.length ? `${rev} plus uncommitted changes in src/, codec/ or handshake/` : rev;
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const plan = opt.quick ? QUICK : FULL;
  const bench = benchDir();
  const root = path.resolve(bench, '..');
  const outDir = path.join(bench, '.build');
  const started = Date.now();
  const log = (s: string) => console.log(`bench/global: ${s}`);

  const connectEbin = compileErl(bench, outDir);
  const ebin = path.join(outDir, 'global-ebin');
  fs.mkdirSync(ebin, { recursive: true });
  const erlc = spawnSync('erlc', ['-o', ebin, path.join(bench, 'global', 'global_bench.erl')], { encoding: 'utf8' });
  if (erlc.error || erlc.status !== 0)
    throw new Error(`erlc failed: ${erlc.error ? erlc.error.message : (erlc.stderr || erlc.stdout).trim()}`);
  const ebins = [connectEbin, ebin];

  const cookie = `gbench${process.pid}${Math.random().toString(36).slice(2, 10)}`;
  const epmd = await Epmd.start(await freePort());
  try {
    const otp = otpVersion();
    const machine =
      `${os.cpus()[0]?.model?.trim() ?? '?'}, ${os.cpus().length} cores (Linux ${os.release()}), Node ${process.version}, ` +
      `OTP ${otp}, code ${gitCode(root)}, ${new Date().toISOString().slice(0, 10)}`;
    log(`${opt.quick ? 'quick' : 'full'} run on ${machine}`);
    const loadBefore = os.loadavg()[0];
    const rates = await measureRates(plan, cookie, epmd.port, ebins, log);
    const syncs = await measureSyncs(plan, cookie, epmd.port, ebins, log);
    const loadAfter = os.loadavg()[0];
    const tookS = (Date.now() - started) / 1000;

    const md = `${render(rates, syncs, plan, machine, opt.quick, tookS)}\nLoad average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end.`;
    console.log(`\n## Global\n\n${md}\n`);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'global-results.json'), JSON.stringify({ machine, plan, rates, syncs }, null, 1));
    const docs = path.join(root, 'docs', 'benchmarks.md');
    if (opt.write) {
      writeDocsSection(docs, 'Global', md);
      log(`wrote the ## Global section of ${path.relative(process.cwd(), docs)}`);
    } else {
      log(`not written to docs/benchmarks.md (${opt.explicitNoWrite ? '--no-write' : 'a quick run'}; pass --write to write it)`);
    }
    log(`took ${tookS.toFixed(0)} s`);
  } finally {
    epmd.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\n!!! bench/global: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
