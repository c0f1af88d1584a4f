/**
 * The one-shot commands (`ping`, `call`, `names`) connect as erl_call does: hidden, not
 * listening, registering nothing in EPMD and starting no EPMD. Without any EPMD they fail with
 * the reason and leave none behind; against a real erl, EPMD never lists the one-shot node while
 * it runs, and erl sees it in `nodes(hidden)`, not in `nodes()`.
 */
import * as os from 'os';
import { EpmdServer, listNames } from '../../handshake';
import { CliCapture } from '../support/cli';
import { daemonsOnPort, stopDaemon } from '../support/epmd-daemon';
import { freePort, listening, sleep, waitFor } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

const host = os.hostname().split('.')[0];

describe('one-shot commands where no EPMD runs', () => {
  let cli: CliCapture;
  let port: number;
  const cookie = uniqueName('cookie');

  beforeEach(async () => {
    cli = new CliCapture();
    port = await freePort();
    expect(await listening(port)).toBe(false);
  });

  afterEach(async () => {
    cli.restore();
    // Were one started (the bug these tests catch), stop it rather than leave it behind.
    for (const pid of daemonsOnPort(port)) await stopDaemon(pid);
  });

  it('ping says pang (exit 1) with the reason on stderr, and starts no EPMD', async () => {
    const run = await cli.run(['ping', `nobody@${host}`, '--cookie', cookie, '--epmd-port', String(port)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('pang\n');
    expect(run.stderr).toMatch(
      new RegExp(`^erlbridge ping: cannot reach nobody@\\S+: no EPMD at 127.0.0.1:${port} \\(connection refused\\)`),
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await listening(port)).toBe(false);
  });

  it('call fails with one line on stderr (exit 1), and starts no EPMD', async () => {
    const run = await cli.run(['call', `nobody@${host}`, 'erlang', 'node', '[]', '--cookie', cookie, '--epmd-port', String(port)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^erlbridge call: cannot reach nobody@\\S+: no EPMD at 127.0.0.1:${port} \\(connection refused\\)`),
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await listening(port)).toBe(false);
  });

  it('names fails with one line on stderr (exit 1), and starts no EPMD', async () => {
    const run = await cli.run(['names', '--epmd-port', String(port)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `erlbridge names: no EPMD at 127.0.0.1:${port} (connection refused): no erl node runs there, or its EPMD listens on another port (--epmd-port, ERL_EPMD_PORT)\n`,
    );
    expect(await listening(port)).toBe(false);
  });
});

describeOtp('one-shot commands against erl', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let cli: CliCapture;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  /** Reads EPMD's NAMES over and over until `stop` is called; resolves to every name seen. */
  function watchNames(): { stop: () => Promise<Set<string>> } {
    const seen = new Set<string>();
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const n of (await listNames({ port: epmd.port })).nodes) seen.add(n.name);
        await sleep(5);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return seen;
      },
    };
  }

  const oneShotArgs = (alive: string) => ['--sname', alive, '--cookie', cookie, '--epmd-port', String(epmd.port)];

  it('call: while it runs erl lists it in nodes(hidden) and not in nodes(), and EPMD never lists it', async () => {
    const gate = uniqueName('gate');
    // A process that answers one gen_server call only when the test says so.
    expect(
      await erl.eval(
        `begin P = spawn(fun() -> receive {'$gen_call', From, wait} -> receive release -> gen:reply(From, released) end end end), register(${gate}, P), ok end`,
      ),
    ).toBe('ok');
    const alive = uniqueName('oneshot');
    const full = `${alive}@${erl.name.split('@')[1]}`;
    const names = watchNames();
    const calling = cli.run(['call', erl.name, 'gen_server', 'call', `[${gate}, wait, 20000]`, ...oneShotArgs(alive)]);
    try {
      await waitFor('erl to see the one-shot node', async () => (await erl.eval(`lists:member('${full}', nodes(hidden))`)) === 'true');
      expect(await erl.eval(`lists:member('${full}', nodes())`)).toBe('false');
      // erl's view of its EPMD, and ours through `erlbridge names`, while the call waits.
      const erlNames = await erl.eval(`[list_to_atom(N) || {N, _} <- element(2, net_adm:names())]`);
      expect(erlNames).toContain(erl.name.split('@')[0]);
      expect(erlNames).not.toContain(alive);
      const listed = await cli.run(['names', '--epmd-port', String(epmd.port)]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(`name ${erl.name.split('@')[0]} at port`);
      expect(listed.stdout).not.toContain(alive);
    } finally {
      await erl.eval(`${gate} ! release`);
    }
    const called = await calling;
    expect(called.code).toBe(0);
    expect(called.stdout.endsWith('released\n')).toBe(true);
    const seen = await names.stop();
    expect(seen).toContain(erl.name.split('@')[0]);
    expect(seen).not.toContain(alive);
    // Gone from erl once the command ended.
    await waitFor('erl to drop the one-shot node', async () => (await erl.eval(`lists:member('${full}', nodes(connected))`)) === 'false');
  });

  it('ping: pong (exit 0), while EPMD never lists the pinging node', async () => {
    const alive = uniqueName('pinger');
    const names = watchNames();
    const run = await cli.run(['ping', erl.name, ...oneShotArgs(alive)]);
    const seen = await names.stop();
    expect(run).toEqual({ code: 0, stdout: 'pong\n', stderr: '' });
    expect(seen).toContain(erl.name.split('@')[0]);
    expect(seen).not.toContain(alive);
  });

  it('ping with the wrong cookie: pang (exit 1) and why', async () => {
    const run = await cli.run(['ping', erl.name, '--sname', uniqueName('intruder'), '--cookie', 'wrong', '--epmd-port', String(epmd.port)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('pang\n');
    expect(run.stderr).toMatch(new RegExp(`^erlbridge ping: cannot reach ${erl.name}: `));
  });
});

describeOtp('one-shot commands against a long-named erl (-name N@127.0.0.1)', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let cli: CliCapture;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: '', longName: `${uniqueName('lng')}@127.0.0.1`, cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  const common = () => ['--cookie', cookie, '--epmd-port', String(epmd.port)];

  it('call without a name of its own takes a long one, as the target has', async () => {
    const run = await cli.run(['call', erl.name.replace(/'/g, ''), 'erlang', 'nodes', '[hidden]', ...common()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // erl lists the caller by the name it took: long, at the address it reached erl from.
    expect(run.stdout).toMatch(/^\['?erlbridge_call_\d+@[^\s']*\.[^\s']*'?\]\n$/);
  });

  it('ping takes NODE as the erl shell prints it, quotes and all', async () => {
    const run = await cli.run(['ping', `'${erl.name}'`, ...common()]);
    expect(run).toEqual({ code: 0, stdout: 'pong\n', stderr: '' });
  });

  it('ping with --name N@127.0.0.1 says pong', async () => {
    const run = await cli.run(['ping', erl.name, '--name', `${uniqueName('p')}@127.0.0.1`, ...common()]);
    expect(run).toEqual({ code: 0, stdout: 'pong\n', stderr: '' });
  });

  it('--sname against a long name is a usage error that says why, as erl would', async () => {
    const run = await cli.run(['ping', erl.name, '--sname', uniqueName('p'), ...common()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a long name (-name), and --sname gives this node a short one');
    expect(run.stderr).toContain('System NOT running to use fully qualified hostnames');
  });
});
