/**
 * Phoenix.PubSub over pg between the TypeScript node and an Elixir node (the host's elixir, OTP
 * 25) running fixtures/phoenix_pubsub/pg2_adapter.exs: a stand-in that does what phoenix_pubsub's
 * PG2 adapter does, since phoenix_pubsub cannot be installed here. Topics, messages and groups go
 * over the wire exactly as the adapter sends them.
 */
import { atom, bin, Pid, Term, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { PhoenixPubSub } from '../../src/phoenix/pubsub';
import { ReceiveTimeoutError } from '../../src/process/mailbox';
import { uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';
import { describeElixir } from '../support/elixir';
import { ElixirPeer, isTagged } from './elixir-peer';

const ADAPTER = 'Elixir.MyApp.PubSub.Adapter';
const SCOPE = 'Elixir.Phoenix.PubSub';

/** `{got, Topic, Msg}` from the Elixir subscriber of `topic`. */
function got(topic: string) {
  return (m: Term) => {
    if (!isTagged(m, 'got')) return undefined;
    const t = m.get(1);
    return Buffer.isBuffer(t) && t.toString('utf8') === topic ? m.get(2) : undefined;
  };
}

function tagged(tag: string) {
  return (m: Term) => (isTagged(m, tag) ? m : undefined);
}

/** No report `match` accepts within `ms`. */
async function nothing(peer: ElixirPeer, match: (m: Term) => Term | undefined, ms = 300): Promise<void> {
  await expect(peer.report.receive(match, { timeout: ms })).rejects.toBeInstanceOf(ReceiveTimeoutError);
}

const remote = (ts: ErlNode, pids: Pid[]) => pids.filter((p) => p.node !== ts.nameAtom);

describeElixir('Phoenix.PubSub (PG2 adapter wire format) with an Elixir node', () => {
  let epmd: EpmdServer;
  let ts: ErlNode;
  const logs: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    ts = await ErlNode.start({ name: uniqueName('phxts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await ts?.stop();
    await epmd?.close();
  });

  describe('pool_size 1 on both sides', () => {
    let pubsub: PhoenixPubSub;
    let ex: ElixirPeer;

    beforeAll(async () => {
      pubsub = await PhoenixPubSub.start(ts, { name: 'MyApp.PubSub' });
      ex = await ElixirPeer.start(ts, epmd.port, cookie, 1);
      await waitFor('the Elixir worker in the TS scope', () => remote(ts, pubsub.members()).length === 1, 10000);
    }, 40000);
    afterAll(() => {
      ex?.kill();
      pubsub?.stop();
    });

    it("each side has the other's worker in the group, registered under the group name", async () => {
      expect(pubsub.adapterName).toBe(atom(ADAPTER));
      expect(pubsub.joinedGroups()).toEqual([atom(ADAPTER)]);
      expect(remote(ts, pubsub.members())[0].node.name).toBe(ex.node);
      await waitFor('TS worker in the Elixir scope', async () => (await ex.members(ADAPTER)).length === 2);
      const members = (await ex.members(ADAPTER)) as Pid[];
      expect(members.map((p) => p.node.name).sort()).toEqual([ex.node, ts.name].sort());
      expect(ts.whereis(ADAPTER)?.pid).toEqual(pubsub.workerPids()[0]);
    });

    it('a TS subscriber receives an Elixir broadcast to its topic, and nothing of other topics', async () => {
      const lobby = pubsub.subscribe('room:lobby');
      const other = pubsub.subscribe('room:other');
      try {
        ex.command(tuple(atom('broadcast'), bin('room:elsewhere'), atom('not_for_you')));
        ex.command(tuple(atom('broadcast'), bin('room:lobby'), tuple(atom('hello'), 1, bin('é'))));
        ex.command(tuple(atom('broadcast'), bin('room:other'), atom('other_one')));
        expect(await lobby.next({ timeout: 5000 })).toEqual(tuple(atom('hello'), 1, bin('é')));
        expect(await other.next({ timeout: 5000 })).toBe(atom('other_one'));
        await expect(lobby.next({ timeout: 300 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
        await expect(other.next({ timeout: 0 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
      } finally {
        lobby.stop();
        other.stop();
      }
    });

    it('Elixir subscribers receive a TS broadcast to their topic, and TS subscribers get it too', async () => {
      ex.command(tuple(atom('subscribe'), bin('room:ts')));
      await ex.expect('subscribed', tagged('subscribed'));
      const local = pubsub.subscribe('room:ts');
      try {
        pubsub.broadcast('room:nobody', atom('lost'));
        pubsub.broadcast('room:ts', tuple(atom('from_ts'), [1, 2, 3]));
        expect(await ex.expect('the broadcast', got('room:ts'))).toEqual(tuple(atom('from_ts'), [1, 2, 3]));
        expect(await local.next({ timeout: 1000 })).toEqual(tuple(atom('from_ts'), [1, 2, 3]));
        await nothing(ex, tagged('got'));
        // Once: the local worker is not sent the forward (only members on other nodes are).
        await expect(local.next({ timeout: 0 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
        // A local broadcast stays on this node.
        pubsub.localBroadcast('room:ts', atom('only_here'));
        expect(await local.next({ timeout: 1000 })).toBe(atom('only_here'));
        await nothing(ex, tagged('got'));
      } finally {
        local.stop();
      }
    });

    it('unsubscribe: no more messages, and a subscription of a given process', async () => {
      const proc = ts.spawn();
      const sub = pubsub.subscribe('room:proc', { process: proc });
      const own = pubsub.subscribe('room:proc');
      ex.command(tuple(atom('broadcast'), bin('room:proc'), 1));
      expect(await proc.receive(undefined, { timeout: 5000 })).toBe(1);
      expect(await own.next({ timeout: 5000 })).toBe(1);
      expect(pubsub.unsubscribe('room:proc')).toBe(2);
      expect(sub.active).toBe(false);
      expect(proc.alive).toBe(true);
      ex.command(tuple(atom('broadcast'), bin('room:proc'), 2));
      await ex.expect('broadcasted', tagged('broadcasted'));
      await expect(proc.receive(undefined, { timeout: 300 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
      proc.exit();
    });

    it('direct broadcasts both ways reach the named node only', async () => {
      ex.command(tuple(atom('subscribe'), bin('room:direct')));
      await ex.expect('subscribed', tagged('subscribed'));
      const local = pubsub.subscribe('room:direct');
      try {
        pubsub.directBroadcast(ex.node, 'room:direct', atom('to_elixir'));
        expect(await ex.expect('the direct broadcast', got('room:direct'))).toBe(atom('to_elixir'));
        await expect(local.next({ timeout: 300 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
        ex.command(tuple(atom('direct_broadcast'), ts.nameAtom, bin('room:direct'), atom('to_ts')));
        expect(await local.next({ timeout: 5000 })).toBe(atom('to_ts'));
        await nothing(ex, tagged('got'));
      } finally {
        local.stop();
      }
    });

    it('a malformed forward_to_local is logged and ignored; the worker keeps working', async () => {
      const sub = pubsub.subscribe('room:bad');
      try {
        const dest = tuple(atom(ADAPTER), ts.nameAtom);
        const bad: Term[] = [
          tuple(atom('forward_to_local'), atom('room:bad'), 1, atom(SCOPE)),
          tuple(atom('forward_to_local'), bin('room:bad'), 2, bin('not an atom')),
          tuple(atom('forward_to_local'), bin('room:bad'), 3),
          atom('garbage'),
        ];
        for (const m of bad) {
          ex.command(tuple(atom('raw'), dest, m));
          await ex.expect('sent', tagged('sent'));
        }
        ex.command(tuple(atom('raw'), dest, tuple(atom('forward_to_local'), bin('room:bad'), atom('good'), atom(SCOPE))));
        expect(await sub.next({ timeout: 5000 })).toBe(atom('good'));
        await waitFor('the log lines', () => logs.filter((l) => l.includes('phoenix pubsub')).length >= 4);
        const lines = logs.filter((l) => l.includes('phoenix pubsub'));
        expect(lines.some((l) => l.includes('topic is not a binary'))).toBe(true);
        expect(lines.some((l) => l.includes('dispatcher is not an atom'))).toBe(true);
        expect(lines.some((l) => l.includes('not a forward_to_local') && l.includes('garbage'))).toBe(true);
        expect(pubsub.joinedGroups()).toEqual([atom(ADAPTER)]);
      } finally {
        sub.stop();
      }
    });

    it('the Elixir node going down removes its members; TS keeps working', async () => {
      await ex.halt();
      await waitFor('the Elixir worker gone', () => remote(ts, pubsub.members()).length === 0, 10000);
      expect(pubsub.members()).toEqual(pubsub.workerPids());
      const sub = pubsub.subscribe('room:after');
      pubsub.broadcast('room:after', atom('still_here'));
      expect(await sub.next({ timeout: 1000 })).toBe(atom('still_here'));
      sub.stop();
    }, 20000);
  });

  describe('pool_size 3 on the Elixir side', () => {
    let pubsub: PhoenixPubSub;
    let ex: ElixirPeer;
    const groups = [ADAPTER, `${ADAPTER}_2`, `${ADAPTER}_3`];

    beforeAll(async () => {
      pubsub = await PhoenixPubSub.start(ts, { name: 'MyApp.PubSub', poolSize: 1 });
      ex = await ElixirPeer.start(ts, epmd.port, cookie, 3);
    }, 40000);
    afterAll(() => {
      ex?.kill();
      pubsub?.stop();
    });

    it('TS (pool_size 1) joins every group of the Elixir pool and gets broadcasts hashed to each', async () => {
      await waitFor('TS joined all three groups', () => pubsub.joinedGroups().length === 3, 10000);
      expect(
        pubsub
          .joinedGroups()
          .map((g) => g.name)
          .sort(),
      ).toEqual(groups);
      for (const g of groups) expect(ts.whereis(g)).toBeDefined();
      for (const g of groups) {
        await waitFor(`TS worker in ${g} on Elixir`, async () => (await ex.members(g)).length === 2);
      }
      const sub = pubsub.subscribe('room:pool');
      try {
        ex.command(tuple(atom('broadcast_each_group'), bin('room:pool')));
        await ex.expect('broadcasted', tagged('broadcasted'), 10000);
        const received = [await sub.next({ timeout: 5000 }), await sub.next({ timeout: 5000 }), await sub.next({ timeout: 5000 })];
        expect(received).toEqual([0, 1, 2].map((i) => tuple(atom('from_group'), i)));
      } finally {
        sub.stop();
      }
    });

    it('TS with pool_size 3 broadcasts through each group, and the Elixir subscriber gets each once', async () => {
      pubsub.stop();
      await waitFor('the old workers gone on Elixir', async () => (await ex.members(`${ADAPTER}_3`)).length === 1);
      pubsub = await PhoenixPubSub.start(ts, { name: 'MyApp.PubSub', poolSize: 3 });
      expect(pubsub.poolGroups.map((g) => g.name)).toEqual(groups);
      for (const g of groups) {
        await waitFor(`TS worker in ${g} on Elixir`, async () => (await ex.members(g)).length === 2);
      }
      ex.command(tuple(atom('subscribe'), bin('room:pool3')));
      await ex.expect('subscribed', tagged('subscribed'));
      for (let i = 0; i < 3; i++) pubsub.broadcast('room:pool3', tuple(atom('n'), i));
      const received = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const m = await ex.expect('a broadcast', got('room:pool3'));
        expect(isTagged(m, 'n')).toBe(true);
        received.add((m as Tuple).get(1) as number);
      }
      expect([...received].sort()).toEqual([0, 1, 2]);
      await nothing(ex, tagged('got'));
    });

    it('the Elixir node going down removes its members from every group', async () => {
      await ex.halt();
      for (const g of groups) {
        await waitFor(`Elixir members of ${g} gone`, () => remote(ts, pubsub.members(atom(g))).length === 0, 10000);
      }
      expect(ts.pg.getMembers(atom(ADAPTER), SCOPE)).toHaveLength(1);
    }, 20000);
  });
});
