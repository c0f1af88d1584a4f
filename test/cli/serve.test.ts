/**
 * `erlbridge node --serve [NAME=]FILE`, the built CLI as its own process (as a user runs it),
 * called from a real erl: ES modules, CommonJS and TypeScript files (one importing another),
 * async functions, NAME=FILE, `erlangArity`, and the `undef` erl gives for anything not exported.
 * A file that does not load is one line and exit 1, before any node starts.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EpmdServer, listNames } from '../../handshake';
import { ERLBRIDGE_BIN, itWithBuiltCli, lineFrom, stopChild } from '../support/cli-process';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

/** The files a user would write, by name. */
const FILES: Record<string, string> = {
  'mymod.mjs': `
export function add(a, b) { return a + b; }
export async function later(x) { await new Promise((r) => setTimeout(r, 20)); return [x, x]; }
export function boom(x) { throw new TypeError('no ' + x); }
function hidden(x) { return x; }
export const notfn = 42;
export default function dflt() { return hidden(1); }
`,
  'counter.cjs': `
let n = 0;
module.exports = { next: () => ++n, sum: Object.assign((...xs) => xs.reduce((a, b) => a + b, 0), { erlangArity: 3 }) };
`,
  'weather.ts': `
import { describe } from './describe';
export function forecast(city: Buffer): string {
  return describe(city.toString('utf8'));
}
export async function slowly(city: Buffer): Promise<string> {
  await new Promise<void>((resolve) => setTimeout(resolve, 20));
  return forecast(city);
}
`,
  'describe.ts': `
export const describe = (city: string): string => \`sunny in \${city}\`;
`,
  'broken.js': `
exports.f = function () {
  return 1 +;
};
`,
  'broken.ts': `
export function f(x: number): number {
  return x +;
}
`,
  'nothing.mjs': `export const answer = 42;\n`,
  'throws.cjs': `throw new Error('no database configured');\n`,
};

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-serve-'));
  for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, name), text);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `erlbridge node ARGS` from the files' directory. */
