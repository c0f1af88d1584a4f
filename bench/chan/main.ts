/**
 * `npm run bench -- chan`: lib_chan round trips per second, an erl client (the clean-room
 * fixtures/lib_chan/chan_client.erl) against the TypeScript server and against the clean-room erl
 * server, in the same run. Writes the `## lib_chan` section of docs/benchmarks.md (unless --quick).
 */
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseChanConfig, startChanServer } from '../../src/chan';
import { writeDocsSection } from '../docs-section';

// run.js says where bench/ is; compiled, this file sits in bench/.build/js/bench/chan.
const root = path.resolve(process.env.ERLBRIDGE_BENCH_DIR ?? path.join(__dirname, '../../../..', 'bench'), '..');
const fixtures = path.join(root, 'fixtures/lib_chan');
const quick = process.argv.includes('--quick');
const COUNT = quick ? 2000 : 20000;
const ROUNDS = quick ? 2 : 5;
const CONFIG = '{port, 0}.\n{service, echo, password, none, mfa, mod_echo, start, []}.\n';

/** Run erl with `code` without blocking the event loop (the TypeScript server runs in this process). */
function erl(code: string, onLine: (line: string) => void = () => undefined): { done: Promise<string>; pid: number | undefined } {
  const child = spawn('erl', ['-noshell', '-eval', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    for (const line of String(d).split('\n')) if (line) onLine(line);
  });
  const done = new Promise<string>((resolve, reject) =>
    child.on('exit', (status, signal) =>
      status === 0 || signal === 'SIGKILL' ? resolve(out) : reject(new Error(`erl exited with ${status}: ${out}`)),
    ),
  );
  return { done, pid: child.pid };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-bench-chan-'));
  const configFile = path.join(dir, 'lib_chan.conf');
  fs.writeFileSync(configFile, CONFIG);
  const sources = ['chan_client.erl', 'chan_server.erl']
    .map((f) => path.join(fixtures, f))
    .concat(path.join(root, 'bench/chan/roundtrips.erl'));
  execFileSync('erlc', ['-o', dir, ...sources]);
  const otp = execFileSync('erl', ['-noshell', '-eval', 'io:put_chars(erlang:system_info(otp_release)), halt().'], { encoding: 'utf8' });

  const tsServer = await startChanServer(parseChanConfig(CONFIG), { log: () => undefined });
  let erlPort = 0;
  const erlServer = erl(`code:add_patha("${dir}"), chan_server:serve("${configFile}").`, (line) => {
    const match = /listening (\d+)/.exec(line);
    if (match) erlPort = Number(match[1]);
  });
  while (erlPort === 0) await new Promise((resolve) => setTimeout(resolve, 10));

  const out = await erl(
    `code:add_patha("${dir}"), roundtrips:run([{"ts", ${tsServer.address.port}}, {"erl", ${erlPort}}], ${COUNT}, ${ROUNDS}), halt().`,
  ).done;
  if (erlServer.pid !== undefined) process.kill(erlServer.pid, 'SIGKILL');
  await erlServer.done;
  await tsServer.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const best = new Map<string, number>();
  for (const [, label, micros] of out.matchAll(/^RESULT (\w+) (\d+)$/gm)) {
    best.set(label, Math.min(best.get(label) ?? Infinity, Number(micros)));
  }
  const perSecond = (label: string) => (COUNT * 1e6) / (best.get(label) as number);
  const ts = perSecond('ts');
  const beam = perSecond('erl');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const body = `
An erl client (\`fixtures/lib_chan/chan_client.erl\`, one connection, \`rpc\` of
\`{lookup, joe, "writing a book", 42}\` to the echo service, one request in flight) against the
TypeScript server and against the clean-room erl server (\`chan_server.erl\`), interleaved in one
run, best of ${ROUNDS} rounds of ${COUNT} round trips. Loopback TCP, \`nodelay\` on both sides.
The erl server is a plain per-connection process doing passive \`gen_tcp:recv\`; the book's own
server relays every message through a middle-man process, so it would likely be slower still.

| server | round trips/s | ratio to erl server |
| --- | ---: | ---: |
| erlbridge (TypeScript) | ${Math.round(ts).toLocaleString('en')} | ${(ts / beam).toFixed(2)}× |
| erl (OTP ${otp}) | ${Math.round(beam).toLocaleString('en')} | 1.00× |

Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, OTP ${otp}, ${new Date().toISOString().slice(0, 10)}${quick ? ' (quick run)' : ''}.
Run with \`npm run bench -- chan\`.
`;
  process.stdout.write(body);
  if (!quick) writeDocsSection(path.join(root, 'docs/benchmarks.md'), 'lib_chan', body);
}

main().catch((error) => {
  process.stderr.write(`bench chan: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
