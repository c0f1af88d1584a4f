/**
 * Real erl nodes register with our embedded EPMD (ERL_EPMD_PORT points them at it), and our
 * client finds them there.
 */
import { EpmdServer, listNames, lookupNode } from '../../../handshake';
import { OtpNode, startOtpNode } from '../../support/otp-node';
import { describeOtp, uniqueName } from '../../support/otp';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeOtp('erl registers with the embedded EPMD', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode | undefined;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd.close();
  });

  it('lists, finds and then forgets an erl node', async () => {
    const sname = uniqueName('erl');
    erl = await startOtpNode(otp, { sname, cookie: uniqueName('c'), epmdPort: epmd.port });
    expect(erl.name).toBe(`${sname}@${erl.name.split('@')[1]}`);

    const names = await listNames({ port: epmd.port });
    expect(names.epmdPort).toBe(epmd.port);
    const listed = names.nodes.find((node) => node.name === sname);
    expect(listed).toBeDefined();

    const address = await lookupNode(sname, { port: epmd.port });
    expect(address).toMatchObject({ name: sname, port: listed?.port, nodeType: 77, protocol: 0, highestVersion: 6, lowestVersion: 5 });

    // erl's own view of the registration: net_adm:names/0 asks the same EPMD.
    expect(await erl.eval(`lists:member({"${sname}", ${listed?.port}}, element(2, net_adm:names()))`)).toBe('true');
    // The creation erl got from our ALIVE2_X_RESP is the one it uses.
    const registered = epmd.registeredNodes().find((node) => node.name === sname);
    expect(await erl.eval('erlang:system_info(creation)')).toBe(String(registered?.creation));

    await erl.stop();
    await waitFor(async () => !(await listNames({ port: epmd.port })).nodes.some((node) => node.name === sname));
    expect(await lookupNode(sname, { port: epmd.port })).toBeNull();
  });
});
