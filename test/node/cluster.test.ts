/**
 * A TypeScript node in a cluster with real erl nodes: ping both ways, wrong cookies, two TS nodes,
 * nodedown, and bad bytes after the handshake closing only that connection.
 */
import { connectToNode, EpmdServer, lookupNode, resolveCookie } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('cluster', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');
  const logs: string[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, tickTime: 4000, log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('erl pings the TS node: pong, and it shows as a visible node, as an erl node would', async () => {
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
    expect(await erl.eval(`{lists:member('${ts.name}', nodes()), lists:member('${ts.name}', nodes(hidden))}`)).toBe('{true,false}');
    expect(ts.visible).toBe(true);
    expect(ts.nodes()).toContain(erl.name);
    expect(ts.nodes('hidden')).not.toContain(erl.name);
    expect(ts.nodeInfo(erl.name)).toEqual({ visible: true, connectionId: expect.any(Number) as unknown });
  });

  it('a TS node started hidden shows in erl as a hidden node, both sides', async () => {
    const shy = await ErlNode.start({ name: uniqueName('shy'), cookie, epmdPort: epmd.port, hidden: true, log: () => undefined });
    try {
      expect(shy.visible).toBe(false);
      expect(await erl.eval(`net_adm:ping('${shy.name}')`)).toBe('pong');
      expect(await erl.eval(`{lists:member('${shy.name}', nodes()), lists:member('${shy.name}', nodes(hidden))}`)).toBe('{false,true}');
      expect(shy.nodes()).toEqual([]);
      expect(shy.nodes('hidden')).toEqual([erl.name]);
      expect(shy.nodes('connected')).toEqual([erl.name]);
      expect(shy.nodeInfo(erl.name)?.visible).toBe(false);
    } finally {
      await shy.stop();
    }
  });

  it('the TS node pings erl: pong', async () => {
    expect(await ts.ping(erl.name)).toBe('pong');
    expect(ts.nodes()).toContain(erl.name);
  });

  it('a TS node with the wrong cookie gets pang both ways, and the right one still serves', async () => {
    const intruder = await ErlNode.start({ name: uniqueName('bad'), cookie: 'wrong', epmdPort: epmd.port, log: () => undefined });
    try {
      expect(await intruder.ping(erl.name)).toBe('pang');
      expect(await erl.eval(`net_adm:ping('${intruder.name}')`)).toBe('pang');
      expect(await intruder.ping(ts.name)).toBe('pang');
    } finally {
      await intruder.stop();
    }
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
  });

  it('two TS nodes ping each other', async () => {
    const other = await ErlNode.start({ name: uniqueName('ts2'), cookie, epmdPort: epmd.port, log: () => undefined });
    try {
      expect(await other.ping(ts.name)).toBe('pong');
      expect(await ts.ping(other.name)).toBe('pong');
      expect(ts.nodes()).toContain(other.name);
    } finally {
      await other.stop();
    }
  });

  it('MONITOR_P of a name the TS node lacks gives noproc at once', async () => {
    const reason = await erl.eval(
      `begin R = erlang:monitor(process, {no_such_name, '${ts.name}'}), receive {'DOWN', R, process, _, Why} -> Why after 5000 -> timeout end end`,
    );
    expect(reason).toBe('noproc');
  });

  it('nodedown with a reason when the erl node goes away', async () => {
    const victim = await startOtpNode(otp, { sname: uniqueName('victim'), cookie, epmdPort: epmd.port });
    expect(await ts.ping(victim.name)).toBe('pong');
    const down = new Promise<string>((resolve) => ts.on('nodedown', (name: string, why: string) => name === victim.name && resolve(why)));
    process.kill(victim.pid, 'SIGKILL');
    expect(await down).toBe('peer_closed');
    await victim.stop();
  });

  it('garbage after the handshake closes only that connection', async () => {
    const peer = `${uniqueName('raw')}@${ts.name.split('@')[1]}`;
    const link = await connectToNode(ts.name, { ourName: peer, cookie: resolveCookie({ cookie }), creation: 5, epmdPort: epmd.port });
    const down = new Promise<void>((resolve) => ts.on('nodedown', (name: string) => name === peer && resolve()));
    const closed = new Promise<void>((resolve) => link.socket.on('close', () => resolve()));
    link.socket.resume();
    // A frame that is neither pass-through nor a distribution header.
    link.socket.write(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    await down;
    await closed;
    expect(logs.some((l) => l.includes(peer))).toBe(true);
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
  });

  it('unregisters from EPMD on stop', async () => {
    const short = uniqueName('gone');
    const node = await ErlNode.start({ name: short, cookie, epmdPort: epmd.port, log: () => undefined });
    expect(await lookupNode(short, { port: epmd.port })).not.toBeNull();
    await node.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(await lookupNode(short, { port: epmd.port })).toBeNull();
  });
});
