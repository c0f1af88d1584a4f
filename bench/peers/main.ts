/**
 * `npm run bench -- peers`: the book's kvs (a registered process `kvs` answering `{From, {store, K,
 * V}}` with `{kvs, true}` and `{From, {lookup, K}}` with `{kvs, {ok, V}}` or `{kvs, undefined}`)
 * served by four kinds of node, each driven by the same erl client node (bench/peers/peers_bench.erl)
 * with plain messages, in one run:
 *
 *   - erl       an erl node running fixtures/dist_demo/kvs.erl (`kvs:start()`);
 *   - erlbridge the TypeScript node with `serveKvs`, in a `node` process of its own (erlbridge_kvs.ts);
 *   - jinterface a Java OtpNode with one OtpMbox `kvs` and a HashMap (JinterfaceKvs.java);
 *   - C node    a single-threaded ei C node (ei_kvs.c).
 *
 * The Java and C servers are compiled here into bench/.build/peers. Every server is checked to give
 * the same answers first. Figures: lookups with one sender and with 8 concurrent senders, store +
 * lookup of 1 KiB, stores of 1 MiB, stores and lookups of 10 MiB; after a warm-up round, best of the
 * rounds, the servers' order rotating round by round; each server's CPU time (all threads, from
 * /proc/PID/task/TID/schedstat) read around each timed run. Writes the `## Peers` section of
 * docs/benchmarks.md unless `--quick`.
 *
 *   npm run bench -- peers [--quick] [--only=seq,big_lookup] [--profile]
 *
 * `--only` runs some of the figures; `--profile` writes a V8 CPU profile of the erlbridge server to
 * bench/.build/peers (both leave docs/benchmarks.md alone).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileErl, Epmd, ErlBenchNode, freePort, otpVersion } from '../connect/erl';
import { codeRevision } from '../code-revision';
import { writeDocsSection } from '../docs-section';

const bench = process.env.ERLBRIDGE_BENCH_DIR ?? path.resolve(__dirname, '../../../../bench');
const root = path.resolve(bench, '..');
const build = path.join(bench, '.build', 'peers');
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

type Workload = 'seq' | 'par' | 'kib' | 'mib_store' | 'big_store' | 'big_lookup';
const ALL_WORKLOADS: readonly Workload[] = ['seq', 'par', 'kib', 'mib_store', 'big_store', 'big_lookup'];
const WORKLOADS = ALL_WORKLOADS.filter((w) => !only || only.includes(w));
const COUNTS: Record<Workload, number> = quick
  ? { seq: 1000, par: 4000, kib: 500, mib_store: 20, big_store: 3, big_lookup: 3 }
  : { seq: 10000, par: 40000, kib: 4000, mib_store: 200, big_store: 20, big_lookup: 20 };
/** Bytes moved per operation, for the MB/s of the bulk workloads. */
const BYTES: Partial<Record<Workload, number>> = { mib_store: 1 << 20, big_store: 10 << 20, big_lookup: 10 << 20 };
const TITLES: Record<Workload, string> = {
  seq: '(a) `{kvs, N} ! {self(), {lookup, weather}}` + receive, one sender, round trips/s',
  par: '(b) the same from 8 concurrent senders, round trips/s',
  kib: '(c) store of a 1 KiB binary + its lookup, one sender, pairs/s',
  mib_store: '(d) store of a 1 MiB binary (a reply each), one sender',
  big_store: '(e) store of a 10 MiB binary, one sender',
  big_lookup: '(f) lookup answering a 10 MiB binary, one sender',
};
const ROUNDS = quick ? 1 : 3;

