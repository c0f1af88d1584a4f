/**
 * pg with the TypeScript node as a member against real erl nodes: membership both ways through
 * joins, leaves and deaths, named scopes, pg:monitor both ways, a member node going down, and
 * erl's scopes still the same processes at the end (nothing we sent crashed one).
 */
import { EpmdServer } from '../../handshake';
import { atom, equals, Pid, tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { waitFor } from '../support/otp-node-extra';
import { within } from '../global/support';

/** True when the members of `group` in erl are on `nodes` (a node once per membership). */
async function membersOn(erl: OtpNode, group: string, nodes: string[], scope = 'pg'): Promise<boolean> {
  const expected = `[${nodes.map((n) => `'${n}'`).join(',')}]`;
  return (await within(erl, `lists:sort([node(P__) || P__ <- pg:get_members(${scope}, ${group})]) =:= lists:sort(${expected})`)) === 'true';
}

describeOtp('pg', (otp) => {
  let epmd: EpmdServer;
  let a: OtpNode;
  let b: OtpNode;
  let ts: ErlNode;
  let scopesAtStart: string;
  const cookie = uniqueName('cookie');
  const logs: string[] = [];
  const scopes = (erl: OtpNode) => erl.eval(`{whereis(pg), whereis(chat)}`);

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    [a, b] = await Promise.all([
      startOtpNode(otp, { sname: uniqueName('pa'), cookie, epmdPort: epmd.port }),
      startOtpNode(otp, { sname: uniqueName('pb'), cookie, epmdPort: epmd.port }),
    ]);
    // pg's default scope runs only when kernel's start_pg is set; a named one is started by hand.
    for (const erl of [a, b]) {
      expect(await erl.eval(`element(1, pg:start(pg))`)).toBe('ok');
      expect(await erl.eval(`element(1, pg:start(chat))`)).toBe('ok');
    }
    ts = await ErlNode.start({ name: uniqueName('pts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    ts.pg.startScope('chat');
    expect(await a.eval(`net_kernel:connect_node('${ts.name}')`)).toBe('true');
    expect(await b.eval(`net_kernel:connect_node('${a.name}')`)).toBe('true');
    await waitFor('TS connected to b', () => ts.nodes().includes(b.name), 15000);
    scopesAtStart = `${await scopes(a)} ${await scopes(b)}`;
  }, 60000);

  afterAll(async () => {
    await ts?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await epmd?.close();
  });

  it('a TypeScript process that joins is a member on every erl node; its leave and its death end that', async () => {
    const p = ts.spawn();
    ts.pg.join(atom('workers'), p);
    await waitFor('a sees the TS member', async () => membersOn(a, 'workers', [ts.name]));
    await waitFor('b sees the TS member', async () => membersOn(b, 'workers', [ts.name]));
    // Joined twice, it is there twice, and one leave takes one away.
    ts.pg.join(atom('workers'), p);
    await waitFor('a sees it twice', async () => membersOn(a, 'workers', [ts.name, ts.name]));
    expect(ts.pg.leave(atom('workers'), p)).toBe('ok');
    await waitFor('a sees it once', async () => membersOn(a, 'workers', [ts.name]));
    expect(await a.eval(`[node(P) || P <- pg:get_local_members(workers)]`)).toBe('[]');
    expect(await a.eval(`lists:member(workers, pg:which_groups())`)).toBe('true');
    p.exit();
    await waitFor('a forgets the dead member', async () => membersOn(a, 'workers', []));
    await waitFor('b forgets the dead member', async () => membersOn(b, 'workers', []));
    expect(ts.pg.getMembers(atom('workers'))).toEqual([]);
    expect(ts.pg.leave(atom('workers'), ts.spawn())).toBe('not_joined');
  }, 30000);

  it("erl's members are seen in TypeScript: joins, leaves, a death, with any term as a group", async () => {
    const group = tuple(atom('room'), 42);
    expect(
      await a.eval(
        `begin P = spawn(fun() -> receive leave -> pg:leave({room, 42}, self()), receive die -> ok end end end), register(pg_member, P), pg:join({room, 42}, [P, P]) end`,
      ),
    ).toBe('ok');
    await waitFor('TS sees both joins', () => ts.pg.getMembers(group).length === 2);
    expect(ts.pg.getMembers(group).every((pid) => pid.node.name === a.name)).toBe(true);
    expect(ts.pg.getLocalMembers(group)).toEqual([]);
    expect(ts.pg.whichGroups().some((g) => equals(g, group))).toBe(true);
    expect(await a.eval(`begin pg_member ! leave, ok end`)).toBe('ok');
    await waitFor('TS sees one leave', () => ts.pg.getMembers(group).length === 1);
    expect(await a.eval(`begin pg_member ! die, ok end`)).toBe('ok');
    await waitFor('TS sees the death', () => ts.pg.getMembers(group).length === 0);
  }, 30000);

  it('a named scope keeps its groups apart from pg, both ways', async () => {
    const p = ts.spawn();
    ts.pg.join(atom('lobby'), [p], 'chat');
    await waitFor('a sees it in chat', async () => membersOn(a, 'lobby', [ts.name], 'chat'));
    expect(await membersOn(a, 'lobby', [])).toBe(true);
    expect(await b.eval(`pg:join(chat, lobby, spawn(fun() -> receive stop -> ok end end))`)).toBe('ok');
    await waitFor('TS sees b in chat', () => ts.pg.getMembers(atom('lobby'), 'chat').some((pid) => pid.node.name === b.name));
    expect(ts.pg.getMembers(atom('lobby'))).toEqual([]);
    p.exit();
    await waitFor('b forgets it', async () => membersOn(b, 'lobby', [b.name], 'chat'));
  }, 30000);

  it('pg:monitor in erl sees TypeScript joins and leaves, and node.pg.monitor sees erl ones', async () => {
    const watch = ts.pg.monitor(atom('watched'));
    expect(watch.members).toEqual([]);
    // erl's subscriber collects what it is told into a registered process's state.
    expect(
      await a.eval(
        `begin Self = self(), P = spawn(fun() -> {Ref, []} = pg:monitor(watched), Self ! ready, L = fun L(Acc) -> receive {get, F} -> F ! {seen, lists:reverse(Acc)}, L(Acc); {Ref, Action, watched, Pids} -> L([{Action, [node(X) || X <- Pids]} | Acc]) end end, L([]) end), register(pg_watcher, P), receive ready -> ok after 5000 -> timeout end end`,
      ),
    ).toBe('ok');
    const p = ts.spawn();
    ts.pg.join(atom('watched'), p);
    const joined = await watch.next({ timeout: 5000 });
    expect(joined).toMatchObject({ action: 'join', pids: [p.pid] });
    expect(ts.pg.leave(atom('watched'), p)).toBe('ok');
    expect(await watch.next({ timeout: 5000 })).toMatchObject({ action: 'leave', pids: [p.pid] });
    const seen = `[{join,['${ts.name}']},{leave,['${ts.name}']}]`;
    const erlSaw = () => within(a, `begin pg_watcher ! {get, self()}, receive {seen, S} -> S =:= ${seen} after 2000 -> timeout end end`);
    await waitFor('erl saw join and leave', async () => (await erlSaw()) === 'true');
    expect(await b.eval(`pg:join(watched, spawn(fun() -> receive stop -> ok end end))`)).toBe('ok');
    const fromB = await watch.next({ timeout: 5000 });
    expect(fromB.action).toBe('join');
    expect(fromB.pids.map((pid: Pid) => pid.node.name)).toEqual([b.name]);
    watch.stop();
  }, 30000);

  it("an erl node going down takes its members with it, in TypeScript and in erl's view of TS", async () => {
    const c = await startOtpNode(otp, { sname: uniqueName('pc'), cookie, epmdPort: epmd.port });
    try {
      expect(await c.eval(`element(1, pg:start(pg))`)).toBe('ok');
      expect(await c.eval(`net_kernel:connect_node('${ts.name}')`)).toBe('true');
      expect(await c.eval(`pg:join(doomed, spawn(fun() -> receive stop -> ok end end))`)).toBe('ok');
      await waitFor('TS sees c member', () => ts.pg.getMembers(atom('doomed')).length === 1);
      await waitFor('a sees c member', async () => membersOn(a, 'doomed', [c.name]));
    } finally {
      await c.stop();
    }
    await waitFor('TS drops c member', () => ts.pg.getMembers(atom('doomed')).length === 0);
  }, 40000);

  it('never crashed an erl scope, and logged nothing it had to ignore', async () => {
    expect(`${await scopes(a)} ${await scopes(b)}`).toBe(scopesAtStart);
    expect(logs.filter((l) => l.includes('pg scope'))).toEqual([]);
  });
});
