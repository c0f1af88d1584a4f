/**
 * Ticks and net_ticktime against real erl: we declare a frozen (SIGSTOPped) erl down by the tick
 * rules, and our own ticks keep an idle connection alive for an erl with a short net_ticktime.
 */
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { NodeEvents, sleep, startOtpNodeWith } from '../support/otp-node-extra';
import { describeOtp, uniqueName } from '../support/otp';

describeOtp('liveness', (otp) => {
  let epmd: EpmdServer;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
  });

  afterAll(async () => {
    await epmd?.close();
  });

  it('a SIGSTOPped erl is declared down by our ticks (tickTime 2000 ms, intensity 4), and not before', async () => {
    // erl ticks as often as we expect to hear from it (net_ticktime 2 s: a tick every 500 ms).
    const erl = await startOtpNodeWith(otp, {
      sname: uniqueName('frozen'),
      cookie,
      epmdPort: epmd.port,
      extraArgs: ['-kernel', 'net_ticktime', '2'],
    });
    const logs: string[] = [];
    const ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, tickTime: 2000, log: (l) => logs.push(l) });
    const events = new NodeEvents(ts);
    let frozen = false;
    try {
      expect(await ts.ping(erl.name)).toBe('pong');
      // Idle for longer than our tick time: erl's ticks alone keep the connection.
      await sleep(2600);
      expect(events.about(erl.name, 'nodedown')).toEqual([]);
      expect(ts.nodes()).toContain(erl.name);

      const down = events.next('nodedown', erl.name, 10000);
      const stoppedAt = Date.now();
      process.kill(erl.pid, 'SIGSTOP');
      frozen = true;
      const event = await down;
      const after = event.at - stoppedAt;
      expect(event.reason).toBe('net_tick_timeout');
      // Four silent intervals of 500 ms; erl's last tick came at most one interval before the stop.
      expect(after).toBeGreaterThanOrEqual(1000);
      expect(after).toBeLessThan(3500);
      expect(ts.nodes()).not.toContain(erl.name);
    } finally {
      events.dispose();
      if (frozen) process.kill(erl.pid, 'SIGCONT');
      await erl.stop();
      await ts.stop();
    }
  });

  it('erl with net_ticktime 4 keeps an idle connection to a ticking TS node for more than 3 ticktimes, and drops a silent one', async () => {
    const erl = await startOtpNodeWith(otp, {
      sname: uniqueName('ticky'),
      cookie,
      epmdPort: epmd.port,
      extraArgs: ['-kernel', 'net_ticktime', '4'],
    });
    // Hidden, so that global does not mesh the two: with ticktimes this far apart the silent
    // node's link to the ticking one would time out too, and prevent_overlapping_partitions
    // would then have erl drop one of them, as it would drop one of two such erl nodes.
    // Ticks every second (4000 / 4), whatever it reads.
    const ticking = await ErlNode.start({
      name: uniqueName('ticking'),
      cookie,
      epmdPort: epmd.port,
      tickTime: 4000,
      hidden: true,
      log: () => undefined,
    });
    // The control: ticks every 15 s (the default 60 s ticktime), so erl must give up on it.
    const silent = await ErlNode.start({ name: uniqueName('silent'), cookie, epmdPort: epmd.port, hidden: true, log: () => undefined });
    const tickingEvents = new NodeEvents(ticking);
    const silentEvents = new NodeEvents(silent);
    try {
      expect(await erl.eval(`erlang:monitor_node('${ticking.name}', true)`)).toBe('true');
      expect(await erl.eval(`erlang:monitor_node('${silent.name}', true)`)).toBe('true');
      expect(await erl.eval(`net_kernel:get_net_ticktime()`)).toBe('4');
      // One connection dialled by erl, one by us.
      expect(await erl.eval(`net_adm:ping('${ticking.name}')`)).toBe('pong');
      expect(await silent.ping(erl.name)).toBe('pong');
      const conn = await ticking.connect(erl.name);
      tickingEvents.clear();

      await sleep(13000);

      // The ticking node: still connected on the same connection, on both sides.
      expect(tickingEvents.about(erl.name, 'nodedown')).toEqual([]);
      expect(await ticking.connect(erl.name)).toBe(conn);
      expect(conn.isClosed).toBe(false);
      expect(await erl.eval(`lists:member('${ticking.name}', nodes(hidden))`)).toBe('true');
      expect(await erl.eval(`receive {nodedown, '${ticking.name}'} -> down after 0 -> up end`)).toBe('up');
      // The silent node: erl timed it out (and so closed the socket on it).
      expect(await erl.eval(`receive {nodedown, '${silent.name}'} -> down after 0 -> up end`)).toBe('down');
      expect(silentEvents.about(erl.name, 'nodedown').map((e) => e.reason)).toEqual(['peer_closed']);
      // The ticking connection still carries traffic.
      expect(await ticking.ping(erl.name)).toBe('pong');
      expect(tickingEvents.about(erl.name, 'nodeup')).toEqual([]);
    } finally {
      tickingEvents.dispose();
      silentEvents.dispose();
      await erl.stop();
      await ticking.stop();
      await silent.stop();
    }
  });
});
