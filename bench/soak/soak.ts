/**
 * The soak: an erlbridge node (in this process, on an EPMD of its own on a free port) under a mixed
 * workload from and to real erl peers for a fixed time, the peers killed with SIGKILL in turn and
 * restarted under the same name; every request checked to get exactly its own answer, every
 * numbered stream checked at its receiver; the node's heap, RSS and process count sampled. See
 * docs/soak.md for the workload, the checks and a run's figures.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Atom, formatTerm, Tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { otpVersion } from '../connect/erl';
import { MemorySampler, memoryVerdict, MemoryVerdict } from './memory';
import { compilePeerCode, PeerIncarnation, PeerStats } from './peers';
import { Direction, Kind, KINDS, Row, Tally, Violation } from './tally';
import { driveIncarnation, DriverOptions } from './ts-drivers';
import { ReceiverChecks, serveSoak } from './ts-services';

export interface SoakOptions {
  durationMs: number;
  /** erl peers at once. Default 2: one is always up while the other restarts. */
  peers?: number;
  /** A peer is killed every this many ms, in turn. Default 20 s. */
  killEveryMs?: number;
  /** Pause between two operations of one loop, ms. Default 2. */
  paceMs?: number;
  /** Pause between two 1 MiB calls of one loop, ms. Default 250. */
  bigPaceMs?: number;
  /** Progress lines. Default: none. */
  progress?: (line: string) => void;
}

export interface SoakReport {
  options: Required<Omit<SoakOptions, 'progress'>> & { otp: string };
  runMs: number;
  kills: number;
  restarts: number;
  rows: { direction: Direction; kind: Kind; row: Row }[];
  /** Violations seen by the TypeScript side and reported by the erl peers, and the first of each. */
  violationCount: number;
  violations: Violation[];
  memory: MemoryVerdict;
  forcedGc: boolean;
  samples: number;
  /** Lines the erlbridge node logged (the first few kept). */
  nodeLogLines: number;
  nodeLog: string[];
  ok: boolean;
}

