/**
 * A TypeScript process that never receives, flooded by a real erl: past its mailbox limit it is
 * killed, and erl's monitor (by registered name) and link see `{mailbox_limit, Limit}`; the node
 * logs the kill and keeps serving.
 */
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('mailbox limits seen from erl', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  const lines: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it("erl's monitor on a registered process that never receives gets DOWN {mailbox_limit, 100}", async () => {
    const sink = ts.spawn(undefined, { name: 'sink', mailbox: { maxLen: 100 } });
    const down = await erl.eval(
      `begin Ref = monitor(process, {sink, '${ts.name}'}), [{sink, '${ts.name}'} ! {junk, I} || I <- lists:seq(1, 150)], ` +
        `receive {'DOWN', Ref, process, Who, Reason} -> {Who, Reason} after 10000 -> timeout end end`,
    );
    expect(down).toBe(`{{sink,${ts.name}},{mailbox_limit,100}}`);
    expect(sink.alive).toBe(false);
    expect(ts.whereis('sink')).toBeUndefined();
    const report = lines.find((l) => l.includes('maximum message queue length reached'));
    expect(report).toContain(`<0.${sink.pid.id}.0> on node ${ts.name}`);
    // The node goes on serving: erl reaches it as before.
    expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
  });

  it('a trapping erl process linked to it gets {EXIT, Pid, {mailbox_limit, 50}}', async () => {
    const sink = ts.spawn(undefined, { mailbox: { maxLen: 50 } });
    await erl.eval(`register(mailbox_tester, self())`);
    ts.send(['mailbox_tester', erl.name], sink.pid);
    const exit = await erl.eval(
      `begin P = receive Pid when is_pid(Pid) -> Pid after 5000 -> error(no_pid) end, Self = self(), ` +
        `spawn(fun() -> process_flag(trap_exit, true), link(P), Self ! linked, ` +
        `receive {'EXIT', P, R} -> Self ! {exit, R} after 10000 -> Self ! {exit, timeout} end end), ` +
        `receive linked -> ok after 5000 -> error(not_linked) end, [P ! I || I <- lists:seq(1, 80)], ` +
        `receive {exit, Why} -> Why after 10000 -> timeout end end`,
    );
    expect(exit).toBe('{mailbox_limit,50}');
    expect(sink.alive).toBe(false);
  });
});
