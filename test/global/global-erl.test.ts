/**
 * A TypeScript node as a full member of global against real erl nodes: sync, names both ways,
 * locks, and the fully connected mesh.
 */
import { EpmdServer } from '../../handshake';
import { atom, tuple } from '../../codec';
import { GenCallError } from '../../src/gen/call';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { waitFor } from '../support/otp-node-extra';
import { within } from './support';

describeOtp('global', (otp) => {
  let epmd: EpmdServer;
  let a: OtpNode;
  let b: OtpNode;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');
  const logs: string[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    [a, b] = await Promise.all([
      startOtpNode(otp, { sname: uniqueName('ga'), cookie, epmdPort: epmd.port }),
      startOtpNode(otp, { sname: uniqueName('gb'), cookie, epmdPort: epmd.port }),
    ]);
    ts = await ErlNode.start({ name: uniqueName('gts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
  }, 60000);

  afterAll(async () => {
    await ts?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await epmd?.close();
  });

  it('global:sync() on erl returns once the TypeScript node joined, and each knows the other', async () => {
    expect(await a.eval(`net_kernel:connect_node('${ts.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    await waitFor('TS knows a', () => ts.global.knownNodes().includes(a.name));
    expect(await a.eval(`lists:member('${ts.name}', gen_server:call(global_name_server, get_known))`)).toBe('true');
  }, 30000);

  it('a name registered in erl is seen in TypeScript, and the reverse', async () => {
    expect(await a.eval(`global:register_name(erl_name, spawn(fun() -> receive stop -> ok end end))`)).toBe('yes');
    await waitFor('TS sees erl_name', () => ts.global.whereisName('erl_name') !== undefined);
    const p = ts.spawn();
    expect(await ts.global.registerName('ts_name', p)).toBe('yes');
    expect(await a.eval(`node(global:whereis_name(ts_name))`)).toBe(ts.name);
    expect(await ts.global.registerName('ts_name', ts.spawn())).toBe('no');
    p.exit();
    await waitFor('erl forgets ts_name', async () => (await a.eval(`global:whereis_name(ts_name)`)) === 'undefined');
  }, 30000);

  it('a third node joining through erl becomes connected to the TypeScript node (the mesh)', async () => {
    expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    expect(await within(b, 'global:sync()')).toBe('ok');
    await waitFor('TS connected to b', () => ts.nodes().includes(b.name));
    expect(await within(b, 'global:sync()')).toBe('ok');
    expect(await b.eval(`lists:sort(nodes())`)).toContain(ts.name);
    expect(await b.eval(`node(global:whereis_name(erl_name))`)).toBe(a.name);
    await waitFor('TS knows b', () => ts.global.knownNodes().includes(b.name));
    expect(await ts.global.sync()).toBeUndefined();
  }, 30000);

  it('locks from erl over the default nodes include the TypeScript node, and TS locks over erl', async () => {
    expect(await within(a, `global:trans({res1, self()}, fun() -> done end)`)).toBe('done');
    expect(await ts.global.trans(['res2', 'me'], () => 'ok')).toBe('ok');
    expect(await ts.global.setLock(['res3', 'ts'], [ts.name, a.name], 0)).toBe(true);
    expect(await within(a, `global:set_lock({res3, erl}, [node(), '${ts.name}'], 0)`)).toBe('false');
    expect(await ts.global.delLock(['res3', 'ts'], [ts.name, a.name])).toBe(true);
    expect(await within(a, `global:set_lock({res3, erl}, [node(), '${ts.name}'], 0)`)).toBe('true');
  }, 30000);

  it('{ global: name } is a destination: send, and gen_server call to an erl server; noproc for no name', async () => {
    const server = `begin P = spawn(fun L() -> receive {'$gen_call', {F, T}, {echo, X}} -> F ! {T, {echoed, X}}, L(); {hi, F} -> F ! hi_back, L() end end), yes = global:register_name(erl_echo, P), ok end`;
    expect(await a.eval(server)).toBe('ok');
    await waitFor('TS sees erl_echo', () => ts.global.whereisName('erl_echo') !== undefined);
    const client = new ErlClient(ts);
    expect(await client.call({ global: 'erl_echo' }, tuple(atom('echo'), 7))).toEqual(tuple(atom('echoed'), 7));
    const me = ts.spawn();
    me.send({ global: 'erl_echo' }, tuple(atom('hi'), me.pid));
    expect(await me.receive(undefined, { timeout: 5000 })).toBe(atom('hi_back'));
    const err = await client.call({ global: 'nobody_here' }, atom('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenCallError);
    expect((err as GenCallError).why).toBe(atom('noproc'));
    expect(() => me.send({ global: 'nobody_here' }, atom('x'))).toThrow(/badarg/);
  }, 30000);
});