/** No kill this close to the end: the last restarted peer gets some work done before the drain. */
const QUIET_TAIL_MS = 8000;
const NODEDOWN_WITHIN_MS = 15000;
const DRIVERS_END_WITHIN_MS = 30000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A node-name part and a cookie no other run uses. */
function uniqueName(prefix: string): string {
  return `${prefix}${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
}

interface PeerSlot {
  index: number;
  sname: string;
  incarnations: number;
  current: PeerIncarnation;
  drivers: Promise<void>;
  /** Each finished incarnation's last counters. */
  stats: PeerStats[];
}

/** Resolves true when `promise` settles within `ms`, false when it does not. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runSoak(soakOptions: SoakOptions): Promise<SoakReport> {
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-soak-'));
  const codePaths = compilePeerCode(buildDir);
  const otp = `OTP ${otpVersion()}`;
  const options = {
    durationMs: soakOptions.durationMs,
    peers: soakOptions.peers ?? 2,
    killEveryMs: soakOptions.killEveryMs ?? 20000,
    paceMs: soakOptions.paceMs ?? 2,
    bigPaceMs: soakOptions.bigPaceMs ?? 250,
  };
  const progress = soakOptions.progress ?? (() => undefined);
  const tally = new Tally();
  const nodeLog: string[] = [];
  let nodeLogLines = 0;
  const name = uniqueName('soak');
  const cookie = uniqueName('cookie');
  const epmd = await EpmdServer.start({ port: 0 });
  const node = await ErlNode.start({
    name,
    cookie,
    epmdPort: epmd.port,
    log: (line) => {
      nodeLogLines++;
      if (nodeLog.length < 20) nodeLog.push(line);
    },
  });
  const checks = new ReceiverChecks(tally, 'erl→TS');
  const stopServing = await serveSoak(node, checks);
  let stopping = false;
  const stopper = new AbortController();
  const driverOptions: DriverOptions = {
    node,
    tally,
    paceMs: options.paceMs,
    bigPaceMs: options.bigPaceMs,
    stopping: () => stopping,
    stopSignal: stopper.signal,
  };
  const slots: PeerSlot[] = [];
  const harness = (what: string): void => tally.violation({ where: 'harness', direction: 'TS→erl', kind: 'peer', what });
  node.on('nodedown', (peer, reason) => {
    const slot = slots.find((s) => s.current.name === peer);
    if (slot && !slot.current.killed && !stopping) {
      tally.violation({
        where: 'TS',
        direction: 'TS→erl',
        kind: 'connection',
        what: `${slot.current.tag}: the connection to a live peer went down (${reason})`,
      });
    }
  });

  const startIncarnation = async (index: number, sname: string, incarnation: number): Promise<PeerIncarnation> =>
    PeerIncarnation.start(
      { codePaths, sname, cookie, epmdPort: epmd.port, tsNode: node.name, paceMs: options.paceMs, bigPaceMs: options.bigPaceMs },
      `p${index}.${incarnation}`,
    );

  let kills = 0;
  let restarts = 0;
  const started = Date.now();
  /** Read the peer's counters, kill -9 it, wait for the nodedown and its TS loops, start it again. */
  const killAndRestart = async (slot: PeerSlot): Promise<void> => {
    const old = slot.current;
    try {
      slot.stats.push(await old.stats());
    } catch (error) {
      harness(`${old.tag}: no stats before the kill: ${String(error)}`);
    }
    const down = new Promise<void>((resolve) => {
      const onDown = (peer: string): void => {
        if (peer !== old.name) return;
        node.off('nodedown', onDown);
        resolve();
      };
      node.on('nodedown', onDown);
    });
    old.kill();
    kills++;
    if (!(await within(down, NODEDOWN_WITHIN_MS))) {
      tally.violation({
        where: 'TS',
        direction: 'TS→erl',
        kind: 'connection',
        what: `${old.tag}: no nodedown within ${NODEDOWN_WITHIN_MS} ms of kill -9`,
      });
    }
    if (!(await within(slot.drivers, DRIVERS_END_WITHIN_MS)))
      harness(`${old.tag}: the TS loops did not end within ${DRIVERS_END_WITHIN_MS} ms of the kill`);
    await old.stop();
    slot.incarnations++;
    slot.current = await startIncarnation(slot.index, slot.sname, slot.incarnations);
    slot.drivers = driveIncarnation(driverOptions, slot.current);
    restarts++;
    progress(
      `soak: ${Math.round((Date.now() - started) / 1000)} s: killed ${old.tag} (pid ${old.erl.pid}), restarted as ${slot.current.tag}; ${tally.violationCount} violations so far`,
    );
  };
  const sampler = new MemorySampler(() => node.processes.size);
  try {
    for (let i = 1; i <= options.peers; i++) {
      const sname = `${name}_p${i}`;
      const current = await startIncarnation(i, sname, 1);
      slots.push({ index: i, sname, incarnations: 1, current, drivers: driveIncarnation(driverOptions, current), stats: [] });
    }
    progress(`soak: ${node.name} and ${options.peers} erl peers (${otp}) up; running ${Math.round(options.durationMs / 1000)} s`);
    const endAt = started + options.durationMs;
    let nextKill = started + options.killEveryMs;
    for (let k = 0; Date.now() < endAt;) {
      await sleep(Math.min(250, Math.max(0, endAt - Date.now())));
      if (Date.now() < nextKill || endAt - Date.now() < QUIET_TAIL_MS) continue;
      await killAndRestart(slots[k++ % slots.length]);
      nextKill = Date.now() + options.killEveryMs;
    }
    // The end: both sides finish their operation in progress and drain their message windows.
    stopping = true;
    stopper.abort(new Error('the soak ended'));
    const erlStopped = slots.map(async (slot) => {
      try {
        await slot.current.stopWorkers();
      } catch (error) {
        harness(String(error));
      }
    });
    await Promise.all(erlStopped);
    for (const slot of slots) {
      if (!(await within(slot.drivers, DRIVERS_END_WITHIN_MS)))
        harness(`${slot.current.tag}: the TS loops did not end within ${DRIVERS_END_WITHIN_MS} ms of the end`);
      try {
        slot.stats.push(await slot.current.stats());
      } catch (error) {
        harness(`${slot.current.tag}: no final stats: ${String(error)}`);
      }
    }
    sampler.stop();
    // Every loop has ended and every answer is in: the node's processes are back to what it had
    // before the first peer came, or something keeps processes alive that it should not.
    const baseline = sampler.samples[0].processes;
    const left = node.processes.size;
    if (left !== baseline)
      tally.violation({
        where: 'TS',
        direction: 'TS→erl',
        kind: 'processes',
        what: `${left} processes after the drain, ${baseline} before the first peer`,
      });
  } finally {
    stopping = true;
    sampler.stop();
    stopper.abort(new Error('the soak ended'));
    await Promise.all(slots.map((slot) => slot.current.stop()));
    await stopServing().catch(() => undefined);
    await node.stop();
    await epmd.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  const runMs = Date.now() - started;
  checks.settle();
  let erlViolations = 0;
  for (const slot of slots) for (const stats of slot.stats) erlViolations += foldPeerStats(tally, slot.sname, stats);
  // The TS sink acks every erl message it receives.
  tally.row('TS→erl', 'ack').sent += tally.row('erl→TS', 'message').received;
  const memory = memoryVerdict(sampler.samples, runMs);
  const rows = [];
  for (const direction of ['erl→TS', 'TS→erl'] as const) {
    for (const kind of KINDS) {
      const row = tally.rows.get(`${direction} ${kind}`);
      if (row) rows.push({ direction, kind, row });
    }
  }
  const violationCount = tally.violationCount + erlViolations;
  return {
    options: { ...options, otp },
    runMs,
    kills,
    restarts,
    rows,
    violationCount,
    violations: tally.violations,
    memory,
    forcedGc: sampler.forcedGc,
    samples: sampler.samples.length,
    nodeLogLines,
    nodeLog,
    ok: violationCount === 0 && memory.flat,
  };
}

/** Where each of soak_peer's receiver counters goes: the TS -> erl row of the same kind. */
const RECEIVED_AS: Record<string, Kind> = {
  requests_in: 'rpc',
  rex_in: 'rex',
  big_in: 'big',
  gen_calls_in: 'gen_call',
  spawns_in: 'spawn',
  messages_in: 'message',
};
const ERL_SENDER_KINDS: readonly Kind[] = ['rpc', 'rex', 'big', 'gen_call', 'spawn', 'monitor', 'message'];

/** Add one incarnation's erl counters to the rows; returns its violation count. */
function foldPeerStats(tally: Tally, peer: string, stats: PeerStats): number {
  const count = (key: string): number => stats.counts.get(key) ?? 0;
  for (const kind of ERL_SENDER_KINDS) {
    const row = tally.row('erl→TS', kind);
    row.sent += count(`${kind}.sent`);
    row.answered += count(`${kind}.answered`);
    row.lostLive += count(`${kind}.violations`);
  }
  for (const [counter, kind] of Object.entries(RECEIVED_AS)) {
    const row = tally.row('TS→erl', kind);
    row.received += count(`${counter}.received`);
    row.lostLive += count(`${counter}.lost`);
    row.duplicated += count(`${counter}.duplicated`);
    row.reordered += count(`${counter}.reordered`);
  }
  // The erl sink acks every message it receives; the erl senders check the TS sink's acks.
  tally.row('erl→TS', 'ack').sent += count('messages_in.received');
  const acks = tally.row('TS→erl', 'ack');
  acks.received += count('message.answered') + count('ack.violations');
  acks.lostLive += count('ack.violations');
  for (const v of stats.firstViolations) {
    // soak_peer names a violation {Kind, What}; its receivers' kinds (requests_in, ...) check TS -> erl streams.
    const kind = v instanceof Tuple && v.length === 2 && v.get(0) instanceof Atom ? (v.get(0) as Atom).name : 'erl';
    const direction = kind.endsWith('_in') || kind === 'ack' ? 'TS→erl' : 'erl→TS';
    tally.violations.push({ where: peer, direction, kind, what: formatTerm(v) });
  }
  return stats.violations;
}
