/**
 * `npm run bench -- node`: an erl client node (bench/node/node_bench.erl) calling kvs on an erl node
 * (fixtures/dist_demo/kvs.erl) and on the TypeScript node (src/kvs/kvs.ts, in this process), in one
 * run, interleaved: rpc:call latency with one caller, rpc:call with 8 concurrent callers, message
 * round trips to the registered kvs process with 8 concurrent callers, and rpc:call kvs:store with a
 * 1 MiB binary. Then the TypeScript node as the client (`ErlClient.rpc`, one and 8 calls in flight)
 * against the erl client node doing the same rpc:call, both calling kvs on the erl node. Writes the
 * `## Node` section of docs/benchmarks.md (unless --quick).
 *
 * `--profile` writes a V8 CPU profile of the TypeScript node to bench/.build/node-ts.cpuprofile.
 */
import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import { EpmdServer } from '../../handshake';
import { atom, Atom, formatTerm, Pid, Term, Tuple, tuple } from '../../codec';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { codeRevision } from '../code-revision';
import { writeDocsSection } from '../docs-section';

const root = path.resolve(process.env.ERLBRIDGE_BENCH_DIR ?? path.join(__dirname, '../../../..', 'bench'), '..');
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const SEQ = quick ? 2000 : 10000;
const PAR_COUNT = quick ? 8000 : 40000;
const STORE_COUNT = quick ? 100 : 400;
const PAR = 8;
const MIB = 1 << 20;
const ROUNDS = quick ? 2 : 5;

/** Where the TypeScript node's time goes, from the last profile (kept by hand: update it with the numbers). */
const WHERE_THE_TIME_GOES = `
Where the TypeScript node's time goes (\`--profile\` over all six workloads, 2026-12-07; shares of its
busy samples): the socket write system call 45% (on loopback it carries the delivery to the peer
and its wake-up; one write per event-loop turn), Node's other internals 23% (the read path, streams,
buffers), the codec 10%, dist framing and atom caches 6%, erpc and processes 6%, GC 4%. A served
\`rpc:call\` of a function that returns at once makes no process, promise or timer: the SPAWN_REPLY and
the DOWN go out in the turn the request came in; references are keyed by value (\`RefMap\`), not
by strings. As a client, \`rpc\` is one table entry and one promise per call, no process (about 5 KB
allocated per call, from 14.5 KB). Left, one call in flight: Node's socket layer costs per round trip
about what erl's whole round trip does (see \`## Connect\`, request/reply). 1 MiB stores: joining the
64 KiB fragments into the message's buffer is 12% of this profile (the one copy on the way in; a
third of a store's CPU), from Node's fresh 64 KiB read buffers into fresh memory, where a page fault
costs about 16 µs on this VM until V8's collections free memory for reuse; reading straight into
the message's buffer needs \`onread\`, which Node 20 does not offer for accepted sockets.
`.trim();

