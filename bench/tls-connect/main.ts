/**
 * bench/tls-connect: what TLS distribution costs a new connection. The time of a `ping` to a
 * node we are not connected to (EPMD lookup, TCP connect, for TLS the TLS handshake with mutual
 * certificate checks, the distribution handshake, and net_kernel's is_auth round trip), over
 * plain TCP and over TLS, in one run, rounds interleaved:
 *
 *   TS→erl   a TypeScript node pings an erl node (tcpTransport vs tlsTransport);
 *   erl→TS   an erl node pings a TypeScript node;
 *   erl→erl  an erl node pings another (inet_tcp vs inet_tls), the baseline of what TLS costs erl.
 *
 * Certificates come from scripts/make-certs.sh (EC P-256); both sides read one optfile. Results go
 * to the `## TLS connect` section of docs/benchmarks.md as TLS/TCP ratios, and TS beside erl.
 *
 *   npm run bench -- tls-connect [--quick] [--write|--no-write]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type * as tls from 'tls';
import { DistTransport, tlsTransportFromOptfile } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { compileErl, Epmd, ErlBenchNode, freePort, otpVersion, parseNumbers } from '../connect/erl';
import { writeDocsSection } from '../docs-section';

interface Plan {
  rounds: number;
  connectsPerRound: number;
  gapMs: number;
}

const FULL: Plan = { rounds: 5, connectsPerRound: 30, gapMs: 10 };
const QUICK: Plan = { rounds: 1, connectsPerRound: 8, gapMs: 10 };

type Pair = 'TS→erl' | 'erl→TS' | 'erl→erl';
const PAIRS: readonly Pair[] = ['TS→erl', 'erl→TS', 'erl→erl'];
type Case = `${Pair} ${'TCP' | 'TLS'}`;
const CASES: readonly Case[] = PAIRS.flatMap((p) => [`${p} TCP`, `${p} TLS`] as const);

function parseArgs(argv: string[]): { quick: boolean; write: boolean } {
  let quick = false;
  let write: boolean | undefined;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--write') write = true;
    else if (a === '--no-write') write = false;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- tls-connect [--quick] [--write|--no-write]\n  --quick   one short round (not written unless --write)',
      );
      process.exit(0);
    } else console.error(`bench/tls-connect: ignoring ${a} (not a flag of this bench; try --help)`);
  }
  return { quick, write: write ?? !quick };
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

/** Microseconds of each `ping` from `node` to `peer` on a fresh connection. */
async function tsPingTimes(node: ErlNode, peer: string, plan: Plan): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < plan.connectsPerRound; i++) {
    node.disconnect(peer);
    await sleep(plan.gapMs);
    const t0 = performance.now();
    const answer = await node.ping(peer);
    const t1 = performance.now();
    if (answer !== 'pong') throw new Error(`ping ${peer}: ${answer}`);
    out.push((t1 - t0) * 1000);
  }
  node.disconnect(peer);
  return out;
}

function optfile(dir: string): string {
  const files = `{certfile, "${dir}/node.pem"}, {keyfile, "${dir}/node-key.pem"}, {cacertfile, "${dir}/ca.pem"}`;
  const file = path.join(dir, 'dist.conf');
  fs.writeFileSync(
    file,
    `[{server, [${files}, {verify, verify_peer}, {fail_if_no_peer_cert, true}]},\n {client, [${files}, {verify, verify_peer}]}].\n`,
  );
  return file;
}

