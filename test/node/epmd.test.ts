/**
 * A node that finds no EPMD starts its own (in this process under ts-jest, where there is no
 * compiled daemon script); erl nodes started afterwards register with it and reach us through it.
 * A random free port stands in for 4369 so that nothing outlives the test.
 */
import { ErlNode } from '../../src/node/node';
import { startOtpNode } from '../support/otp-node';
import { freePort, listening } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';

describeOtp('own EPMD', (otp) => {
  it('starts its own EPMD when none listens; an erl started afterwards finds it and pings it', async () => {
    const cookie = uniqueName('cookie');
    const port = await freePort();
    expect(await listening(port)).toBe(false);
    const ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: port, log: () => undefined });
    let second: ErlNode | undefined;
    const erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: port }).catch(async (e) => {
      await ts.stop();
      throw e;
    });
    try {
      expect(ts.epmd.origin).toBe('in-process');
      expect(ts.epmd.port).toBe(port);
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
    } finally {
      await second?.stop();
      await erl.stop();
      await ts.stop();
    }
    // The EPMD stopped with the node that started it.
    expect(await listening(port)).toBe(false);
  });
});
