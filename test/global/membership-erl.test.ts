/**
 * global membership under change, against real erl: a name clash when partitions merge (resolved
 * by erl calling global:resolve_it in TypeScript, and by the TypeScript node itself), a lock
 * holder that dies, a member killed with -9, a member stopped past net_ticktime, a restart under
 * the same name, and two TypeScript nodes syncing with each other (their lockers take the lead).
 */
import { describeOtp, uniqueName } from '../support/otp';
import { sleep, waitFor } from '../support/otp-node-extra';
import { testCluster, within } from './support';

/** A unique name that sorts where the test needs it among the others (`prefix` first). */
function named(prefix: string): string {
  return `${prefix}${uniqueName('')}`;
}

describeOtp('global membership', (otp) => {
  const { erl, ts } = testCluster(otp);

  it('a clash at merge resolved by erl over rpc into TypeScript: one name, the larger node’s holder killed', async () => {
    // a < m (TS) < z: a resolves the clash by calling global:resolve_it on the node of its partition's pid (TS).
    const a = await erl(named('ca'));
    const z = await erl(named('cz'));
    const m = await ts(named('cm'));
    expect(await a.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    const mine = m.spawn();
    expect(await m.global.registerName('clash1', mine)).toBe('yes');
    expect(
      await z.eval(`begin P = spawn(fun() -> receive _ -> ok end end), register(clash_holder, P), global:register_name(clash1, P) end`),
    ).toBe('yes');
    expect(await z.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    expect(await within(z, 'global:sync()')).toBe('ok');
    expect(await within(a, 'global:sync()')).toBe('ok');
    // random_exit_name keeps the pid on the smaller node (m) and kills the other.
    await waitFor('z sees the TS pid', async () => (await z.eval(`node(global:whereis_name(clash1))`)) === m.name);
    expect(await a.eval(`node(global:whereis_name(clash1))`)).toBe(m.name);
    expect(m.global.whereisName('clash1')?.node.name).toBe(m.name);
    expect(mine.alive).toBe(true);
    await waitFor('the holder on z is killed', async () => (await z.eval(`whereis(clash_holder)`)) === 'undefined');
  }, 40000);

  it('a clash the TypeScript node resolves itself (it is the smaller node)', async () => {
    const m = await ts(named('da'));
    const z = await erl(named('dz'));
    const mine = m.spawn();
    expect(await m.global.registerName('clash2', mine)).toBe('yes');
    expect(
      await z.eval(`begin P = spawn(fun() -> receive _ -> ok end end), register(clash_holder2, P), global:register_name(clash2, P) end`),
    ).toBe('yes');
    expect(await z.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await within(z, 'global:sync()')).toBe('ok');
    await waitFor('z sees the TS pid', async () => (await z.eval(`node(global:whereis_name(clash2))`)) === m.name);
    expect(m.global.whereisName('clash2')?.node.name).toBe(m.name);
    await waitFor('the holder on z is killed', async () => (await z.eval(`whereis(clash_holder2)`)) === 'undefined');
  }, 40000);

  it('a lock holder that dies releases its lock on the TypeScript node; a node killed with -9 loses its names', async () => {
    const a = await erl(named('ea'));
    const m = await ts(named('em'));
    expect(await a.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    const holder = `begin S = self(), P = spawn(fun() -> S ! {locked, global:set_lock({dying, me})}, receive stop -> ok end end), receive {locked, R} -> {R, P} after 5000 -> timeout end end`;
    expect(await a.eval(`begin {true, P} = ${holder}, put(holder, P), ok end`)).toBe('ok');
    expect(await m.global.setLock(['dying', 'other'], [m.name], 0)).toBe(false);
    expect(await a.eval(`begin exit(get(holder), kill), ok end`)).toBe('ok');
    await waitFor('the lock is released', async () => m.global.setLock(['dying', 'other'], [m.name], 0));
    await m.global.delLock(['dying', 'other'], [m.name]);

    expect(await a.eval(`global:register_name(victim_name, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    await waitFor('TS sees victim_name', () => m.global.whereisName('victim_name') !== undefined);
    process.kill(a.pid, 'SIGKILL');
    await waitFor('the name goes with its node', () => m.global.whereisName('victim_name') === undefined);
    expect(m.global.knownNodes()).not.toContain(a.name);
  }, 40000);

  it('a member stopped past net_ticktime: names gone, no hang anywhere, and back in sync after it resumes', async () => {
    // Every member on the same net_ticktime, as a cluster must be.
    const a = await erl(named('fa'), ['-kernel', 'net_ticktime', '4']);
    const s = await erl(named('fs'), ['-kernel', 'net_ticktime', '4']);
    const m = await ts(named('fm'), { tickTime: 4000 });
    expect(await a.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await s.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    expect(await within(s, 'global:sync()')).toBe('ok');
    await waitFor('mesh', () => m.nodes().includes(s.name));
    expect(await s.eval(`global:register_name(sleeper, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    await waitFor('TS sees sleeper', () => m.global.whereisName('sleeper') !== undefined);
    process.kill(s.pid, 'SIGSTOP');
    try {
      await waitFor('TS drops the stopped node', () => !m.nodes().includes(s.name), 20000);
      expect(m.global.whereisName('sleeper')).toBeUndefined();
      await waitFor('a forgets sleeper', async () => (await a.eval(`global:whereis_name(sleeper)`)) === 'undefined', 20000);
      expect(await within(a, 'global:sync()')).toBe('ok');
      // No hang on the TS side: names register with the rest of the cluster meanwhile.
      expect(await within2(m.global.registerName('while_stopped', m.spawn()))).toBe('yes');
      expect(await a.eval(`node(global:whereis_name(while_stopped))`)).toBe(m.name);
      expect(await within(a, `global:trans({after_stop, self()}, fun() -> fine end, [node(), '${m.name}'])`, 15000)).toBe('fine');
    } finally {
      process.kill(s.pid, 'SIGCONT');
    }
    expect(await within(s, 'global:sync()', 15000)).toBe('ok');
    expect(await s.eval(`net_adm:ping('${a.name}')`)).toBe('pong');
    expect(await within(s, 'global:sync()', 15000)).toBe('ok');
    await waitFor('TS sees sleeper again', () => m.global.whereisName('sleeper') !== undefined, 20000);
    expect(await within(a, 'global:sync()')).toBe('ok');
  }, 90000);

  it('a member restarted under the same name re-registers; nothing stale is left', async () => {
    const name = named('ga');
    let a = await erl(name);
    const m = await ts(named('gm'));
    expect(await a.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    expect(await a.eval(`global:register_name(phoenix, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    await waitFor('TS sees phoenix', () => m.global.whereisName('phoenix') !== undefined);
    const before = m.global.whereisName('phoenix');
    process.kill(a.pid, 'SIGKILL');
    await waitFor('gone', () => m.global.whereisName('phoenix') === undefined);
    a = await erl(name);
    expect(await a.eval(`net_kernel:connect_node('${m.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    expect(await a.eval(`global:register_name(phoenix, spawn(fun() -> receive _ -> ok end end))`)).toBe('yes');
    await waitFor('TS sees the new phoenix', () => m.global.whereisName('phoenix') !== undefined);
    expect(m.global.whereisName('phoenix')?.creation).not.toBe(before?.creation);
    expect(m.global.registeredNames().filter((n) => String((n as { name?: string }).name) === 'phoenix')).toHaveLength(1);
  }, 40000);

  it('two TypeScript nodes sync with each other and with erl (their own lockers take the lock)', async () => {
    const t1 = await ts(named('ht1'));
    const t2 = await ts(named('ht2'));
    await t2.connect(t1.name);
    await within2(t2.global.sync());
    await waitFor('t1 knows t2', () => t1.global.knownNodes().includes(t2.name) && t2.global.knownNodes().includes(t1.name));
    expect(await t1.global.registerName('between_ts', t1.spawn())).toBe('yes');
    await waitFor('t2 sees it', () => t2.global.whereisName('between_ts') !== undefined);
    const a = await erl(named('hz'));
    expect(await a.eval(`net_kernel:connect_node('${t1.name}')`)).toBe('true');
    expect(await within(a, 'global:sync()')).toBe('ok');
    await waitFor('a connected to t2 (mesh)', async () => (await a.eval(`lists:member('${t2.name}', nodes())`)) === 'true');
    expect(await a.eval(`node(global:whereis_name(between_ts))`)).toBe(t1.name);
    await sleep(100);
    expect(await within(a, 'global:sync()')).toBe('ok');
  }, 40000);
});

function within2<T>(p: Promise<T>, ms = 10000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms).unref())]);
}