interface Erl {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

/** erl without busy-waiting schedulers: three nodes share the cores, and CPU time then means work. */
const NO_SPIN = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none'];

function erl(args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void = () => undefined): Erl {
  const child = spawn('erl', ['-noshell', ...NO_SPIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  let partial = '';
  child.stdout?.on('data', (d) => {
    out += d;
    const lines = (partial + String(d)).split('\n');
    partial = lines.pop() as string;
    for (const line of lines) onLine(line);
  });
  const done = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  return { child, out: () => out, done };
}

/**
 * The TypeScript node as a client: the process `bench_driver` takes `{From, {rpc, Node, Count,
 * InFlight}}` from node_bench.erl, makes Count `ErlClient.rpc(Node, kvs, lookup, [weather])` calls
 * with InFlight of them in flight, and answers `{bench_driver, Microseconds}` (or
 * `{bench_driver, Why}`).
 */
function serveBenchDriver(node: ErlNode): void {
  const client = new ErlClient(node);
  const DRIVER = atom('bench_driver');
  const RPC = atom('rpc');
  const WEATHER = atom('weather');
  const FINE = atom('fine');
  node.spawn(
    async (self) => {
      for (;;) {
        const m = await self.receive();
        if (!(m instanceof Tuple) || m.length !== 2 || !(m.get(0) instanceof Pid)) continue;
        const from = m.get(0) as Pid;
        const q = m.get(1);
        if (!(q instanceof Tuple) || q.length !== 4 || q.get(0) !== RPC) continue;
        const [, target, count, inFlight] = q.elements as [Term, Atom, number, number];
        const each = Math.floor(Number(count) / Number(inFlight));
        try {
          const t0 = process.hrtime.bigint();
          await Promise.all(
            Array.from({ length: Number(inFlight) }, async () => {
              for (let i = 0; i < each; i++) {
                const r = await client.rpc(target, 'kvs', 'lookup', [WEATHER]);
                if (!(r instanceof Tuple) || r.get(1) !== FINE) throw new Error(`kvs:lookup answered ${formatTerm(r)}`);
              }
            }),
          );
          const micros = Number((process.hrtime.bigint() - t0) / 1000n);
          self.send(from, tuple(DRIVER, micros));
        } catch (error) {
          self.send(from, tuple(DRIVER, atom(String((error as Error).message ?? error).slice(0, 200))));
        }
      }
    },
    { name: 'bench_driver' },
  );
}

async function until(what: string, check: () => boolean, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startProfile(): Promise<Session | undefined> {
  if (!profile) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return session;
}

async function stopProfile(session: Session | undefined): Promise<void> {
  if (!session) return;
  const result = await new Promise<{ profile: object }>((resolve, reject) =>
    session.post('Profiler.stop', (err, res) => (err ? reject(err) : resolve(res))),
  );
  const file = path.join(root, 'bench/.build/node-ts.cpuprofile');
  fs.writeFileSync(file, JSON.stringify(result.profile));
  session.disconnect();
  process.stderr.write(`bench node: CPU profile of the TypeScript node in ${file}\n`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-bench-node-'));
  execFileSync('erlc', ['-o', dir, path.join(root, 'fixtures/dist_demo/kvs.erl'), path.join(root, 'bench/node/node_bench.erl')]);
  const otp = execFileSync('erl', ['-noshell', '-eval', 'io:put_chars(erlang:system_info(otp_release)), halt().'], { encoding: 'utf8' });
  const cookie = `bench${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  const epmd = await EpmdServer.start({ port: 0 });
  const env = { ...process.env, ERL_EPMD_PORT: String(epmd.port) };
  const loadStart = os.loadavg()[0];

  const ts = await ErlNode.start({ name: `bench_ts_${process.pid}`, cookie, epmdPort: epmd.port, hidden: true, log: () => undefined });
  serveKvs(ts);
  serveBenchDriver(ts);
  const host = ts.name.split('@')[1];
  const erlName = `bench_erl_${process.pid}@${host}`;
  const server = erl(
    ['-sname', erlName, '-setcookie', cookie, '-start_epmd', 'false', '-pa', dir, '-eval', 'kvs:start(), io:format("READY~n").'],
    env,
  );
  let client: Erl | undefined;
  let results = '';
  /** CPU microseconds of each node during one timed run. */
  const cpuSamples: Array<{ workload: string; label: string; ts: number; erl: number; cli: number }> = [];
  try {
    await until('the erl kvs node', () => server.out().includes('READY'));
    const session = await startProfile();
    const tick = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || '100');
    const procCpu = (pid: number | undefined) => {
      // utime and stime, fields 14 and 15 of /proc/PID/stat (after the parenthesised name).
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * tick;
    };
    const tsCpu = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    let started = { ts: 0, erl: 0, cli: 0 };
    client = erl(
      [
        ...['-sname', `bench_cli_${process.pid}`, '-setcookie', cookie, '-start_epmd', 'false', '-pa', dir],
        ...[
          '-eval',
          `node_bench:run([{"ts", '${ts.name}'}, {"erl", '${erlName}'}], '${ts.name}', ${SEQ}, ${PAR_COUNT}, ${STORE_COUNT}, ${PAR}, ${ROUNDS}), halt().`,
        ],
      ],
      env,
      (line) => {
        const m = /^(BEGIN|END) (\w+) (\w+)$/.exec(line);
        if (!m) return;
        const now = { ts: tsCpu(), erl: procCpu(server.child.pid), cli: procCpu(client?.child.pid) };
        if (m[1] === 'BEGIN') started = now;
        else
          cpuSamples.push({ workload: m[2], label: m[3], ts: now.ts - started.ts, erl: now.erl - started.erl, cli: now.cli - started.cli });
      },
    );
    const status = await client.done;
    await stopProfile(session);
    results = client.out();
    if (status !== 0) throw new Error(`the erl client exited with ${status}: ${results}`);
  } finally {
    if (server.child.pid !== undefined) process.kill(server.child.pid, 'SIGKILL');
    if (client?.child.exitCode === null && client.child.pid !== undefined) process.kill(client.child.pid, 'SIGKILL');
    await server.done;
    await ts.stop();
    await epmd.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const best = new Map<string, { ops: number; micros: number }>();
  for (const [, workload, label, ops, micros] of results.matchAll(/^RESULT (\w+) (\w+) (\d+) (\d+)$/gm)) {
    const key = `${workload} ${label}`;
    const prev = best.get(key);
    if (!prev || Number(micros) < prev.micros) best.set(key, { ops: Number(ops), micros: Number(micros) });
  }
  const rate = (workload: string, label: string) => {
    const b = best.get(`${workload} ${label}`);
    if (!b) throw new Error(`no result for ${workload} ${label}: ${results}`);
    return (b.ops * 1e6) / b.micros;
  };
  /** Median CPU µs per operation of one node (`ts`, `erl` server, `cli` erl client) over the rounds. */
  const cpuPerOp = (workload: string, label: string, side: 'ts' | 'erl' | 'cli') => {
    const ops = (best.get(`${workload} ${label}`) as { ops: number }).ops;
    const xs = cpuSamples
      .filter((c) => c.workload === workload && c.label === label)
      .map((c) => c[side] / ops)
      .sort((a, b) => a - b);
    return xs.length ? xs[Math.floor(xs.length / 2)] : NaN;
  };
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const serverRows = [
    ['rpc_seq', '`rpc:call(N, kvs, lookup, [weather])`, 1 caller'],
    ['rpc_par', `the same, ${PAR} concurrent callers`],
    ['msg_par', `\`{kvs, N} ! {self(), {lookup, weather}}\` + receive, ${PAR} concurrent callers`],
    ['store_seq', '`rpc:call(N, kvs, store, [big, Bin])`, `Bin` 1 MiB, 1 caller'],
  ] as const;
  const serverTable = serverRows
    .map(([w, what]) => {
      const t = rate(w, 'ts');
      const e = rate(w, 'erl');
      const mbs = (x: number) => (w === 'store_seq' ? ` (${((x * MIB) / 1e6).toFixed(0)} MB/s)` : '');
      const latency = w === 'rpc_seq' || w === 'store_seq' ? ` (${(1e6 / t).toFixed(0)} µs vs ${(1e6 / e).toFixed(0)} µs per call)` : '';
      const ct = cpuPerOp(w, 'ts', 'ts');
      const ce = cpuPerOp(w, 'erl', 'erl');
      return `| ${what} | ${n(t)}${mbs(t)} | ${n(e)}${mbs(e)} | **${(t / e).toFixed(2)}×**${latency} | ${ct.toFixed(1)} | ${ce.toFixed(1)} | ${(ce / ct).toFixed(2)}× |`;
    })
    .join('\n');
  const clientRows = [
    ['cli_seq', '`rpc(E, kvs, lookup, [weather])`, 1 call in flight'],
    ['cli_par', `the same, ${PAR} calls in flight`],
  ] as const;
  const clientTable = clientRows
    .map(([w, what]) => {
      const t = rate(w, 'ts');
      const e = rate(w, 'erl');
      const latency = w === 'cli_seq' ? ` (${(1e6 / t).toFixed(0)} µs vs ${(1e6 / e).toFixed(0)} µs per call)` : '';
      const ct = cpuPerOp(w, 'ts', 'ts');
      const ce = cpuPerOp(w, 'erl', 'cli');
      const st = cpuPerOp(w, 'ts', 'erl');
      const se = cpuPerOp(w, 'erl', 'erl');
      return `| ${what} | ${n(t)} | ${n(e)} | **${(t / e).toFixed(2)}×**${latency} | ${ct.toFixed(1)} | ${ce.toFixed(1)} | ${(ce / ct).toFixed(2)}× | ${st.toFixed(1)} / ${se.toFixed(1)} |`;
    })
    .join('\n');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const code = codeRevision(root);
  const body = `
An erl client node (\`bench/node/node_bench.erl\`) and the TypeScript node, against an erl node
running the clean-room \`fixtures/dist_demo/kvs.erl\` (\`kvs:start()\`), on the same machine, in one
run. Every workload alternates between the two sides compared, ${ROUNDS} rounds, best round counted;
${SEQ.toLocaleString('en')} sequential lookups, ${PAR_COUNT.toLocaleString('en')} operations for the
concurrent ones, ${STORE_COUNT} stores of 1 MiB. Loopback, embedded EPMD. rpc:call is erpc
(SPAWN_REQUEST, SPAWN_REPLY, then the result in the monitor's DOWN). Both erl nodes run without
busy-waiting schedulers (\`+sbwt none +sbwtdcpu none +sbwtdio none\`), so they do not steal the shared
cores from the other nodes while idle, and so a node's CPU time (read around each timed run:
\`process.cpuUsage()\` for the TypeScript node, \`/proc/PID/stat\` for erl; median over the rounds) is
the work it did. A ratio above 1 favours the TypeScript node.

**The TypeScript node as the server.** The erl client calls kvs on the erl node and on the
TypeScript node running \`serveKvs\` (\`src/kvs/kvs.ts\`). erl's \`kvs:lookup\`/\`store\` go through its
kvs process, the TypeScript module functions answer directly.

| workload (erl client → N) | TypeScript node, ops/s | erl node, ops/s | TypeScript ÷ erl (throughput) | TS server CPU µs/op | erl server CPU µs/op | erl CPU ÷ TS CPU |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${serverTable}

**The TypeScript node as the client.** The TypeScript node (\`ErlClient.rpc(E, 'kvs', 'lookup',
[atom('weather')])\`, with one or ${PAR} calls in flight, timed by itself and started by a message
from the erl client) against the erl client node making the same \`rpc:call\`, both calling the erl
kvs node E. Client CPU is the calling node's; the last column is E's CPU per call (TS client / erl
client).

| workload (client → erl node E) | TypeScript client, calls/s | erl client, calls/s | TypeScript ÷ erl (throughput) | TS client CPU µs/call | erl client CPU µs/call | erl CPU ÷ TS CPU | E's CPU µs/call |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${clientTable}

${WHERE_THE_TIME_GOES}

Code: ${code}. Machine: ${cpu}, ${os.cpus().length} cores (shared by the three nodes), Node ${process.version}, OTP ${otp},
load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end, ${new Date().toISOString().slice(0, 10)}${quick ? ' (quick run)' : ''}.
Run with \`npm run bench -- node\` (\`--profile\` writes a CPU profile of the TypeScript node; \`--quick\` a smoke run).
`;
  process.stdout.write(body);
  if (!quick) writeDocsSection(path.join(root, 'docs/benchmarks.md'), 'Node', body);
}

main().catch((error) => {
  process.stderr.write(`bench node: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
