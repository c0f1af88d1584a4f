/**
 * `erlbridge node --global NAME --pg GROUP`: from erl, `global:send(NAME, ...)` and a member of
 * `pg:get_members(GROUP)` both reach the TypeScript kvs. And global's options in erl's spellings:
 * with `-connect_all false` a second erl node is not meshed to it; a bad value is a usage error.
 */
import { EpmdServer } from '../../handshake';
import { CliCapture, withCliNode } from '../support/cli';
import { waitFor } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { within } from '../global/support';

describeOtp('erlbridge node in a cluster', (otp) => {
  let epmd: EpmdServer;
  let a: OtpNode;
  let b: OtpNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    [a, b] = await Promise.all([
      startOtpNode(otp, { sname: uniqueName('ca'), cookie, epmdPort: epmd.port }),
      startOtpNode(otp, { sname: uniqueName('cb'), cookie, epmdPort: epmd.port }),
    ]);
    expect(await a.eval(`element(1, pg:start(pg))`)).toBe('ok');
  }, 60000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await epmd?.close();
  });

  /** Run `erlbridge node` with `flags` until `body` is done; returns its exit code. */
  async function withNode(flags: string[], body: (name: string, cli: CliCapture) => Promise<void>): Promise<number> {
    const args = ['--sname', uniqueName('cn'), '--cookie', cookie, '--epmd-port', String(epmd.port), ...flags];
    return (await withCliNode(args, body)).code;
  }

  it('--global and --pg make the kvs process reachable by global:send and through pg', async () => {
    const code = await withNode(['--global', 'kvs_global', '--pg', 'kvs_group'], async (ts, cli) => {
      expect(cli.stdout).toContain('global:send(kvs_global, {self(), {lookup, weather}})');
      expect(cli.stdout).toContain('pg:get_members(kvs_group)');
      expect(await a.eval(`net_kernel:connect_node('${ts}')`)).toBe('true');
      expect(await within(a, 'global:sync()')).toBe('ok');
      expect(await a.eval(`node(global:whereis_name(kvs_global))`)).toBe(ts);
      expect(
        await within(
          a,
          `begin global:send(kvs_global, {self(), {store, weather, fine}}), receive {kvs, R} -> R after 5000 -> timeout end end`,
        ),
      ).toBe('true');
      await waitFor('a sees the pg member', async () => (await a.eval(`length(pg:get_members(kvs_group))`)) === '1');
      expect(
        await within(
          a,
          `begin [P] = pg:get_members(kvs_group), P ! {self(), {lookup, weather}}, receive {kvs, R} -> R after 5000 -> timeout end end`,
        ),
      ).toBe('{ok,fine}');
    });
    expect(code).toBe(0);
  }, 40000);

  it("-connect_all false: global does not mesh it with a's other nodes", async () => {
    const code = await withNode(['-connect_all', 'false', '-kernel', 'prevent_overlapping_partitions', 'false'], async (ts) => {
      expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
      expect(await within(b, 'global:sync()')).toBe('ok');
      expect(await a.eval(`net_kernel:connect_node('${ts}')`)).toBe('true');
      // A meshing member would have synced with a and been connected to b by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await a.eval(`lists:member('${ts}', gen_server:call(global_name_server, get_known))`)).toBe('false');
      expect(await b.eval(`lists:member('${ts}', nodes())`)).toBe('false');
    });
    expect(code).toBe(0);
  }, 40000);

  it('a global option with a value other than true or false is a usage error', async () => {
    const cli = new CliCapture();
    try {
      const run = await cli.run(['node', '--sname', uniqueName('bad'), '--connect-all', 'maybe']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('takes true or false');
      const kernel = await cli.run(['node', '--sname', uniqueName('bad'), '-kernel', 'sync_nodes_timeout', '4']);
      expect(kernel.code).toBe(2);
      expect(kernel.stderr).toContain('-kernel sync_nodes_timeout is not supported by erlbridge');
    } finally {
      cli.restore();
    }
  });
});
