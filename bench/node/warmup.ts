/**
 * Where the slow start of large stores goes: an erl client makes N sequential
 * `rpc:call(TsNode, kvs, store, [big, Bin])` calls with a SIZE-byte binary into a TypeScript node
 * serving kvs (src/kvs/kvs.ts) in this process, and this prints the CPU time and minor page faults
 * of this process between consecutive stores (so per store: receive, decode, store, reply), for
 * the first 20 and as medians over later ranges. Not part of `npm run bench` (no main.ts): after
 * `npm run bench -- node --quick` has compiled it, run
 *
 *     N=300 SIZE=1048576 node bench/.build/js/bench/node/warmup.js
 *
 * with `--trace-gc` to see the collections between the stores.
 */
import { spawn } from 'node:child_process';
import { EpmdServer } from '../../handshake';
import { Term } from '../../codec';
import { serveKvs } from '../../src/kvs/kvs';
import { MemoryKvsStore } from '../../src/kvs/store';
import { ErlNode } from '../../src/node/node';

const N = Number(process.env.N ?? 300);
const SIZE = Number(process.env.SIZE ?? 1 << 20);

interface Sample {
  cpu: number;
  faults: number;
}

function usage(): Sample {
  const r = process.resourceUsage();
  return { cpu: r.userCPUTime + r.systemCPUTime, faults: r.minorPageFault };
}

async function main(): Promise<void> {
  const cookie = `warmup${process.pid}`;
  const epmd = await EpmdServer.start({ port: 0 });
  const ts = await ErlNode.start({ name: `warmup_ts_${process.pid}`, cookie, epmdPort: epmd.port, hidden: true, log: () => undefined });
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
  const stores = `Big = binary:copy(<<"0123456789abcdef">>, ${Math.ceil(SIZE / 16)}), [true = rpc:call('${ts.name}', kvs, store, [big, Big], 30000) || _ <- lists:seq(1, ${N + 1})], halt().`;
  const erl = spawn(
    'erl',
    ['-noshell', '+sbwt', 'none', '-sname', `warmup_cli_${process.pid}`, '-setcookie', cookie, '-start_epmd', 'false', '-eval', stores],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ERL_EPMD_PORT: String(epmd.port) } },
  );
  const status = await new Promise<number | null>((resolve) => erl.on('exit', resolve));
  await ts.stop();
  await epmd.close();
  if (status !== 0) throw new Error(`the erl client exited with ${status}`);

  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${samples.length} stores of ${SIZE} bytes: CPU µs / minor page faults per store`);
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
