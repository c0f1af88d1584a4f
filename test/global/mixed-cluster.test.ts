/**
 * One cluster of every OTP we test (25, 27, 29) plus the TypeScript node: global:sync() returns on
 * every node, nodes() on every node lists all the others, a name from each node is seen on all,
 * and prevent-overlapping-partitions works across versions both ways: when the TypeScript node
 * drops a member, the others drop it too; when a member drops the TypeScript node, so do the rest.
 */
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { otpVariants, uniqueName } from '../support/otp';
import type { OtpNode } from '../support/otp-node';
import { startOtpNodeWith, waitFor } from '../support/otp-node-extra';
import { within } from './support';

const variants = otpVariants();
const mixed = variants.length >= 3 || process.env.CI === 'true' ? describe : describe.skip;
if (variants.length < 3 && process.env.CI !== 'true')
  process.stderr.write('!!! erlbridge: mixed OTP cluster test SKIPPED (needs the OTP 27 and 29 chroots)\n');

mixed('a mixed cluster: OTP 25 + 27 + 29 + TypeScript', () => {
  let epmd: EpmdServer;
  let erls: OtpNode[] = [];
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    if (variants.length < 3)
      throw new Error('the mixed cluster needs OTP 25, 27 and 29 (CI=true): build the chroots with .ci/otp-chroots.sh');
    epmd = await EpmdServer.start({ port: 0 });
    erls = await Promise.all(
      variants.map((otp) =>
        startOtpNodeWith(otp, {
          sname: uniqueName(`mx${otp.release}`),
          cookie,
          epmdPort: epmd.port,
          extraArgs: ['-kernel', 'net_ticktime', '4'],
        }),
      ),
    );
    ts = await ErlNode.start({
      name: uniqueName('mxts'),
      cookie,
      epmdPort: epmd.port,
      tickTime: 4000,
      log: () => undefined,
    });
  }, 60000);

  afterAll(async () => {
    await ts?.stop();
    await Promise.all(erls.map((e) => e.stop()));
    await epmd?.close();
  });

  const all = () => [ts.name, ...erls.map((e) => e.name)];

  /** Everyone connects to the first erl node again; then every node syncs and sees all the others. */
  const heal = async () => {
    for (const e of erls.slice(1)) expect(await e.eval(`net_kernel:connect_node('${erls[0].name}')`)).toBe('true');
    await ts.connect(erls[0].name);
    for (const e of erls) expect(await within(e, 'global:sync()', 15000)).toBe('ok');
    await waitFor(
      'a full mesh again',
      async () => {
        for (const e of erls) {
          const seen = await e.eval('nodes()');
          if (!all().every((n) => n === e.name || seen.includes(n))) return false;
        }
        return erls.every((e) => ts.nodes().includes(e.name));
      },
      20000,
    );
  };

  it('the TypeScript node joins through one erl node and ends up connected to every node; sync returns everywhere', async () => {
    for (const e of erls.slice(1)) expect(await e.eval(`net_kernel:connect_node('${erls[0].name}')`)).toBe('true');
    for (const e of erls) expect(await within(e, 'global:sync()')).toBe('ok');
    await ts.connect(erls[0].name);
    await Promise.race([ts.global.sync(), new Promise((_, r) => setTimeout(() => r(new Error('TS sync timed out')), 15000).unref())]);
    await waitFor('TS connected to all', () => erls.every((e) => ts.nodes().includes(e.name)), 15000);
    for (const e of erls) {
      expect(await within(e, 'global:sync()')).toBe('ok');
      const others = all().filter((n) => n !== e.name);
      await waitFor(`${e.name} sees all`, async () => {
        const seen = await e.eval('nodes()');
        return others.every((n) => seen.includes(n));
      });
    }
    expect(ts.global.knownNodes().sort()).toEqual(erls.map((e) => e.name).sort());
  }, 60000);

  it('a name registered on each node is seen on every node', async () => {
    for (const [i, e] of erls.entries())
      expect(await e.eval(`global:register_name(mx_${i}, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    expect(await ts.global.registerName('mx_ts', ts.spawn())).toBe('yes');
    for (const e of erls) {
      for (const [i, owner] of erls.entries()) expect(await e.eval(`node(global:whereis_name(mx_${i}))`)).toBe(owner.name);
      expect(await e.eval(`node(global:whereis_name(mx_ts))`)).toBe(ts.name);
    }
    for (const [i, owner] of erls.entries()) expect(ts.global.whereisName(`mx_${i}`)?.node.name).toBe(owner.name);
    // global:send from erl reaches a TS process under its global name.
    const inbox = ts.spawn();
    expect(await ts.global.reRegisterName('mx_ts', inbox)).toBe('yes');
    await erls[2].eval(`global:send(mx_ts, hello_from_29)`);
    expect(await inbox.receive(undefined, { timeout: 5000 })).toEqual(expect.objectContaining({ name: 'hello_from_29' }));
  }, 60000);

  it('prevent overlapping partitions: the TypeScript node drops a member, and the others drop it too', async () => {
    const victim = erls[1];
    expect(ts.disconnect(victim.name)).toBe(true);
    for (const e of [erls[0], erls[2]]) {
      await waitFor(
        `${e.name} drops ${victim.name}`,
        async () => (await e.eval(`lists:member('${victim.name}', nodes())`)) === 'false',
        15000,
      );
    }
    expect(await within(erls[0], 'global:sync()')).toBe('ok');
    expect(await erls[0].eval(`global:whereis_name(mx_1)`)).toBe('undefined');
    // As in an all-erl cluster, POP may take down both ends of the lost link; the cluster heals when they reconnect.
    await heal();
    await waitFor('TS sees mx_1 again', () => ts.global.whereisName('mx_1') !== undefined, 15000);
  }, 60000);

  it('prevent overlapping partitions: a member drops the TypeScript node, and the others tell it to go', async () => {
    const dropper = erls[2];
    expect(await dropper.eval(`erlang:disconnect_node('${ts.name}')`)).toBe('true');
    await waitFor('TS is dropped by every erl node', () => erls.every((e) => !ts.nodes().includes(e.name)), 15000);
    for (const e of erls) expect(await within(e, 'global:sync()')).toBe('ok');
    expect(await erls[0].eval(`global:whereis_name(mx_ts)`)).toBe('undefined');
    await heal();
    expect(await erls[0].eval(`node(global:whereis_name(mx_ts))`)).toBe(ts.name);
  }, 60000);
});