/** From a profile of the erlbridge server and a plain erl-to-erl check (kept by hand: update it with the numbers). */
const WHAT_THE_FIGURES_SHOW = `
Where the erlbridge server's time goes (\`--only=<figure> --profile\`, one V8 CPU profile per figure,
2026-12-07; shares of its busy samples; \`writeBuffer\`/\`writev\` are the socket write system calls,
which on loopback also carry the TCP delivery to the erl client and its wake-up):

- (a) and (c), one message in flight: the write system call 61% (53% with 1 KiB values), Node's
  read path (a fresh buffer per read, the stream's push and \`'data'\`) and other Node internals 17–19%,
  GC 5%, erlbridge's own code (frame, decode, dispatch, the kvs process, encode) 11–16%. Left: Node's
  socket layer costs per round trip about what erl's whole round trip does; only a lighter socket
  layer closes that (Node 20 offers \`onread\` with a reused buffer only for sockets a program dials,
  not for accepted ones; the ei C node makes 3 system calls per message and nothing else).
- (b), 8 senders: the replies of one event-loop turn go out in one write, so the write falls to 34%;
  codec 12%, GC 10%, the kvs process and dispatch 9%, Node internals 23%.
- (d) and (e), stores: joining the 64 KiB fragments into the message's buffer (the one copy on the
  way in, \`FragmentAssembler\`) 28% for 1 MiB and 36% for 10 MiB, GC 10% and 17%, the write 16% and 4%.
  The copy runs from Node's fresh 64 KiB read buffers into fresh memory: a page fault costs about
  16 µs on this VM until freed memory is reused after V8's collections. The C node reads into one
  buffer it keeps. Left: reading straight into the message's buffer needs \`onread\` on accepted
  sockets (see (a)).
- (f), 10 MiB lookups: the answer goes out as views of the stored Buffer (no copy on the way out,
  one \`writev\`); the profile is mostly the store before it. erl itself, receiving from erl,
  spends more than the size suggests on a large message: in a plain erl→erl check the receiving
  node's CPU per store was 57 µs for 64 KiB, 1.7 ms for 1 MiB, 17 ms for 4 MiB and 30 ms for 10 MiB,
  which is what the 10 MiB store figure shows.
`.trim();
const CALL_TIMEOUT_MS = 300000;

type ServerName = 'erl' | 'erlbridge' | 'jinterface' | 'C node';

interface Server {
  name: ServerName;
  node: string;
  pid: number;
  stop(): Promise<void>;
}

interface Sample {
  workload: Workload;
  server: ServerName;
  round: number;
  ops: number;
  micros: number;
  serverNs: number;
  clientNs: number;
}

