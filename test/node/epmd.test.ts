/**
 * A node that finds no EPMD starts its own, as a detached daemon exactly as the built package
 * does (from daemon.ts under ts-jest); erl nodes started afterwards register with it and reach us
 * through it. A random free port stands in for 4369, and the test stops the daemon by pid.
 */
import { ErlNode } from '../../src/node/node';
import { stopDaemon } from '../support/epmd-daemon';
import { startOtpNode } from '../support/otp-node';
import { freePort, listening } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';

describeOtp('own EPMD', (otp) => {
  it('starts its own EPMD when none listens; an erl started afterwards finds it and pings it', async () => {
    const cookie = uniqueName('cookie');
    const port = await freePort();
    expect(await listening(port)).toBe(false);
    const ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: port, log: () => undefined });
    const daemon = ts.epmd.origin === 'daemon' ? ts.epmd.pid : null;
    let second: ErlNode | undefined;
    const erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: port }).catch(async (e) => {
      await ts.stop();
      if (daemon !== null) await stopDaemon(daemon);
      throw e;
    });
    try {
      expect(ts.epmd).toEqual({ origin: 'daemon', port, pid: expect.any(Number) as unknown });
      // erl (told not to start an epmd) registered with ours and sees us there.
      const names = await erl.eval(`lists:sort([list_to_atom(N) || {N, _} <- element(2, net_adm:names())])`);
      expect(names).toContain(ts.name.split('@')[0]);
      expect(names).toContain(erl.name.split('@')[0]);
      expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      expect(await ts.ping(erl.name)).toBe('pong');

      // A second node on the same port uses the EPMD that is already there.
      second = await ErlNode.start({ name: uniqueName('ts2'), cookie, epmdPort: port, log: () => undefined });
      expect(second.epmd.origin).toBe('existing');
      expect(await erl.eval(`net_adm:ping('${second.name}')`)).toBe('pong');
      await second.stop();
      await ts.stop();
      // The daemon outlives the node that started it, like `epmd -daemon`: erl stays registered.
      const left = await erl.eval(`[list_to_atom(N) || {N, _} <- element(2, net_adm:names())]`);
      expect(left).toBe(`[${erl.name.split('@')[0]}]`);
    } finally {
      await second?.stop();
      await erl.stop();
      await ts.stop();
      if (daemon !== null) await stopDaemon(daemon);
    }
    expect(await listening(port)).toBe(false);
  });
});