function render(samples: Record<Case, number[][]>, tlsVersion: string, machine: string, quick: boolean): string {
  const perRound = (c: Case) => samples[c].map(median);
  const all = (c: Case) => median(samples[c].flat());
  const ratios = (tls: Case, tcp: Case) => perRound(tls).map((t, i) => t / perRound(tcp)[i]);
  const ratioText = (xs: number[]) =>
    xs.length < 2 ? `${median(xs).toFixed(2)}×` : `${median(xs).toFixed(2)}× (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
  const L: string[] = [];
  L.push(
    'The time of `ping` to a node not yet connected (EPMD lookup, TCP connect, the TLS handshake with mutual certificate ' +
      'checks for TLS, the distribution handshake and the first request/reply), over plain TCP and over TLS, measured in ' +
      `one run with the six cases interleaved round by round; ${tlsVersion} (erl's default for this OTP), EC P-256 certificates from ` +
      '`scripts/make-certs.sh`, one optfile read by both sides. "TLS / TCP" is the median of the per-round ratios of ' +
      'medians, lowest and highest round in brackets.',
  );
  L.push('');
  L.push('| pair | TCP | TLS | TLS / TCP |');
  L.push('| --- | ---: | ---: | ---: |');
  for (const p of PAIRS) {
    L.push(`| ${p} | ${ms(all(`${p} TCP`))} | ${ms(all(`${p} TLS`))} | ${ratioText(ratios(`${p} TLS`, `${p} TCP`))} |`);
  }
  L.push('');
  const vsErl = (p: Pair) => ratioText(perRound(`${p} TLS`).map((t, i) => perRound('erl→erl TLS')[i] / t));
  L.push(
    `Over TLS against erl→erl over TLS (erl's time / ours; above 1.00× we are faster): TS→erl ${vsErl('TS→erl')}, erl→TS ${vsErl('erl→TS')}.`,
  );
  L.push('');
  L.push(`Machine: ${machine}.${quick ? ' QUICK RUN: not representative.' : ''}`);
  L.push('Run with `npm run bench -- tls-connect`.');
  return L.join('\n');
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const plan = opt.quick ? QUICK : FULL;
  const bench = benchDir();
  const root = path.resolve(bench, '..');
  const outDir = path.join(bench, '.build');
  const log = (s: string) => console.log(`bench/tls-connect: ${s}`);
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-bench-tls-'));
  const stops: Array<() => Promise<void> | void> = [() => fs.rmSync(certDir, { recursive: true, force: true })];
  try {
    execFileSync(path.join(root, 'scripts', 'make-certs.sh'), [certDir], { stdio: 'ignore' });
    const tlsArgs = ['-proto_dist', 'inet_tls', '-ssl_dist_optfile', optfile(certDir)];
    const ebin = compileErl(bench, outDir);
    const cookie = `bench${process.pid}${Math.random().toString(36).slice(2, 10)}`;
    const epmd = await Epmd.start(await freePort());
    stops.unshift(() => epmd.stop());
    const erl = async (name: string, args: string[] = []) => {
      const node = await ErlBenchNode.start({ sname: `bench_${name}_${process.pid}`, cookie, epmdPort: epmd.port, ebin, args });
      stops.unshift(() => node.stop());
      return node;
    };
    // The TLS versions our connections negotiated, as the sockets say.
    const versions = new Set<string>();
    const tlsTransport = tlsTransportFromOptfile(path.join(certDir, 'dist.conf'));
    const recording: DistTransport = {
      ...tlsTransport,
      connect: async (...args) => {
        const socket = (await tlsTransport.connect(...args)) as tls.TLSSocket;
        versions.add(socket.getProtocol() ?? '?');
        return socket;
      },
    };
    const ts = async (name: string, overTls: boolean) => {
      const node = await ErlNode.start({
        name: `bench_${name}_${process.pid}`,
        cookie,
        epmdPort: epmd.port,
        hidden: true,
        ...(overTls ? { transport: recording } : {}),
        log: (l) => process.stderr.write(`bench/tls-connect (${name}): ${l}\n`),
      });
      stops.unshift(() => node.stop());
      return node;
    };
    const [tcpA, tcpB, tlsA, tlsB] = [await erl('tcp_a'), await erl('tcp_b'), await erl('tls_a', tlsArgs), await erl('tls_b', tlsArgs)];
    const [tsTcp, tsTls] = [await ts('ts_tcp', false), await ts('ts_tls', true)];

    const machine = `${os.cpus()[0]?.model?.trim() ?? '?'}, ${os.cpus().length} cores (Linux ${os.release()}), Node ${process.version}, OTP ${otpVersion()}, ${new Date().toISOString().slice(0, 10)}`;
    log(`${opt.quick ? 'quick' : 'full'} run on ${machine}`);
    const samples = Object.fromEntries(CASES.map((c) => [c, [] as number[][]])) as Record<Case, number[][]>;
    const erlPings = async (from: ErlBenchNode, to: string) => {
      const times = parseNumbers(await from.eval(`connect_bench:ping_times('${to}', ${plan.connectsPerRound}, ${plan.gapMs})`));
      await from.eval(`erlang:disconnect_node('${to}')`);
      return times;
    };
    for (let round = 1; round <= plan.rounds; round++) {
      log(`round ${round}/${plan.rounds}`);
      samples['TS→erl TCP'].push(await tsPingTimes(tsTcp, tcpA.name, plan));
      samples['TS→erl TLS'].push(await tsPingTimes(tsTls, tlsA.name, plan));
      samples['erl→TS TCP'].push(await erlPings(tcpB, tsTcp.name));
      samples['erl→TS TLS'].push(await erlPings(tlsB, tsTls.name));
      samples['erl→erl TCP'].push(await erlPings(tcpB, tcpA.name));
      samples['erl→erl TLS'].push(await erlPings(tlsB, tlsA.name));
    }
    // erl's dist_defaults decide the version (OTP 25 and 27: 1.2 only; 29: 1.3 and 1.2).
    const tlsVersion = `${[...versions].join(', ')} negotiated`;
    const md = render(samples, tlsVersion, machine, opt.quick);
    console.log(`\n## TLS connect\n\n${md}\n`);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'tls-connect-results.json'), JSON.stringify({ machine, plan, samples }, null, 1));
    if (opt.write) {
      const docs = path.join(root, 'docs', 'benchmarks.md');
      writeDocsSection(docs, 'TLS connect', md);
      log(`wrote the ## TLS connect section of ${path.relative(process.cwd(), docs)}`);
    } else log('not written to docs/benchmarks.md (pass --write to write it)');
  } finally {
    for (const stop of stops) {
      try {
        await stop();
      } catch (err) {
        console.error(`bench/tls-connect: while stopping: ${(err as Error).message}`);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\n!!! bench/tls-connect: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