function startCli(args: string[], bin = ERLBRIDGE_BIN): ChildProcess {
  return spawn(process.execPath, [bin, 'node', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run `erlbridge node ARGS` to its end (within 15 s): its exit code and output. */
async function runToEnd(args: string[], bin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, bin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Resolves once `ready()` holds, checking every 20 ms; rejects after 10 s. */
async function waitFor(ready: () => boolean): Promise<void> {
  const until = Date.now() + 10000;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`still not ready after 10 s: ${ready.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeOtp('erlbridge node --serve, called from erl', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let cli: ChildProcess | undefined;
  let ts = '';
  let greeting = '';
  let log = '';
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    if (cli) await stopChild(cli);
    await erl?.stop();
    await epmd?.close();
  });

  /** The node, started by the first test that needs it. */
  async function node(): Promise<string> {
    if (cli) return ts;
    const serve = ['--serve', 'mymod.mjs', '--serve', 'counter.cjs', '--serve', 'w=weather.ts'];
    cli = startCli(['--sname', uniqueName('srv'), '--cookie', cookie, '--epmd-port', String(epmd.port), ...serve]);
    cli.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    greeting = await lineFrom(cli, /is up/);
    ts = /erlbridge node (\S+) is up/.exec(greeting)?.[1] as string;
    return ts;
  }

  const call = async (m: string, f: string, args: string) => erl.eval(`rpc:call('${await node()}', ${m}, ${f}, ${args}, 10000)`, 15000);

  itWithBuiltCli('an ES module: a function, and an async one, answer rpc:call', async () => {
    expect(await call('mymod', 'add', '[1, 2]')).toBe('3');
    expect(await call('mymod', 'later', '[x]')).toBe('[x,x]');
    expect(greeting).toContain(', mymod, counter, w ');
  });

  itWithBuiltCli('a TypeScript file importing another, served as NAME=FILE; async too', async () => {
    expect(await call('w', 'forecast', '[<<"Oslo">>]')).toBe(await erl.eval('<<"sunny in Oslo">>'));
    expect(await call('w', 'slowly', '[<<"Bergen">>]')).toBe(await erl.eval('<<"sunny in Bergen">>'));
    // Served as w, not as weather: that name is undef, as erl's own undef for a missing module.
    const undef = await erl.eval(`rpc:call(node(), weather, forecast, [<<"Oslo">>])`);
    expect(await call('weather', 'forecast', '[<<"Oslo">>]')).toBe(undef);
  });

  itWithBuiltCli('a function that throws a JavaScript error: erl gets {js_error, ...}, the log an error report', async () => {
    const message = await erl.eval('<<"TypeError: no x">>');
    expect(await call('mymod', 'boom', '[x]')).toContain(`{badrpc,{'EXIT',{{js_error,${message}},[{mymod,boom,1,`);
    await waitFor(() => log.includes('Served function'));
    expect(log).toMatch(
      /=ERROR REPORT==== .* ===\nServed function mymod:boom\/1 threw a JavaScript error\n\*\* Arguments == \[x\]\n\*\* TypeError: no x\n/,
    );
  });

  itWithBuiltCli("erl's -kernel logger_level and --log-format json: one JSON object per report", async () => {
    let json = '';
    const quiet = startCli([
      '-sname',
      uniqueName('json'),
      '-setcookie',
      cookie,
      '--epmd-port',
      String(epmd.port),
      '--serve',
      'mymod.mjs',
      '-kernel',
      'logger_level',
      'error',
      '--log-format',
      'json',
    ]);
    quiet.stderr?.on('data', (d: Buffer) => (json += d.toString()));
    try {
      const name = /erlbridge node (\S+) is up/.exec(await lineFrom(quiet, /is up/))?.[1] as string;
      expect(await erl.eval(`element(1, rpc:call('${name}', mymod, boom, [y], 10000))`, 15000)).toBe('badrpc');
      await waitFor(() => json.includes('served_function_error'));
      // Below error, nothing: the nodeup notice stays out, so the one line is the report.
      const lines = json.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      const report = JSON.parse(lines[0]) as Record<string, unknown>;
      expect(report).toMatchObject({
        level: 'error',
        node: name,
        label: 'served_function_error',
        mfa: 'mymod:boom/1',
        args: '[y]',
        error: 'TypeError: no y',
      });
    } finally {
      await stopChild(quiet);
    }
  });

  itWithBuiltCli('CommonJS: module.exports functions keep their state; erlangArity sets the arity', async () => {
    expect(await call('counter', 'next', '[]')).toBe('1');
    expect(await call('counter', 'next', '[]')).toBe('2');
    expect(await call('counter', 'sum', '[1, 2, 3]')).toBe('6');
  });

  itWithBuiltCli('what is not an exported function is undef, exactly as erl says it of a function it lacks', async () => {
    await node();
    // erl's own undef for each call, made on erl itself, where none of these modules exist.
    for (const [m, f, args] of [
      ['mymod', 'hidden', '[1]'],
      ['mymod', 'notfn', '[]'],
      ['mymod', 'default', '[]'],
      ['mymod', 'dflt', '[]'],
      ['mymod', 'add', '[1]'],
      ['counter', 'sum', '[1, 2]'],
    ]) {
      const erlOwn = await erl.eval(`rpc:call(node(), ${m}, ${f}, ${args})`);
      expect(erlOwn).toMatch(/^\{badrpc,\{'EXIT',\{undef,/);
      expect(await call(m, f, args)).toBe(erlOwn);
    }
  });
});

describe('erlbridge node --serve FILE that cannot be served', () => {
  let epmd: EpmdServer;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
  });

  afterAll(async () => {
    await epmd?.close();
  });

  /** Run the node with `serve` and expect it to end at once with exit `code` and this one line, no node registered. */
  async function refused(serve: string[], code: number): Promise<string> {
    const alive = uniqueName('bad');
    const run = await runToEnd(['--sname', alive, '--cookie', 'c', '--epmd-port', String(epmd.port), ...serve]);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect((await listNames({ port: epmd.port })).nodes.map((n) => n.name)).not.toContain(alive);
    const lines = run.stderr.split('\n');
    expect(lines).toHaveLength(2);
    return lines[0];
  }

  itWithBuiltCli('a missing file', async () => {
    expect(await refused(['--serve', 'nope.mjs'], 1)).toBe('erlbridge node: --serve nope.mjs: no such file');
  });

  itWithBuiltCli('a JavaScript syntax error, with its line', async () => {
    expect(await refused(['--serve', 'broken.js'], 1)).toMatch(
      /^erlbridge node: --serve broken\.js does not load: SyntaxError at line 3: Unexpected token/,
    );
  });

  itWithBuiltCli('a TypeScript syntax error, with its line and column', async () => {
    expect(await refused(['--serve', 'broken.ts'], 1)).toBe(
      'erlbridge node: --serve broken.ts: broken.ts does not compile at line 3, column 13: Expression expected.',
    );
  });

  itWithBuiltCli('a TypeScript file where no typescript package can be found says what to install', async () => {
    // erlbridge as a user installs it: its dist/ and bin/ alone, without this checkout's node_modules.
    const installed = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-installed-'));
    try {
      for (const part of ['dist', 'bin', 'package.json'])
        fs.cpSync(path.join(ERLBRIDGE_BIN, '..', '..', part), path.join(installed, part), { recursive: true });
      const bin = path.join(installed, 'bin', 'erlbridge.js');
      const run = await runToEnd(
        ['--sname', uniqueName('nots'), '--cookie', 'c', '--epmd-port', String(epmd.port), '--serve', 'w=weather.ts'],
        bin,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'erlbridge node: --serve weather.ts: Node 20 runs no TypeScript, and the typescript package that would compile it is not installed: npm install --save-dev typescript where the file is, or serve its compiled JavaScript\n',
      );
    } finally {
      fs.rmSync(installed, { recursive: true, force: true });
    }
  });

  itWithBuiltCli('a file that throws while loading', async () => {
    expect(await refused(['--serve', 'throws.cjs'], 1)).toBe(
      'erlbridge node: --serve throws.cjs does not load: Error: no database configured',
    );
  });

  itWithBuiltCli('a log level or format erlbridge does not know is a usage error', async () => {
    expect(await refused(['--log-level', 'loud'], 2)).toBe(
      'erlbridge node: --log-level takes one of emergency, alert, critical, error, warning, notice, info, debug, none, all, not loud',
    );
    expect(await refused(['--log-format', 'xml'], 2)).toBe('erlbridge node: --log-format takes text or json, not xml');
  });

  itWithBuiltCli('a file that exports no function', async () => {
    expect(await refused(['--serve', 'nothing.mjs'], 1)).toMatch(/^erlbridge node: --serve nothing\.mjs exports no functions/);
  });

  itWithBuiltCli('a name served twice, or one the node serves itself, is a usage error', async () => {
    expect(await refused(['--serve', 'mymod.mjs', '--serve', 'mymod=counter.cjs'], 2)).toBe(
      'erlbridge node: --serve mymod=counter.cjs: a module mymod is served already',
    );
    expect(await refused(['--serve', 'kvs=counter.cjs'], 2)).toMatch(
      /^erlbridge node: --serve kvs=counter\.cjs: the node serves kvs itself/,
    );
  });
});
