/**
 * pg over hidden connections and across reconnects: erl's scopes discover visible nodes only, so
 * a hidden TypeScript node starts discovery itself, on every connection; and scopes started on
 * either side after the connection came up still find each other.
 */
import { EpmdServer } from '../../handshake';
import { atom } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { waitFor } from '../support/otp-node-extra';
import { within } from '../global/support';

describeOtp('pg on hidden connections', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  const cookie = uniqueName('cookie');
  const nodesOf = (group: string, scope = 'pg') =>
    within(erl, `length([P || P <- pg:get_members(${scope}, ${group}), node(P) =/= node()])`);

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('ph'), cookie, epmdPort: epmd.port });
    expect(await erl.eval(`element(1, pg:start(pg))`)).toBe('ok');
  }, 60000);

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  it('a hidden TypeScript node takes part, both ways, and again after a reconnect', async () => {
    const ts = await ErlNode.start({ name: uniqueName('phts'), cookie, epmdPort: epmd.port, hidden: true, log: () => undefined });
    try {
      const p = ts.spawn();
      ts.pg.join(atom('hidden_group'), p);
      await ts.connect(erl.name);
      expect(await erl.eval(`{nodes(), lists:member('${ts.name}', nodes(hidden))}`)).toBe('{[],true}');
      await waitFor('erl sees the hidden member', async () => (await nodesOf('hidden_group')) === '1');
      expect(await erl.eval(`pg:join(hidden_group, spawn(fun() -> receive stop -> ok end end))`)).toBe('ok');
      await waitFor('TS sees the erl member', () => ts.pg.getMembers(atom('hidden_group')).length === 2);

      expect(ts.disconnect(erl.name)).toBe(true);
      await waitFor('erl drops the member with the connection', async () => (await nodesOf('hidden_group')) === '0');
      await waitFor('TS drops the erl member', () => ts.pg.getMembers(atom('hidden_group')).length === 1);

      // Nobody tells a hidden node's scope about erl again: it discovers on the new connection itself.
      await ts.connect(erl.name);
      await waitFor('erl sees it again', async () => (await nodesOf('hidden_group')) === '1');
      await waitFor('TS sees erl again', () => ts.pg.getMembers(atom('hidden_group')).length === 2);
    } finally {
      await ts.stop();
    }
  }, 40000);

  it('scopes started after the connection find each other: erl first, then TypeScript', async () => {
    const ts = await ErlNode.start({ name: uniqueName('phlate'), cookie, epmdPort: epmd.port, log: () => undefined });
    try {
      await ts.connect(erl.name);
      // erl's new scope discovers the visible TS node at its init.
      expect(await erl.eval(`element(1, pg:start(late_erl))`)).toBe('ok');
      ts.pg.startScope('late_erl');
      ts.pg.join(atom('g'), ts.spawn(), 'late_erl');
      await waitFor('erl late scope sees TS', async () => (await nodesOf('g', 'late_erl')) === '1');
      // A TS scope started now discovers erl's, started long before.
      expect(
        await erl.eval(`begin element(1, pg:start(late_ts)), pg:join(late_ts, g, spawn(fun() -> receive stop -> ok end end)) end`),
      ).toBe('ok');
      ts.pg.startScope('late_ts');
      await waitFor('TS late scope sees erl', () => ts.pg.getMembers(atom('g'), 'late_ts').length === 1);
      expect(ts.pg.getMembers(atom('g'), 'late_ts')[0].node.name).toBe(erl.name);
    } finally {
      await ts.stop();
    }
  }, 40000);
});
