/**
 * `erlbridge node`'s greeting prints the erl command line that reaches it, and that line works:
 * each test runs it, as printed, in a shell, and rpc:calls the node from it. The cookie from
 * `--cookie` (shell-quoted), from ERLANG_COOKIE (passed as the variable, never printed), from the
 * cookie file both read; `-name` for a long-named node; ERL_EPMD_PORT for an EPMD not on 4369.
 * It is a shell line, so it runs with the host's erl only. erl's own spellings of the node's
 * options are checked from erl too.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EpmdServer } from '../../handshake';
import { ERLBRIDGE_BIN, itWithBuiltCli, lineFrom, stopChild } from '../support/cli-process';
import { waitFor } from '../support/otp-node-extra';
import { describeHostOtp, describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

/** Run `erlbridge node ARGS` with `env` until its greeting; the greeting's lines and the child. */
async function startNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; name: string; greeting: string }> {
  const child = spawn(process.execPath, [ERLBRIDGE_BIN, 'node', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let greeting = '';
  child.stdout?.on('data', (d: Buffer) => (greeting += d.toString()));
  const first = await lineFrom(child, /is up/);
  await waitFor('the whole greeting', () => greeting.includes('once connected'));
  const name = /erlbridge node (\S+) is up/.exec(first)?.[1] as string;
  return { child, name, greeting };
}

/** The `$ erl ...` line of the greeting, and its comment. */
function erlLine(greeting: string): { command: string; note: string } {
  const match = /^ {2}\$ (.*?) {4}# (.*)$/m.exec(greeting);
  if (!match) throw new Error(`no erl command line in:\n${greeting}`);
  return { command: match[1], note: match[2] };
}

/** Run the printed command (with a name of its own) in a shell with `env`, rpc:call `node` from it: what the call returned. */
function runPrinted(command: string, node: string, env: NodeJS.ProcessEnv): Promise<string> {
  const own = command.replace(/\bbilbo\b/, uniqueName('bilbo'));
  const script = `${own} -noshell -eval 'io:format("~w~n", [rpc:call('"'"'${node}'"'"', kvs, store, [weather, fine], 10000)]), halt().'`;
  return new Promise((resolve, reject) =>
    execFile('sh', ['-c', script], { env, timeout: 30000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${script}: ${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

// The printed command runs as the user would run it: the host's erl, from PATH.
describeHostOtp('the erl command line in the greeting works', () => {
  let epmd: EpmdServer;
  let home: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-home-'));
  });

  afterEach(async () => {
    if (child) await stopChild(child);
    child = undefined;
  });

  afterAll(async () => {
    await epmd?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** Our environment without a cookie variable, HOME the test's own. */
  const baseEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.ERLANG_COOKIE;
    return env;
  };

  itWithBuiltCli('--cookie: -setcookie with the cookie, quoted for the shell; ERL_EPMD_PORT for our EPMD', async () => {
    const cookie = `${uniqueName('c')} $x'y`;
    const started = await startNode(['--sname', uniqueName('gr'), '--cookie', cookie, '--epmd-port', String(epmd.port)], baseEnv());
    child = started.child;
    const { command, note } = erlLine(started.greeting);
    expect(command).toMatch(new RegExp(`^ERL_EPMD_PORT=${epmd.port} erl -sname bilbo -setcookie '`));
    expect(note).toBe('the cookie given with --cookie');
    expect(await runPrinted(command, started.name, baseEnv())).toBe('true');
  });

  itWithBuiltCli('ERLANG_COOKIE: -setcookie "$ERLANG_COOKIE", the cookie itself never printed', async () => {
    const cookie = uniqueName('secret');
    const env = { ...baseEnv(), ERLANG_COOKIE: cookie };
    const started = await startNode(['--sname', uniqueName('gr'), '--epmd-port', String(epmd.port)], env);
    child = started.child;
    const { command, note } = erlLine(started.greeting);
    expect(command).toBe(`ERL_EPMD_PORT=${epmd.port} erl -sname bilbo -setcookie "$ERLANG_COOKIE"`);
    expect(note).toBe('the cookie in ERLANG_COOKIE, which erl itself does not read');
    expect(started.greeting).not.toContain(cookie);
    expect(await runPrinted(command, started.name, env)).toBe('true');
  });

  itWithBuiltCli('the cookie file: no -setcookie, and the note names the file both read', async () => {
    const file = path.join(home, '.erlang.cookie');
    fs.writeFileSync(file, uniqueName('filecookie'), { mode: 0o400 });
    const started = await startNode(['--sname', uniqueName('gr'), '--epmd-port', String(epmd.port)], baseEnv());
    child = started.child;
    const { command, note } = erlLine(started.greeting);
    expect(command).toBe(`ERL_EPMD_PORT=${epmd.port} erl -sname bilbo`);
    expect(note).toBe(`both read the cookie in ${file}`);
    expect(await runPrinted(command, started.name, baseEnv())).toBe('true');
  });

  itWithBuiltCli('a long name: -name bilbo@ the same host', async () => {
    const started = await startNode(
      ['--name', `${uniqueName('gr')}@127.0.0.1`, '--cookie', 'c', '--epmd-port', String(epmd.port)],
      baseEnv(),
    );
    child = started.child;
    const { command } = erlLine(started.greeting);
    expect(command).toBe(`ERL_EPMD_PORT=${epmd.port} erl -name bilbo@127.0.0.1 -setcookie c`);
    expect(await runPrinted(command, started.name, baseEnv())).toBe('true');
  });
});

describeOtp("erlbridge node in erl's own spellings", (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let child: ChildProcess | undefined;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    if (child) await stopChild(child);
    await erl?.stop();
    await epmd?.close();
  });

  itWithBuiltCli('-sname N -setcookie C -hidden -kernel net_ticktime S: erl reaches it by that name and cookie, hidden', async () => {
    const alive = uniqueName('sp');
    const started = await startNode(
      ['-sname', alive, '-setcookie', cookie, '-hidden', '-kernel', 'net_ticktime', '20', '--epmd-port', String(epmd.port)],
      process.env,
    );
    child = started.child;
    expect(started.name).toBe(`${alive}@${erl.name.split('@')[1]}`);
    expect(await erl.eval(`rpc:call('${started.name}', kvs, store, [weather, fine], 10000)`, 15000)).toBe('true');
    expect(await erl.eval(`{lists:member('${started.name}', nodes(hidden)), lists:member('${started.name}', nodes())}`)).toBe(
      '{true,false}',
    );
  });
});
