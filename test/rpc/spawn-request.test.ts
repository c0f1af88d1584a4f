/** TypeScript asking erl to spawn (the primitive under erpc calls into Erlang), and the io protocol. */
import { atom, equals, isRecord, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('spawn_request to erl', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  const printed: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: (t) => printed.push(t) });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('erpc:execute_call on erl: spawn_reply, then DOWN carrying {Ref, return, Value}; output comes through our group leader', async () => {
    const me = ts.spawn();
    const res = ts.makeRef();
    const req = ts.spawnRequest(
      me,
      erl.name,
      { module: 'erpc', function: 'execute_call', args: [res, atom('io'), atom('format'), [[104, 105, 126, 110], []]] },
      { monitor: true },
    );
    const reply = await me.receive<Tuple>(undefined, { timeout: 5000 });
    expect(isRecord(reply, 'spawn_reply', 4)).toBe(true);
    expect(reply.get(2)).toBe(atom('ok'));
    const down = await me.receive<Tuple>(undefined, { timeout: 5000 });
    expect(equals(down, tuple(atom('DOWN'), req, atom('process'), reply.get(3), tuple(res, atom('return'), atom('ok'))))).toBe(true);
    expect(printed.join('')).toBe('hi\n');
    me.exit();
  });

  it('an unreachable node answers spawn_reply error noconnection', async () => {
    const me = ts.spawn();
    const req = ts.spawnRequest(me, `nobody@${ts.name.split('@')[1]}`, { module: 'erlang', function: 'node', args: [] }, { monitor: true });
    const reply = await me.receive(undefined, { timeout: 10000 });
    expect(equals(reply, tuple(atom('spawn_reply'), req, atom('error'), atom('noconnection')))).toBe(true);
    me.exit();
  });

  it('a connection lost before the reply gives spawn_reply error noconnection, monitor or not', async () => {
    const victim = await startOtpNode(otp, { sname: uniqueName('victim'), cookie, epmdPort: epmd.port });
    try {
      expect(await ts.ping(victim.name)).toBe('pong');
      process.kill(victim.pid, 'SIGSTOP');
      const me = ts.spawn();
      const plain = ts.spawnRequest(me, victim.name, { module: 'erlang', function: 'node', args: [] });
      const monitored = ts.spawnRequest(me, victim.name, { module: 'erlang', function: 'node', args: [] }, { monitor: true });
      const down = new Promise<void>((resolve) => ts.on('nodedown', (name: string) => name === victim.name && resolve()));
      process.kill(victim.pid, 'SIGKILL');
      await down;
      const replies = [await me.receive(undefined, { timeout: 2000 }), await me.receive(undefined, { timeout: 2000 })];
      expect(equals(replies[0], tuple(atom('spawn_reply'), plain, atom('error'), atom('noconnection')))).toBe(true);
      expect(equals(replies[1], tuple(atom('spawn_reply'), monitored, atom('error'), atom('noconnection')))).toBe(true);
      await expect(me.receive(undefined, { timeout: 100 })).rejects.toThrow(/no matching message/);
      me.exit();
    } finally {
      try {
        process.kill(victim.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await victim.stop();
    }
  });
});
