/**
 * Connection management against real erl: a node restarted under the same name reconnects (after
 * a crash we saw, and through the `alive` status when the old connection still looks up), and
 * simultaneous connects (TS↔TS and TS↔erl) end with exactly one connection each way.
 */
import { atom, tuple } from '../../codec';
import { connectToNode, EpmdServer, lookupNode, registerNode, resolveCookie } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { OtpNodeWatch, NodeEvents, sleep, waitFor } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';

describeOtp('reconnect', (otp) => {
  let epmd: EpmdServer;
  let ts: ErlNode;
  let events: NodeEvents;
  const cookie = uniqueName('cookie');
  const logs: string[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    events = new NodeEvents(ts);
  });

  afterAll(async () => {
    events?.dispose();
    await ts?.stop();
    await epmd?.close();
  });

  beforeEach(() => events.clear());

  it('erl killed with -9 and restarted under the same name pings us (pong), and we ping the new one', async () => {
    const sname = uniqueName('phoenix');
    const first = await startOtpNode(otp, { sname, cookie, epmdPort: epmd.port });
    let second: OtpNode | undefined;
    try {
      expect(await first.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      const oldCreation = await first.eval('erlang:system_info(creation)');
      const down = events.next('nodedown', first.name);
      process.kill(first.pid, 'SIGKILL');
      expect((await down).reason).toBe('peer_closed');
      await first.stop();
      // EPMD forgets the dead node when its registration socket closes.
      await waitFor('EPMD to drop the killed node', async () => (await lookupNode(sname, { port: epmd.port })) === null);

      second = await startOtpNode(otp, { sname, cookie, epmdPort: epmd.port });
      expect(second.name).toBe(first.name);
      expect(await second.eval('erlang:system_info(creation)')).not.toBe(oldCreation);
      expect(await second.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      expect(await ts.ping(second.name)).toBe('pong');
      // Messages reach the new incarnation's processes (its pids carry the new creation).
      await second.eval(
        `begin register(sink, spawn(fun() -> receive {hello, _} = M -> receive {get, From} -> From ! {got, M} end end end)), ok end`,
      );
      ts.send(['sink', second.name], tuple(atom('hello'), ts.nameAtom));
      expect(await second.eval(`begin sink ! {get, self()}, receive {got, M} -> M after 5000 -> timeout end end`)).toBe(
        `{hello,${ts.name}}`,
      );
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('a restarted erl that finds us still connected to its old incarnation gets `alive`, insists, and replaces it', async () => {
    // The old incarnation must keep its connection to us (frozen, not dead) and yet give up its
    // name in EPMD: it registers with a second EPMD where we also announce our port.
    const other = await EpmdServer.start({ port: 0 });
    const tsAlive = ts.name.split('@')[0];
    const address = await lookupNode(tsAlive, { port: epmd.port });
    const alsoThere = await registerNode(tsAlive, address!.port, { port: other.port });
    const sname = uniqueName('twin');
    const old = await startOtpNode(otp, { sname, cookie, epmdPort: other.port });
    let frozen = false;
    let fresh: OtpNode | undefined;
    try {
      expect(await old.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      process.kill(old.pid, 'SIGSTOP');
      frozen = true;
      const oldConn = await ts.connect(old.name);
      events.clear();

      fresh = await startOtpNode(otp, { sname, cookie, epmdPort: epmd.port });
      expect(fresh.name).toBe(old.name);
      expect(await fresh.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      // We answered alive, closed the old connection once the new node proved its cookie, and
      // took the new one.
      expect(events.about(fresh.name).map((e) => e.kind)).toEqual(['nodedown', 'nodeup']);
      expect(events.about(fresh.name, 'nodedown')[0].reason).toBe('closed');
      expect(oldConn.isClosed).toBe(true);
      expect(await ts.ping(fresh.name)).toBe('pong');
      expect(await fresh.eval(`lists:member('${ts.name}', nodes())`)).toBe('true');
    } finally {
      if (frozen) process.kill(old.pid, 'SIGCONT');
      await old.stop();
      await fresh?.stop();
      await alsoThere.unregister();
      await other.close();
    }
  });

  it('a restarted TS node that erl still thinks connected gets `alive` from erl, insists, and gets pong', async () => {
    const erl = await startOtpNode(otp, { sname: uniqueName('holder'), cookie, epmdPort: epmd.port });
    const short = uniqueName('reborn');
    const host = ts.name.split('@')[1];
    try {
      // The "old incarnation": a bare handshake under the name, which then says nothing.
      const ghost = await connectToNode(erl.name, {
        ourName: `${short}@${host}`,
        cookie: resolveCookie({ cookie }),
        creation: 7,
        epmdPort: epmd.port,
      });
      const ghostClosed = new Promise<void>((resolve) => ghost.socket.on('close', () => resolve()));
      ghost.socket.resume();
      await waitFor('erl to list the ghost', async () => (await erl.eval(`lists:member('${short}@${host}', nodes(hidden))`)) === 'true');

      const reborn = await ErlNode.start({ name: short, cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
      try {
        expect(reborn.name).toBe(`${short}@${host}`);
        expect(await reborn.ping(erl.name)).toBe('pong');
        await ghostClosed;
        expect(await erl.eval(`net_adm:ping('${reborn.name}')`)).toBe('pong');
      } finally {
        await reborn.stop();
      }
    } finally {
      await erl.stop();
    }
  });

  it('two TS nodes dialling each other at once end with exactly one connection each way (many rounds)', async () => {
    const a = await ErlNode.start({ name: uniqueName('simA'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    const b = await ErlNode.start({ name: uniqueName('simB'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    const aEvents = new NodeEvents(a);
    const bEvents = new NodeEvents(b);
    try {
      for (let round = 0; round < 40; round++) {
        aEvents.clear();
        bEvents.clear();
        // Vary who starts first and by how much, so that the handshakes cross at different steps.
        const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
        const lag = round % 5;
        const pings = Promise.all([
          first.ping(second.name),
          (async () => {
            if (lag > 0) await sleep(lag - 1);
            return second.ping(first.name);
          })(),
        ]);
        expect(await pings).toEqual(['pong', 'pong']);
        await sleep(30);
        const seen = {
          round,
          a: aEvents.about(b.name).map((e) => e.kind),
          b: bEvents.about(a.name).map((e) => e.kind),
        };
        expect(seen).toEqual({ round, a: ['nodeup'], b: ['nodeup'] });
        expect(a.nodes()).toEqual([b.name]);
        expect(b.nodes()).toEqual([a.name]);

        const aDown = aEvents.next('nodedown', b.name);
        const bDown = bEvents.next('nodedown', a.name);
        (await a.connect(b.name)).close();
        await Promise.all([aDown, bDown]);
      }
    } finally {
      aEvents.dispose();
      bEvents.dispose();
      await a.stop();
      await b.stop();
    }
  });

  it.each([
    ['our name sorts after erl', 'zz'],
    ['our name sorts before erl', 'aa'],
  ])('TS and erl dialling each other at once end pong/pong with one connection (%s)', async (_label, prefix) => {
    const erl = await startOtpNode(otp, { sname: uniqueName('mm'), cookie, epmdPort: epmd.port });
    const node = await ErlNode.start({ name: uniqueName(prefix), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    const nodeEvents = new NodeEvents(node);
    try {
      const watch = await OtpNodeWatch.start(erl);
      for (let round = 0; round < 8; round++) {
        nodeEvents.clear();
        const lag = round % 4;
        const [theirs, ours] = await Promise.all([
          erl.eval(`net_adm:ping('${node.name}')`),
          (async () => {
            if (lag > 0) await sleep(lag - 1);
            return node.ping(erl.name);
          })(),
        ]);
        expect({ round, theirs, ours }).toEqual({ round, theirs: 'pong', ours: 'pong' });
        await sleep(50);
        expect({ round, ts: nodeEvents.about(erl.name).map((e) => e.kind) }).toEqual({ round, ts: ['nodeup'] });
        expect({ round, erl: await watch.take(node.name) }).toEqual({ round, erl: { up: 1, down: 0 } });
        expect(await erl.eval(`length([N || N <- nodes(), N =:= '${node.name}'])`)).toBe('1');

        const down = nodeEvents.next('nodedown', erl.name);
        expect(await erl.eval(`erlang:disconnect_node('${node.name}')`)).toBe('true');
        await down;
        expect(await watch.take(node.name)).toEqual({ up: 0, down: 1 });
      }
    } finally {
      nodeEvents.dispose();
      await node.stop();
      await erl.stop();
    }
  });
});
