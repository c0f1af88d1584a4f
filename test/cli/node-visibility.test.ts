/**
 * `erlbridge node` is visible by default, as erl is: erl lists it in `nodes()`. `--hidden` (and
 * erl's `-hidden`) makes it hidden, listed in `nodes(hidden)` only, and wins over `--visible`.
 */
import { EpmdServer } from '../../handshake';
import { CliCapture } from '../support/cli';
import { waitFor } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('erlbridge node visibility', (otp) => {
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

  it.each([
    ['no flag', [], 'visible'],
    ['--visible', ['--visible'], 'visible'],
    ['--hidden', ['--hidden'], 'hidden'],
    ["erl's -hidden", ['-hidden'], 'hidden'],
    ['--visible --hidden (hidden wins)', ['--visible', '--hidden'], 'hidden'],
  ] as const)('with %s erl sees it as %s', async (_label, flags, kind) => {
    const cli = new CliCapture();
    let serving: Promise<unknown> | undefined;
    try {
      serving = cli.run(['node', '--sname', uniqueName('cli'), '--cookie', cookie, '--epmd-port', String(epmd.port), ...flags]);
      await waitFor('the node to be up', () => cli.stdout.includes(' is up'));
      const name = /erlbridge node (\S+) is up \((visible|hidden)\)/.exec(cli.stdout);
      expect(name?.[2]).toBe(kind);
      const ts = name?.[1] as string;
      // The hint names the erl call that lists it.
      expect(cli.stdout).toContain(kind === 'visible' ? '  nodes().' : '  nodes(hidden).');
      expect(await erl.eval(`net_adm:ping('${ts}')`)).toBe('pong');
      const listed = await erl.eval(`{lists:member('${ts}', nodes()), lists:member('${ts}', nodes(hidden))}`);
      expect(listed).toBe(kind === 'visible' ? '{true,false}' : '{false,true}');
      await waitFor('the nodeup line', () => cli.stderr.includes(`nodeup ${erl.name} (${kind})`));
    } finally {
      process.emit('SIGTERM');
      const ended = (await serving) as { code: number } | undefined;
      cli.restore();
      expect(ended?.code).toBe(0);
    }
  });
});
