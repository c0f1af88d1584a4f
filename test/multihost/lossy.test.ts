/**
 * Distribution across a slow, lossy link: the TS node dials erl on host B through a user-space
 * proxy (test/support/lossy-proxy.ts) that delays every chunk 50 ms each way and 2% of them a
 * further 200 ms, as a retransmission would. All traffic of that connection goes through the
 * proxy, both ways: erl uses the connection the TS node made.
 */
import { createHash, randomBytes } from 'crypto';
import { atom, Term, Tuple, tuple } from '../../codec';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { lossyTransport } from '../support/lossy-proxy';
import { describeNetns } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode } from '../support/otp-node';
import { labPerFile, twoHosts } from './support';

const TEN_MB = 10 * 1024 * 1024;

const md5Hex = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex').toUpperCase();

describeNetns('multi-host', () => {
  const lab = labPerFile(5);

  describeOtp('a slow, lossy link (50 ms each way, 2% of chunks 200 ms later)', (otp) => {
    const hosts = twoHosts(otp, lab);
    const lossy = lossyTransport({ delayMs: 50, lossRate: 0.02, retransmitMs: 200, seed: 4369 });
    let erl: OtpNode;
    let ts: ErlNode;

    beforeAll(async () => {
      erl = await hosts.erl(uniqueName('erl'));
      ts = await hosts.ts(uniqueName('ts'), { transport: lossy.transport });
      serveKvs(ts);
      await ts.connect(erl.name, { timeout: 10000 });
    });

    it("the book's session, from erl over the proxied connection", async () => {
      const before = lossy.stats.in;
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, store, [weather, fine], 10000)`)).toBe('true');
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], 10000)`)).toBe('{ok,fine}');
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [snow], 10000)`)).toBe('undefined');
      expect(lossy.stats.in).toBeGreaterThan(before);
    });

    it('10 MB binaries arrive whole, both ways', async () => {
      const [outBefore, inBefore] = [lossy.stats.out, lossy.stats.in];
      // TS -> erl: erl answers with the md5 of what it got.
      await erl.eval(`register(sink, spawn(fun() -> receive {From, Bin} -> From ! {md5, binary:encode_hex(erlang:md5(Bin))} end end))`);
      const sent = randomBytes(TEN_MB);
      const me = ts.spawn();
      let started = Date.now();
      me.send(['sink', erl.name], tuple(me.pid, sent));
      const reply = await me.receive((m: Term) => (m instanceof Tuple && m.get(0) === atom('md5') ? m : undefined), { timeout: 30000 });
      const outMs = Date.now() - started;
      expect((reply.get(1) as Buffer).toString('latin1')).toBe(md5Hex(sent));

      // erl -> TS: erl tells its md5.
      const inbox = ts.spawn(undefined, { name: 'inbox' });
      started = Date.now();
      const erlMd5 = await erl.eval(`begin B = rand:bytes(${TEN_MB}), {inbox, '${ts.name}'} ! B, binary:encode_hex(erlang:md5(B)) end`);
      const got = await inbox.receive((m) => (Buffer.isBuffer(m) ? m : undefined), { timeout: 30000 });
      const inMs = Date.now() - started;
      expect(got.length).toBe(TEN_MB);
      // ~w prints the hex digits as a binary of bytes.
      expect(erlMd5).toBe(`<<${[...Buffer.from(md5Hex(got))].join(',')}>>`);
      process.stderr.write(`multi-host lossy (${otp.label}): 10 MB TS->erl ${outMs} ms, erl->TS ${inMs} ms\n`);
      // Both went through the proxy, which held some chunks back for a "retransmission".
      expect(lossy.stats.out - outBefore).toBeGreaterThan(TEN_MB);
      expect(lossy.stats.in - inBefore).toBeGreaterThan(TEN_MB);
      expect(lossy.stats.retransmits).toBeGreaterThan(0);
    });

    it('1,000 rpc calls at once all come back right', async () => {
      const client = new ErlClient(ts);
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => client.rpcCall(erl.name, 'erlang', 'integer_to_binary', [i], { timeout: 20000 })),
      );
      process.stderr.write(`multi-host lossy (${otp.label}): 1,000 concurrent rpc calls in ${Date.now() - started} ms\n`);
      expect(results.map((r) => (Buffer.isBuffer(r) ? r.toString() : r))).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
    });
  });
});
