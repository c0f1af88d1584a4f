/**
 * SIGTERM to `erlbridge node` (the built CLI, its own process) while 8 erl callers are mid-call:
 * the calls that finish within `--shutdown-time` answer, the others see the node go down
 * (`{badrpc, nodedown}` from rpc:call, `{erpc, noconnection}` from erpc:call), a call made while it
 * stops is refused the same way (spawn/4 too), nothing hangs, the EPMD registration is gone,
 * and the process exits 0 within the shutdown time and a bound.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { EpmdServer, lookupNode } from '../../handshake';
import { ERLBRIDGE_BIN, itWithBuiltCli, lineFrom, stopChild } from '../support/cli-process';
import { waitFor } from '../support/otp-node-extra';
import { describeHostOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

/** A served function that says when it starts, then answers `tag` after `ms`. */
const SLOW_MODULE = `
exports.wait = async (ms, tag) => {
  process.stdout.write('started ' + tag + '\\n');
  await new Promise((resolve) => setTimeout(resolve, ms));
  return tag;
};
`;

const SHUTDOWN_TIME = 3000;
/** Calls 1-4 end this long after they start, well within the shutdown time; 5-8 never in time. */
const SHORT_CALL = 1000;
const LONG_CALL = 60000;
/** The exit must come within the shutdown time and this much more (a noisy 2-core CI machine). */
const EXIT_MARGIN = 7000;

describeHostOtp('erlbridge node stopped by SIGTERM with 8 calls in flight', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  const children: ChildProcess[] = [];
  let dir: string;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-stop-'));
    fs.writeFileSync(path.join(dir, 'slow.cjs'), SLOW_MODULE);
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    for (const child of children) await stopChild(child);
    await erl?.stop();
    await epmd?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** `erlbridge node --serve slow.cjs -shutdown_time SHUTDOWN_TIME`, up: its name, output so far, and its exit code to come. */
  async function startNode(sname: string) {
    const args = ['node', '--sname', sname, '--cookie', cookie, '--epmd-port', String(epmd.port), '--serve', path.join(dir, 'slow.cjs')];
    const child = spawn(process.execPath, [ERLBRIDGE_BIN, ...args, '-shutdown_time', String(SHUTDOWN_TIME)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = { stdout: '', stderr: '' };
    child.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const ts = /erlbridge node (\S+) is up/.exec(await lineFrom(child, /is up/))?.[1] as string;
    return { child, out, exited, ts };
  }

  itWithBuiltCli(
    'each caller gets its answer or a clean nodedown; EPMD forgets the node; exit 0 in time',
    async () => {
      const sname = uniqueName('stop');
      const { child, out, exited, ts } = await startNode(sname);
      const port = Number(/distribution on port (\d+)/.exec(out.stdout)?.[1]);

      // 8 callers, rpc:call and erpc:call in turn; each sends back what its call gave.
      await erl.eval(
        `begin Self = self(), monitor_node('${ts}', true), ` +
          `[spawn(fun() -> R = case I rem 2 of ` +
          `0 -> rpc:call('${ts}', slow, wait, [Ms, I], 30000); ` +
          `1 -> try erpc:call('${ts}', slow, wait, [Ms, I], 30000) catch C:E -> {C, E} end end, ` +
          `Self ! {stop_result, I, R} end) ` +
          `|| {I, Ms} <- [{I, case I =< 4 of true -> ${SHORT_CALL}; false -> ${LONG_CALL} end} || I <- lists:seq(1, 8)]], ok end`,
      );
      await waitFor('all 8 calls to be in flight', () => (out.stdout.match(/^started \d$/gm) ?? []).length === 8);
      const signalled = Date.now();
      child.kill('SIGTERM');

      await waitFor('the node to start stopping', () => out.stderr.includes('stopping: waiting up to'));
      // Stopping: gone from EPMD, no new connections, and a new call over the open one is refused cleanly.
      expect(await lookupNode(sname, { port: epmd.port })).toBeNull();
      await expect(connectTo(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(await erl.eval(`rpc:call('${ts}', slow, wait, [0, late], 5000)`)).toBe('{badrpc,nodedown}');
      expect(await erl.eval(`try erpc:call('${ts}', slow, wait, [0, late], 5000) catch C:E -> {C, E} end`)).toBe(
        '{error,{erpc,noconnection}}',
      );

      // spawn/4 too: erl gives a pid whose monitor says noconnection, as for a node that is down.
      const spawned = `begin P = spawn('${ts}', slow, wait, [0, late]), R = monitor(process, P), receive {'DOWN', R, process, P, Why} -> Why after 5000 -> timeout end end`;
      expect(await erl.eval(spawned)).toBe('noconnection');

      const results = await erl.eval(`[receive {stop_result, I, R} -> R after 15000 -> timeout end || I <- lists:seq(1, 8)]`, 20000);
      expect(results).toBe('[1,2,3,4,{error,{erpc,noconnection}},{badrpc,nodedown},{error,{erpc,noconnection}},{badrpc,nodedown}]');
      expect(await erl.eval(`receive {nodedown, '${ts}'} -> nodedown after 10000 -> timeout end`)).toBe('nodedown');

      const { code } = await exited;
      const elapsed = Date.now() - signalled;
      expect(code).toBe(0);
      // Not before the shutdown time: the long calls held it; not long after: nothing hung.
      expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIME - 100);
      expect(elapsed).toBeLessThan(SHUTDOWN_TIME + EXIT_MARGIN);
      expect(out.stderr).toContain('stopping: 4 calls still going after 3000 ms; their callers see nodedown');
      expect(await lookupNode(sname, { port: epmd.port })).toBeNull();
    },
    60000,
  );

  itWithBuiltCli(
    'a second SIGTERM while calls finish ends the process at once',
    async () => {
      const sname = uniqueName('stop2');
      const { child, out, exited, ts } = await startNode(sname);
      await erl.eval(`begin spawn(fun() -> rpc:call('${ts}', slow, wait, [${LONG_CALL}, 1], 30000) end), ok end`);
      await waitFor('the call to be in flight', () => out.stdout.includes('started 1'));
      child.kill('SIGTERM');
      await waitFor('the node to start stopping', () => out.stderr.includes('stopping: waiting up to'));
      const again = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(Date.now() - again).toBeLessThan(SHUTDOWN_TIME);
      // Gone from EPMD already, before the second signal.
      expect(await lookupNode(sname, { port: epmd.port })).toBeNull();
    },
    30000,
  );
});

/** A TCP connection to `port` on this machine, closed at once; rejects when refused. */
function connectTo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
