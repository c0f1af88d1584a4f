/**
 * global's options on the TypeScript node, against real erl: `connectAll: false` (erl's
 * `-connect_all false`) leaves the node out of global and out of the mesh; with
 * `preventOverlappingPartitions: false` a lost link is not reported to the others; and bad global
 * messages from a peer are dropped without disturbing the node.
 */
import { atom, tuple } from '../../codec';
import { describeOtp, uniqueName } from '../support/otp';
import { sleep, waitFor } from '../support/otp-node-extra';
import { testCluster, within } from './support';

describeOtp('global options', (otp) => {
  const cluster = testCluster(otp);
  const erl = (prefix: string) => cluster.erl(uniqueName(prefix));

  it('connectAll: false: no sync, no mesh; erl registers names without it', async () => {
    const a = await erl('oa');
    const b = await erl('ob');
    const ts = await cluster.ts(uniqueName('ots'), { connectAll: false });
    expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    expect(await within(b, 'global:sync()')).toBe('ok');
    await ts.connect(a.name);
    await sleep(1500);
    expect(ts.global.knownNodes()).toEqual([]);
    expect(ts.nodes()).not.toContain(b.name);
    expect(await a.eval(`gen_server:call(global_name_server, get_known)`)).not.toContain(ts.name);
    expect(await within(a, `global:register_name(without_ts, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
  }, 30000);

  it('preventOverlappingPartitions: false: losing a link is not reported, so the others keep the node', async () => {
    const a = await erl('pa');
    const b = await erl('pb');
    const ts = await cluster.ts(uniqueName('pts'), { preventOverlappingPartitions: false });
    expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    await ts.connect(a.name);
    expect(await within(a, 'global:sync()')).toBe('ok');
    await waitFor('mesh', () => ts.nodes().includes(b.name));
    expect(await within(b, 'global:sync()')).toBe('ok');
    ts.disconnect(b.name);
    await sleep(1500);
    expect(await a.eval(`lists:member('${b.name}', nodes())`)).toBe('true');
  }, 30000);

  it('malformed global messages from a peer are dropped; the node keeps serving global', async () => {
    const a = await erl('ma');
    const logs: string[] = [];
    const ts = await cluster.ts(uniqueName('mts'), { log: (l) => logs.push(l) });
    await ts.connect(a.name);
    expect(await within(a, 'global:sync()')).toBe('ok');
    const gns = `{global_name_server, '${ts.name}'}`;
    const junk = [
      `{'$gen_cast', {init_connect, not_a_version, x, y}}`,
      `{'$gen_cast', {exchange, node(), not_a_list, [], 1}}`,
      `{'$gen_cast', {resolved, node(), [{insert, garbage}], [7], unused, [], 1}}`,
      `{'$gen_cast', {new_nodes, node(), [{insert, {n, not_a_pid, m}}], [], [{bad}], []}}`,
      `{'$gen_cast', {lock_set, not_a_pid, true, [], 1}}`,
      `{lost_connection, node(), 1, 2, 3}`,
      `{'$gen_call', {self(), tag}, {set_lock, not_a_lock_id}}`,
      `{init_connect_ack, node(), 1, 2}`,
      `hello`,
      ...Array.from({ length: 40 }, (_, i) => `{'$gen_cast', {unknown_${i}}}`),
    ];
    for (const m of junk) await a.eval(`${gns} ! ${m}`);
    await sleep(300);
    expect(await within(a, 'global:sync()')).toBe('ok');
    expect(await a.eval(`global:register_name(after_junk, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    await waitFor('TS sees after_junk', () => ts.global.whereisName('after_junk') !== undefined);
    // Rate-limited: far fewer warning lines than bad messages.
    const warnings = logs.filter((l) => l.includes('global'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThan(junk.length / 2);
    ts.send([atom('global_name_server'), ts.name], tuple(atom('still'), atom('alive')));
  }, 30000);

  it('a TypeScript node that stops tells nobody to drop anybody: the others stay connected', async () => {
    const a = await erl('sa');
    const b = await erl('sb');
    const ts = await cluster.ts(uniqueName('sts'));
    expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    await ts.connect(a.name);
    expect(await within(a, 'global:sync()')).toBe('ok');
    await waitFor('mesh', () => ts.nodes().includes(b.name));
    expect(await within(b, 'global:sync()')).toBe('ok');
    await ts.stop();
    await sleep(1500);
    expect(await a.eval(`lists:member('${b.name}', nodes())`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
  }, 30000);
});
