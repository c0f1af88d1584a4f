/**
 * When `ping`, `call` or `names` reach nothing they say why, in one line on stderr: no EPMD at
 * the host, the name not registered there (and what is), the cookie refused by a real erl, an
 * unknown host, no answer in time. Each case is made for real: a free port, a real EPMD and erl,
 * a name under `.invalid` (which never resolves, RFC 2606), a listener that never answers.
 */
import * as net from 'net';
import * as os from 'os';
import { EpmdServer } from '../../handshake';
import { CliCapture, CliRun } from '../support/cli';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { waitFor } from '../support/otp-node-extra';

/** The run's stderr is exactly one line. */
function oneLine(run: CliRun): string {
  const lines = run.stderr.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  return lines[0];
}

describe('one-shot commands that reach no host', () => {
  let cli: CliCapture;
  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  it('an unknown host: ping says pang and names the host', async () => {
    const run = await cli.run(['ping', 'nobody@nosuchhost.invalid', '--name', 'p@127.0.0.1', '--cookie', 'c']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('pang\n');
    expect(oneLine(run)).toMatch(
      /^erlbridge ping: cannot reach nobody@nosuchhost\.invalid: unknown host nosuchhost\.invalid \(getaddrinfo E/,
    );
  });

  it('an unknown host: call and names fail with the same reason', async () => {
    const call = await cli.run(['call', 'nobody@nosuchhost.invalid', 'erlang', 'node', '[]', '--name', 'c@127.0.0.1', '--cookie', 'c']);
    expect(call.code).toBe(1);
    expect(call.stdout).toBe('');
    expect(oneLine(call)).toMatch(/^erlbridge call: cannot reach nobody@nosuchhost\.invalid: unknown host nosuchhost\.invalid \(/);
    const names = await cli.run(['names', '--host', 'nosuchhost.invalid']);
    expect(names.code).toBe(1);
    expect(oneLine(names)).toMatch(/^erlbridge names: unknown host nosuchhost\.invalid \(/);
  });

  it('an EPMD port where something accepts and never answers: call --timeout says it timed out, in time', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const run = await cli.run([
        'call',
        `nobody@${os.hostname().split('.')[0]}`,
        'erlang',
        'node',
        '[]',
        '--epmd-port',
        String(port),
        '--timeout',
        '500',
        '--cookie',
        'c',
      ]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(run.code).toBe(1);
      expect(oneLine(run)).toMatch(
        new RegExp(`^erlbridge call: cannot reach nobody@\\S+: timed out: EPMD at 127\\.0\\.0\\.1:${port} did not send`),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describeOtp('one-shot commands that reach EPMD or erl, and are turned away', (otp) => {
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

  const erlHost = () => erl.name.split('@')[1];
  const erlAlive = () => erl.name.split('@')[0];

  it('a name EPMD does not know: ping says so, and which names it has', async () => {
    const run = await cli.run(['ping', `nobody@${erlHost()}`, '--cookie', cookie, '--epmd-port', String(epmd.port)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('pang\n');
    expect(oneLine(run)).toBe(
      `erlbridge ping: cannot reach nobody@${erlHost()}: no node nobody is registered in EPMD on ${erlHost()} (EPMD there has: ${erlAlive()})`,
    );
  });

  it('a name EPMD does not know: call says so too', async () => {
    const run = await cli.run([
      'call',
      `nobody@${erlHost()}`,
      'erlang',
      'node',
      '[]',
      '--cookie',
      cookie,
      '--epmd-port',
      String(epmd.port),
    ]);
    expect(run.code).toBe(1);
    expect(oneLine(run)).toContain(`no node nobody is registered in EPMD on ${erlHost()} (EPMD there has: ${erlAlive()})`);
  });

  it('the wrong cookie: erl closes the connection after our challenge reply, and ping and call say the cookies differ', async () => {
    const wrong = ['--cookie', uniqueName('wrong'), '--epmd-port', String(epmd.port)];
    const ping = await cli.run(['ping', erl.name, ...wrong]);
    expect(ping.code).toBe(1);
    expect(ping.stdout).toBe('pang\n');
    expect(oneLine(ping)).toBe(
      `erlbridge ping: cannot reach ${erl.name}: ${erl.name} closed the connection after our challenge reply: our cookies differ; use the node's cookie (--cookie C, ERLANG_COOKIE, or the same ~/.erlang.cookie)`,
    );
    const call = await cli.run(['call', erl.name, 'erlang', 'node', '[]', ...wrong]);
    expect(call.code).toBe(1);
    expect(call.stdout).toBe('');
    expect(oneLine(call)).toContain('our cookies differ; use the node');
    // And erl saw a wrong cookie, not some other failure. erl's logger prints it after the close,
    // so it may reach us after the CLI has already returned.
    await waitFor("erl's 'Invalid challenge reply' report", () => erl.output().includes('Invalid challenge reply'), 10000);
    expect(erl.output()).toContain('Invalid challenge reply');
  });

  it("erl's -setcookie and -sname spell call's and ping's own options", async () => {
    const own = uniqueName('own');
    const run = await cli.run([
      'call',
      erl.name,
      'erlang',
      'nodes',
      '[hidden]',
      '-sname',
      own,
      '-setcookie',
      cookie,
      '--epmd-port',
      String(epmd.port),
      '--format',
      'w',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`[${own}@${erlHost()}]\n`);
    const ping = await cli.run(['ping', erl.name, '-setcookie', cookie, '--epmd-port', String(epmd.port)]);
    expect(ping).toEqual({ code: 0, stdout: 'pong\n', stderr: '' });
  });
});

describe('erl flags erlbridge lacks', () => {
  let cli: CliCapture;
  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  it.each([
    [['ping', 'a@b', '-pa', 'ebin']],
    [['call', 'a@b', 'm', 'f', '[]', '-eval', 'halt()']],
    [['node', '-detached']],
    [['node', '-s', 'mymod']],
  ])('%j is a usage error saying erlbridge does not support it', async (argv) => {
    const run = await cli.run(argv);
    expect(run.code).toBe(2);
    const flag = argv.find((a) => /^-[a-z]/.test(a)) as string;
    expect(oneLine(run)).toMatch(
      new RegExp(`^erlbridge ${argv[0]}: erl's ${flag} is not supported by erlbridge \\(of erl's flags it takes -sname, -name, -setcookie`),
    );
  });

  it('-kernel with a parameter erlbridge lacks is a usage error that names the ones it takes', async () => {
    const run = await cli.run(['node', '-kernel', 'dist_auto_connect', 'never']);
    expect(run.code).toBe(2);
    expect(oneLine(run)).toMatch(
      /^erlbridge node: -kernel dist_auto_connect is not supported by erlbridge \(it takes -kernel connect_all, .*net_ticktime, logger_level, inet_dist_listen_min, inet_dist_listen_max/,
    );
  });
});
