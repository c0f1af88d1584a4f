/**
 * Bursts of sends: the connection gathers what is sent in one turn of the event loop and writes
 * it in few system calls (small frames copied together, large ones passed through). erl must get
 * every message, in order, intact, whatever the mix of sizes.
 */
import { atom, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { describeOtp, uniqueName } from '../support/otp';

describeOtp('bursts', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('20,000 small messages with large ones among them arrive in order and intact', async () => {
    // The collector checks the order and each binary's size and fill, then reports to Report.
    await erl.eval(
      `begin Check = fun Check(N, Total, Bad) -> receive {seq, N, B} when is_binary(B) -> Size = byte_size(B), Fill = N rem 251, Ok = (Size =:= 0) orelse (binary:first(B) =:= Fill andalso binary:last(B) =:= Fill), Check(N + 1, Total + Size, if Ok -> Bad; true -> [N | Bad] end); {done, From} -> From ! {checked, N, Total, Bad}; Other -> exit({out_of_order, N, Other}) after 20000 -> exit({stalled, N}) end end, register(collector, spawn(fun() -> Check(0, 0, []) end)), ok end`,
    );
    const me = ts.spawn();
    const conn = await ts.connect(erl.name);
    let total = 0;
    const count = 20000;
    for (let i = 0; i < count; i++) {
      // Mostly 20-byte binaries; every 997th 200 KB (fragmented), every 131st 9 KB (just above the copy limit).
      const size = i % 997 === 0 ? 200_000 : i % 131 === 0 ? 9_000 : 20;
      total += size;
      me.send(['collector', erl.name], tuple(atom('seq'), i, Buffer.alloc(size, i % 251)));
      if (i % 500 === 0) await conn.drained();
    }
    me.send(['collector', erl.name], tuple(atom('done'), me.pid));
    const reply = await me.receive<Tuple>(undefined, { timeout: 30000 });
    expect(reply.get(0)).toBe(atom('checked'));
    expect(reply.get(1)).toBe(count);
    expect(reply.get(2)).toBe(total);
    expect(reply.get(3)).toEqual([]);
    me.exit();
  });
});
