/** TypeScript asking erl to spawn (the primitive under erpc calls into Erlang), and the io protocol. */
import { atom, equals, isRecord, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { ErlNode as ErlProcess, startErlNode } from '../support/erlnode';

describeOtp('spawn_request to erl', (otp) => {
  let epmd: EpmdServer;
  let erl: ErlProcess;
  let ts: ErlNode;
  const printed: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startErlNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: (t) => printed.push(t) });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('erpc:execute_call on erl: spawn_reply, then DOWN carrying {Ref, return, Value}; output comes through our group leader', async () => {
    const me = ts.spawn();
    const res = ts.processes.makeRef();
    const req = ts.spawnRequest(me, erl.name, 'erpc', 'execute_call', [res, atom('io'), atom('format'), [[104, 105, 126, 110], []]], { monitor: true });
    const reply = (await me.receive(undefined, { timeout: 5000 })) as Tuple;
    expect(isRecord(reply, 'spawn_reply', 4)).toBe(true);
    expect(reply.get(2)).toBe(atom('ok'));
    const down = (await me.receive(undefined, { timeout: 5000 })) as Tuple;
    expect(equals(down, tuple(atom('DOWN'), req, atom('process'), reply.get(3), tuple(res, atom('return'), atom('ok'))))).toBe(true);
    expect(printed.join('')).toBe('hi\n');
    me.exit();
  });

  it('an unreachable node answers spawn_reply error noconnection', async () => {
    const me = ts.spawn();
    const req = ts.spawnRequest(me, `nobody@${ts.name.split('@')[1]}`, 'erlang', 'node', [], { monitor: true });
    const reply = await me.receive(undefined, { timeout: 10000 });
    expect(equals(reply, tuple(atom('spawn_reply'), req, atom('error'), atom('noconnection')))).toBe(true);
    me.exit();
  });
});
