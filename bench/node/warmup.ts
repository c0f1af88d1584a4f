/**
 * Where the slow start of large stores goes, against erl's own: an erl client makes N sequential
 * `rpc:call(Node, kvs, store, [big, Bin])` calls with a SIZE-byte binary, first into a TypeScript
 * node serving kvs (src/kvs/kvs.ts) in this process, then into a fresh erl node running
 * `fixtures/dist_demo/kvs.erl`. Per store it prints the serving node's CPU time and minor page
 * faults: for the TypeScript node, this process's between consecutive stores (receive, decode,
 * store, reply); for the erl node, every thread's, read from /proc by the client around each call
 * (`warmup_erl.erl`). Both sides make N + 1 stores and leave out the first: ours has no start to
 * measure from. The first 20, then medians and means over later ranges. Not part of
 * `npm run bench` (no main.ts): after `npm run bench -- node --quick` has compiled it, run
 *
 *     N=300 SIZE=1048576 node bench/.build/js/bench/node/warmup.js
 *
 * with `--trace-gc` to see the collections between the stores.
 */
import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EpmdServer } from '../../handshake';
import { Term } from '../../codec';
import { serveKvs } from '../../src/kvs/kvs';
import { MemoryKvsStore } from '../../src/kvs/store';
import { ErlNode } from '../../src/node/node';
import { erlc } from '../connect/erl';

const N = Number(process.env.N ?? 300);
const SIZE = Number(process.env.SIZE ?? 1 << 20);
/** The repository: bench/.build/js/bench/node is where this runs from. */
const root = path.resolve(process.env.ERLBRIDGE_BENCH_DIR ?? path.join(__dirname, '../../../..'), '..');

interface Sample {
  cpu: number;
  faults: number;
}

function usage(): Sample {
  const r = process.resourceUsage();
  return { cpu: r.userCPUTime + r.systemCPUTime, faults: r.minorPageFault };
}

/** An erl node on our EPMD, its schedulers not busy-waiting (as in the other benches). */
function startErl(args: string[], epmdPort: number, stdio: StdioOptions): ChildProcess {
  return spawn('erl', ['-noshell', '+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none', '-start_epmd', 'false', ...args], {
    stdio,
    env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) },
  });
}

/**
 * Run `erl` with `args`, evaluating `expression` and halting, until it exits; its standard output.
 * A failing `-eval` leaves the node running, so a failure halts it with status 1 instead.
 * (Every call into a node inside has a timeout of its own.)
 */
function runErl(args: string[], expression: string, epmdPort: number): Promise<string> {
  const guarded = `try ${expression} catch C:R:S -> io:format(standard_error, "~p:~p~n~p~n", [C, R, S]), halt(1) end, halt().`;
  const erl = startErl([...args, '-eval', guarded], epmdPort, ['ignore', 'pipe', 'inherit']);
  let out = '';
  erl.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    erl.on('exit', (status) => (status === 0 ? resolve(out) : reject(new Error(`erl ${args.join(' ')} exited with ${status}`)))),
  );
}

async function typescriptStores(epmdPort: number, cookie: string): Promise<Sample[]> {
  const ts = await ErlNode.start({ name: `warmup_ts_${process.pid}`, cookie, epmdPort, hidden: true, log: () => undefined });
  const samples: Sample[] = [];
  let last: Sample | undefined;
  const memory = new MemoryKvsStore();
  serveKvs(ts, {
    store(key: Term, value: Term) {
      const now = usage();
      if (last) samples.push({ cpu: now.cpu - last.cpu, faults: now.faults - last.faults });
      last = now;
      memory.store(key, value);
    },
    lookup: (key: Term) => memory.lookup(key),
  });
  const stores = `Big = binary:copy(<<"0123456789abcdef">>, ${Math.ceil(SIZE / 16)}), [true = rpc:call('${ts.name}', kvs, store, [big, Big], 30000) || _ <- lists:seq(1, ${N + 1})]`;
  try {
    await runErl(['-sname', `warmup_cli_${process.pid}`, '-setcookie', cookie], stores, epmdPort);
  } finally {
    await ts.stop();
  }
  return samples;
}

async function erlStores(epmdPort: number, cookie: string): Promise<Sample[]> {
  const ebin = fs.mkdtempSync(path.join(os.tmpdir(), 'warmup-ebin-'));
  erlc([path.join(root, 'fixtures/dist_demo/kvs.erl'), path.join(root, 'bench/node/warmup_erl.erl')], ebin);
  const server = `warmup_erl_${process.pid}`;
  const kvsNode = startErl(['-sname', server, '-setcookie', cookie, '-pa', ebin, '-eval', 'kvs:start()'], epmdPort, 'ignore');
  try {
    const out = await runErl(
      ['-sname', `warmup_erlcli_${process.pid}`, '-setcookie', cookie, '-pa', ebin],
      `warmup_erl:run("${server}", ${N}, ${SIZE})`,
      epmdPort,
    );
    return parseSamples(out);
  } finally {
    kvsNode.kill();
    fs.rmSync(ebin, { recursive: true, force: true });
  }
}

/** `[{Cpu, Faults}, ...]` as warmup_erl prints it. */
function parseSamples(text: string): Sample[] {
  return [...text.matchAll(/\{(\d+),(\d+)\}/g)].map((m) => ({ cpu: Number(m[1]), faults: Number(m[2]) }));
}

function report(who: string, samples: Sample[]): void {
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${who}: ${samples.length} stores of ${SIZE} bytes: CPU µs / minor page faults per store`);
  console.log(
    'first 20:',
    samples
      .slice(0, 20)
      .map((s) => `${s.cpu}/${s.faults}`)
      .join(' '),
  );
  for (const [from, to] of [
    [0, 10],
    [10, 50],
    [50, 100],
    [100, 200],
    [200, N],
  ]) {
    const xs = samples.slice(from, to);
    if (xs.length === 0) continue;
    console.log(
      `stores ${from + 1}-${Math.min(to, N)}: median ${median(xs.map((s) => s.cpu))} µs, ${median(xs.map((s) => s.faults))} faults;` +
        ` mean ${Math.round(xs.reduce((n, s) => n + s.cpu, 0) / xs.length)} µs`,
    );
  }
}

async function main(): Promise<void> {
  const cookie = `warmup${process.pid}`;
  const epmd = await EpmdServer.start({ port: 0 });
  try {
    report('TypeScript node', await typescriptStores(epmd.port, cookie));
    report('erl node', await erlStores(epmd.port, cookie));
  } finally {
    await epmd.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