/** Nanoseconds on CPU of all of a process's threads (the first field of each thread's schedstat). */
function cpuNanosOf(pid: number): number {
  const tasks = `/proc/${pid}/task`;
  let sum = 0;
  for (const tid of fs.readdirSync(tasks)) {
    try {
      sum += Number(fs.readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return sum;
}

/**
 * A server process that prints `READY node@host` once it is registered with EPMD. Stopped by
 * closing its stdin when it exits on that (`exitsOnEof`, given 5 s), else by SIGKILL.
 */
async function startChild(name: ServerName, command: string, args: string[], env: NodeJS.ProcessEnv, exitsOnEof: boolean): Promise<Server> {
  const child: ChildProcess = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.stdin?.end();
    const pid = child.pid;
    const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), exitsOnEof ? 5000 : 0);
    await exited;
    clearTimeout(timer);
  };
  const node = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s: ${out}`)), 60000);
    child.once('error', reject);
    child.once('exit', (status) => reject(new Error(`${name} exited with ${status}: ${out}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /^READY (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { name, node, pid: child.pid as number, stop };
}

/** Where the host OTP keeps erl_interface (headers, libei.a) and jinterface (OtpErlang.jar). */
function otpLibraries(): { erlInterface: string; jinterfaceJar: string } {
  const expression = 'io:format("~s~n~s~n", [code:lib_dir(erl_interface), code:lib_dir(jinterface)]), halt().';
  const lines = execFileSync('erl', ['-noshell', '-eval', expression], { encoding: 'utf8', timeout: 30000 }).split('\n');
  const [erlInterface, jinterface] = lines.map((l) => l.trim());
  const missing = [
    ...(fs.existsSync(path.join(erlInterface, 'include/ei.h')) ? [] : ['erl_interface (Debian: erlang-dev)']),
    ...(fs.existsSync(path.join(jinterface, 'priv/OtpErlang.jar')) ? [] : ['jinterface (Debian: erlang-jinterface)']),
  ];
  if (missing.length) throw new Error(`the host OTP lacks ${missing.join(' and ')}`);
  return { erlInterface, jinterfaceJar: path.join(jinterface, 'priv/OtpErlang.jar') };
}

/** Compile the erl client and kvs.erl, the C node and the Java node into bench/.build/peers. */
function compileServers(): { ebin: string; connectEbin: string; cNode: string; classes: string; jinterfaceJar: string } {
  const { erlInterface, jinterfaceJar } = otpLibraries();
  const ebin = path.join(build, 'ebin');
  const classes = path.join(build, 'classes');
  const cNode = path.join(build, 'ei_kvs');
  fs.mkdirSync(ebin, { recursive: true });
  fs.mkdirSync(classes, { recursive: true });
  execFileSync('erlc', ['-o', ebin, path.join(root, 'fixtures/dist_demo/kvs.erl'), path.join(bench, 'peers/peers_bench.erl')]);
  const e = erlInterface;
  execFileSync('gcc', ['-O2', '-o', cNode, path.join(bench, 'peers/ei_kvs.c'), `-I${e}/include`, `-L${e}/lib`, '-lei', '-lpthread']);
  execFileSync('javac', ['-cp', jinterfaceJar, '-d', classes, path.join(bench, 'peers/JinterfaceKvs.java')]);
  return { ebin, connectEbin: compileErl(bench, build), cNode, classes, jinterfaceJar };
}

async function measure(): Promise<{ samples: Sample[]; servers: ServerName[]; javaVersion: string; load: [number, number] }> {
  const { ebin, connectEbin, cNode, classes, jinterfaceJar } = compileServers();
  const javaVersion = javaVersionOf();
  const tag = `${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
  const cookie = `peers_${tag}`;
  const epmd = await Epmd.start(await freePort());
  const env = { ...process.env, ERL_EPMD_PORT: String(epmd.port) };
  const servers: Server[] = [];
  let client: ErlBenchNode | undefined;
  const loadStart = os.loadavg()[0];
  try {
    const erl = await ErlBenchNode.start({ sname: `peers_erl_${tag}`, cookie, epmdPort: epmd.port, ebin: connectEbin, pa: [ebin] });
    servers.push({ name: 'erl', node: erl.name, pid: erl.pid, stop: () => erl.stop() });
    if ((await erl.eval('kvs:start()', 10000)) !== 'true') throw new Error('kvs:start() failed on the erl server');
    const tsServer = path.join(__dirname, 'erlbridge_kvs.js');
    servers.push(
      await startChild(
        'erlbridge',
        process.execPath,
        [...(profile ? ['--cpu-prof', '--cpu-prof-dir', build] : []), tsServer, `peers_ts_${tag}`, cookie, String(epmd.port)],
        env,
        true,
      ),
    );
    servers.push(
      await startChild(
        'jinterface',
        'java',
        ['-cp', `${jinterfaceJar}:${classes}`, 'JinterfaceKvs', `peers_java_${tag}`, cookie],
        env,
        true,
      ),
    );
    servers.push(await startChild('C node', cNode, [`peers_c_${tag}`, cookie], env, false));
    client = await ErlBenchNode.start({ sname: `peers_cli_${tag}`, cookie, epmdPort: epmd.port, ebin: connectEbin, pa: [ebin] });
    for (const s of servers) {
      const pong = await client.eval(`peers_bench:connect('${s.node}')`, 40000);
      if (pong !== 'pong') throw new Error(`net_adm:ping('${s.node}') (${s.name}) answered ${pong}`);
      await client.eval(`peers_bench:check('${s.node}')`, 40000);
    }
    const cli = client;
    const run = async (workload: Workload, s: Server, ops: number) => {
      const before = { server: cpuNanosOf(s.pid), client: cpuNanosOf(cli.pid) };
      const micros = Number(await cli.eval(`peers_bench:run(${workload}, '${s.node}', ${ops})`, CALL_TIMEOUT_MS));
      return { micros, serverNs: cpuNanosOf(s.pid) - before.server, clientNs: cpuNanosOf(cli.pid) - before.client };
    };
    for (const workload of WORKLOADS) {
      for (const s of servers) await run(workload, s, Math.max(1, Math.ceil(COUNTS[workload] / 4)));
    }
    const samples: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const workload of WORKLOADS) {
        for (let i = 0; i < servers.length; i++) {
          const s = servers[(i + round) % servers.length];
          const ops = COUNTS[workload];
          samples.push({ workload, server: s.name, round, ops, ...(await run(workload, s, ops)) });
          process.stderr.write('.');
        }
      }
    }
    process.stderr.write('\n');
    return { samples, servers: servers.map((s) => s.name), javaVersion, load: [loadStart, os.loadavg()[0]] };
  } finally {
    await client?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    epmd.stop();
  }
}

/** The first line of `java -version` (which prints to stderr). */
function javaVersionOf(): string {
  return execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' }).split('\n')[0].trim();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** Best round's throughput (ops/s), and median CPU µs per operation of the server and the client. */
function summarise(samples: Sample[], workload: Workload, server: ServerName) {
  const mine = samples.filter((s) => s.workload === workload && s.server === server);
  const best = Math.max(...mine.map((s) => (s.ops * 1e6) / s.micros));
  return {
    rate: best,
    serverCpu: median(mine.map((s) => s.serverNs / 1000 / s.ops)),
    clientCpu: median(mine.map((s) => s.clientNs / 1000 / s.ops)),
  };
}

function table(samples: Sample[], workload: Workload, servers: ServerName[]): string {
  const bytes = BYTES[workload];
  const ts = summarise(samples, workload, 'erlbridge');
  const rows = servers.map((server) => {
    const r = summarise(samples, workload, server);
    const rate = `${Math.round(r.rate).toLocaleString('en')}${bytes ? ` (${((r.rate * bytes) / 1e6).toFixed(0)} MB/s)` : ''}`;
    const ratios = server === 'erlbridge' ? '— | —' : `**${(ts.rate / r.rate).toFixed(2)}×** | ${(ts.serverCpu / r.serverCpu).toFixed(2)}×`;
    return `| ${server} | ${rate} | ${r.serverCpu.toFixed(1)} | ${r.clientCpu.toFixed(1)} | ${ratios} |`;
  });
  return `${TITLES[workload]}, ${COUNTS[workload].toLocaleString('en')} per run:

| server | ops/s | server CPU µs/op | erl client CPU µs/op | erlbridge ÷ this, throughput | erlbridge ÷ this, CPU/op |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}`;
}

async function main(): Promise<void> {
  const unknown = (only ?? []).filter((w) => !ALL_WORKLOADS.includes(w as Workload));
  if (unknown.length) throw new Error(`no figure named ${unknown.join(', ')} (there are: ${ALL_WORKLOADS.join(', ')})`);
  const { samples, servers, javaVersion, load } = await measure();
  fs.writeFileSync(path.join(bench, '.build', 'peers-results.json'), JSON.stringify(samples, null, 1));
  const tables = WORKLOADS.map((w) => table(samples, w, servers)).join('\n\n');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const body = `
The book's kvs, the registered process \`kvs\` (\`{From, {store, K, V}}\` → \`{kvs, true}\`, \`{From,
{lookup, K}}\` → \`{kvs, {ok, V}}\` or \`{kvs, undefined}\`), served by four kinds of node and driven
by the same erl client node with plain messages, in one run. A throughput ratio above 1 favours
erlbridge; a CPU ratio above 1 means erlbridge spends more CPU per operation.

${tables}

How:

- Servers: **erl**, an erl node running \`fixtures/dist_demo/kvs.erl\` (\`kvs:start()\`, a receive
  loop over a map); **erlbridge**, \`ErlNode.start\` + \`serveKvs\` (\`src/kvs/kvs.ts\`; the messages
  reach its registered process \`kvs\`) in a \`node\` process of its own
  (\`bench/peers/erlbridge_kvs.ts\`); **jinterface**, one \`OtpNode\`, one \`OtpMbox\` registered as
  \`kvs\` served by the main thread from a \`HashMap\` (\`bench/peers/JinterfaceKvs.java\`, the host
  OTP's OtpErlang.jar, default JVM flags; jinterface's own threads accept and read the connection);
  **C node**, a single-threaded ei node (\`bench/peers/ei_kvs.c\`, \`ei_accept\`/\`ei_xreceive_msg\`/
  \`ei_send\`, keys and values kept as their encoded bytes in a hash table, \`gcc -O2\`). Every
  server is first checked to give the same answers to the same stores and lookups
  (\`peers_bench:check/1\`).
- The erl client (\`bench/peers/peers_bench.erl\`, through bench/connect's expression loop) times
  each run with \`timer:tc\`. A warm-up run of each figure on each server (a quarter of the count),
  then ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}; in each round every figure runs on the four
  servers in turn, the order rotating by one server each round. Throughput: the best round. CPU:
  each server's time on CPU over all its threads (the first field of
  \`/proc/PID/task/*/schedstat\`, so the JVM's and BEAM's helper threads count), read before and
  after each timed run; the median over the rounds, per operation. The client's CPU is read the
  same way.
- Both erl nodes run without busy-waiting schedulers (\`+sbwt none +sbwtdcpu none +sbwtdio none\`).
  Loopback, OTP's \`epmd\` on a private port, unique node names and cookie.
- Raw numbers of the last run: \`bench/.build/peers-results.json\`.

${WHAT_THE_FIGURES_SHOW}

Code: ${codeRevision(root)}. Machine: ${cpu}, ${os.cpus().length} cores (shared by the client, the
server being measured and the three idle ones), Node ${process.version}, OTP ${otpVersion()},
${javaVersion}, load average ${load[0].toFixed(1)} at the start, ${load[1].toFixed(1)} at the end,
${new Date().toISOString().slice(0, 10)}${quick ? ' (quick run)' : ''}. Run with \`npm run bench -- peers\`
(\`--quick\` for a smoke run; \`--only=seq,...\` and \`--profile\`, a CPU profile of the erlbridge
server, leave this file alone).
`;
  process.stdout.write(body);
  if (profile) process.stderr.write(`bench peers: the erlbridge server's CPU profile is in ${build} (*.cpuprofile)\n`);
  if (!quick && !only && !profile) writeDocsSection(path.join(root, 'docs/benchmarks.md'), 'Peers', body);
}

main().catch((error) => {
  process.stderr.write(`bench peers: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
