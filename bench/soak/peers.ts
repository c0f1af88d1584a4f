/**
 * The soak's erl peers: real erl nodes (the host's OTP) running bench/soak/soak_peer.erl, started,
 * killed with SIGKILL by pid and restarted under the same name. Their counters are read over stdin
 * (`soak_peer:stats()`), never over the distribution connection under test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Atom, formatTerm, parseTerm, Term, Tuple } from '../../codec';
import { compileErl, erlc, ErlBenchNode } from '../connect/erl';

/** What an erl call may take before the soak calls it a failure: the peers are on a busy machine. */
export const ERL_TIMEOUT_MS = 20000;

/**
 * Compile soak_peer.erl and the expression loop the peers run (bench/connect's connect_bench)
 * into `outDir`; returns the code paths.
 */
export function compilePeerCode(outDir: string): string[] {
  const benchDir = path.resolve(soakSourceDir(), '..');
  const ebin = path.join(outDir, 'soak-ebin');
  erlc([path.join(soakSourceDir(), 'soak_peer.erl')], ebin);
  return [compileErl(benchDir, outDir), ebin];
}

/** soak_peer's counters: `{rpc, sent}` is `rpc.sent`; the first violations as Erlang text. */
export interface PeerStats {
  counts: Map<string, number>;
  violations: number;
  firstViolations: Term[];
}

export interface PeerOptions {
  /** Code paths from {@link compilePeerCode}. */
  codePaths: string[];
  sname: string;
  cookie: string;
  epmdPort: number;
  tsNode: string;
  /** The pause between two operations of one worker, ms. */
  paceMs: number;
  /** The pause between two 1 MiB calls, ms. */
  bigPaceMs: number;
}

/** One incarnation of an erl peer: from its start to its kill (or the end of the run). */
export class PeerIncarnation {
  /** Set before the SIGKILL: failures from here on are the kill's. */
  killed = false;
  private readonly aborter = new AbortController();

  private constructor(
    readonly erl: ErlBenchNode,
    /** `p1.3`: peer 1, third incarnation; streams of this incarnation are tagged with it. */
    readonly tag: string,
  ) {}

  static async start(options: PeerOptions, tag: string): Promise<PeerIncarnation> {
    const [ebin, ...pa] = options.codePaths;
    const erl = await ErlBenchNode.start({ sname: options.sname, cookie: options.cookie, epmdPort: options.epmdPort, ebin, pa });
    try {
      await erl.eval(`soak_peer:start('${options.tsNode}', <<"${tag}">>, ${options.paceMs}, ${options.bigPaceMs})`, ERL_TIMEOUT_MS);
    } catch (error) {
      await erl.stop();
      throw error;
    }
    return new PeerIncarnation(erl, tag);
  }

  get name(): string {
    return this.erl.name;
  }

  /** Aborted at the kill: waits that only the peer could end (acks) stop waiting. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  async stats(): Promise<PeerStats> {
    return parseStats(parseTerm(await this.erl.eval('soak_peer:stats()', ERL_TIMEOUT_MS)));
  }

  /** Tell the erl workers to finish (senders: until every message is acknowledged), and wait. */
  async stopWorkers(): Promise<void> {
    await this.erl.eval('soak_peer:stop()', ERL_TIMEOUT_MS);
    const left = await this.erl.eval(`soak_peer:wait_stopped(${ERL_TIMEOUT_MS})`, ERL_TIMEOUT_MS + 5000);
    if (left !== 'ok') throw new Error(`erl workers of ${this.tag} did not stop: ${left}`);
  }

  /** `kill -9` by pid, as a crash would: no goodbye on the connection. */
  kill(): void {
    this.killed = true;
    this.aborter.abort(new Error(`${this.tag} killed`));
    process.kill(this.erl.pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await this.erl.stop();
  }
}

/** Where soak_peer.erl is: beside this file, or (compiled into bench/.build/soak/bench/soak) in the sources. */
function soakSourceDir(): string {
  const sources = [__dirname, path.resolve(__dirname, '..', '..', '..', '..', 'soak')];
  return sources.find((dir) => fs.existsSync(path.join(dir, 'soak_peer.erl'))) ?? __dirname;
}

function parseStats(term: Term): PeerStats {
  const stats: PeerStats = { counts: new Map(), violations: 0, firstViolations: [] };
  if (!Array.isArray(term)) throw new Error('soak_peer:stats() is not a list');
  for (const entry of term) {
    if (!(entry instanceof Tuple) || entry.length !== 2) continue;
    const [key, value] = entry.elements;
    if (key instanceof Tuple && key.length === 2) {
      const [a, b] = key.elements;
      if (nameOf(a) === 'violation') stats.firstViolations.push(value);
      else if (typeof value === 'number') stats.counts.set(`${nameOf(a)}.${nameOf(b)}`, value);
    } else if (nameOf(key) === 'violations' && typeof value === 'number') stats.violations = value;
  }
  return stats;
}

function nameOf(term: Term): string {
  return term instanceof Atom ? term.name : formatTerm(term);
}
