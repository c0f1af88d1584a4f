/**
 * `erlbridge node` listening as erl does: a fixed distribution port or the lowest free one of a
 * range (inet_dist_listen_min/max), one address only (inet_dist_use_interface), and
 * net_ticktime; each in our spelling and in erl's `-kernel` one, checked from a real erl.
 */
import * as net from 'net';
import { EpmdServer, lookupNode } from '../../handshake';
import { CliCapture, withCliNode } from '../support/cli';
import { freePort } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

/** `erlbridge node` on this test's EPMD and cookie, with `flags`, while `body` runs. */
function withNode(epmd: EpmdServer, cookie: string, flags: string[], body: (name: string, cli: CliCapture) => Promise<void>) {
  return withCliNode(['--sname', uniqueName('nl'), '--cookie', cookie, '--epmd-port', String(epmd.port), ...flags], body);
}

/** Hold `port` on `host` with a plain TCP listener. */
async function occupy(port: number, host = '0.0.0.0'): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

describeOtp('erlbridge node listening as erl does', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  it('--dist-port P listens on P, registers P in EPMD, and erl reaches it there', async () => {
    const port = await freePort();
    const { code } = await withNode(epmd, cookie, ['--dist-port', String(port)], async (name, cli) => {
      expect(cli.stdout).toContain(`distribution on port ${port}`);
      expect((await lookupNode(name.split('@')[0], { port: epmd.port }))?.port).toBe(port);
      expect(await erl.eval(`rpc:call('${name}', kvs, store, [weather, fine], 5000)`)).toBe('true');
    });
    expect(code).toBe(0);
  });

  it('-kernel inet_dist_listen_min/max takes the lowest free port of the range', async () => {
    const first = await freePort();
    const taken = await occupy(first);
    try {
      // The next port may be taken by something else too; the node then takes a later one.
      // Both pairs after one -kernel, as erl reads them.
      const args = ['-kernel', 'inet_dist_listen_min', String(first), 'inet_dist_listen_max', String(first + 20)];
      const { code } = await withNode(epmd, cookie, args, async (name) => {
        const port = (await lookupNode(name.split('@')[0], { port: epmd.port }))?.port as number;
        expect(port).toBeGreaterThan(first);
        expect(port).toBeLessThanOrEqual(first + 20);
        expect(await erl.eval(`net_adm:ping('${name}')`)).toBe('pong');
      });
      expect(code).toBe(0);
    } finally {
      taken.close();
    }
  });

  it('a range with every port taken is one clear error', async () => {
    const port = await freePort();
    const taken = await occupy(port);
    try {
      const { code, stderr } = await withNode(epmd, cookie, ['--dist-port-range', `${port}-${port}`], () => Promise.resolve());
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot listen for distribution: port ${port} is in use`);
    } finally {
      taken.close();
    }
  });

  it("-kernel inet_dist_use_interface '{127,0,0,1}' listens on that address alone", async () => {
    const { code } = await withNode(epmd, cookie, ['-kernel', 'inet_dist_use_interface', '{127,0,0,1}'], async (name, cli) => {
      const port = Number(/distribution on port (\d+)/.exec(cli.stdout)?.[1]);
      // Another address of this host (erl binds the same way): the port is free there.
      const elsewhere = await occupy(port, '127.0.0.2');
      elsewhere.close();
      expect(await erl.eval(`net_adm:ping('${name}')`)).toBe('pong');
    });
    expect(code).toBe(0);
  });

  it('--net-ticktime and -kernel net_ticktime set the tick: erl with the same ticktime agrees', async () => {
    const ticker = await startOtpNode(otp, { sname: uniqueName('tick'), cookie, epmdPort: epmd.port });
    try {
      const { code } = await withNode(epmd, cookie, ['-kernel', 'net_ticktime', '2'], async (name) => {
        expect(await ticker.eval(`net_kernel:set_net_ticktime(2, 0)`)).toMatch(/^(change_initiated|unchanged)$/);
        expect(await ticker.eval(`net_adm:ping('${name}')`)).toBe('pong');
        // Our ticks come every 2 s / 4: 5 s of silence otherwise would cut erl's 2 s ticktime.
        await new Promise((resolve) => setTimeout(resolve, 5000));
        expect(await ticker.eval(`lists:member('${name}', nodes())`)).toBe('true');
      });
      expect(code).toBe(0);
    } finally {
      await ticker.stop();
    }
  }, 30000);

  it.each([
    [['--net-ticktime', '0'], 'whole number of seconds'],
    [['--dist-port-range', '9-5'], 'MIN <= MAX'],
    [['--dist-port', '5', '--dist-port-range', '5-6'], 'not both'],
    [['-kernel', 'inet_dist_use_interface', 'localhost'], 'address tuple'],
    [['--dist-listen-address', 'nowhere'], 'IP address'],
  ])('%j is a usage error', async (flags, text) => {
    const cli = new CliCapture();
    try {
      const run = await cli.run(['node', '--sname', uniqueName('bad'), '--epmd-port', String(epmd.port), ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(text);
    } finally {
      cli.restore();
    }
  });
});
