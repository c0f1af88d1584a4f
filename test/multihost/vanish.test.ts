/**
 * A host that vanishes while a 10 MB answer is on its way in fragments (the cable cut and erl
 * killed), or in the middle of the handshake (erl killed with SIGKILL), leaves nothing behind on
 * the TS node: the call ends `{badrpc, nodedown}`, a nodedown is reported (or, mid-handshake, no
 * nodeup ever was), no connection is listed, and the next attempt is a quick pang, not a hang. The link goes
 * through the lossy proxy (test/support/lossy-proxy.ts), slowed down so that the kill falls
 * where it is meant to.
 */
import { atom, tuple } from '../../codec';
import { ErlClient } from '../../src/rpc/client';
import { lossyTransport } from '../support/lossy-proxy';
import { describeNetns } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode } from '../support/otp-node';
import { NodeEvents } from '../support/otp-node-extra';
import { labPerFile, twoHosts } from './support';

const TEN_MB = 10 * 1024 * 1024;
/** The TS node's net_ticktime (ms) in these tests: a cut is detected within 5 s. */
const TICK_TIME = 4000;

function kill(erl: OtpNode): void {
  process.kill(erl.pid, 'SIGKILL');
}

describeNetns('multi-host', () => {
  const lab = labPerFile(6);

  describeOtp('a host that vanishes', (otp) => {
    const hosts = twoHosts(otp, lab);

    it('mid-fragment: host B gone (cable cut, erl killed) 2 MB into a 10 MB answer', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      let inAtCut = -1;
      // 8 MB/s: the answer would take over a second. A kill alone would not do: what erl wrote
      // into its kernel's socket buffers (several MB) would still be sent, FIN after it.
      const lossy = lossyTransport({ delayMs: 5, lossRate: 0, retransmitMs: 0, seed: 1, bytesPerSecond: 8 * 1024 * 1024 }, (stats) => {
        if (inAtCut < 0 && stats.in > 2 * 1024 * 1024) {
          inAtCut = stats.in;
          lossy.sever();
          hosts.lab.cut(hosts.link);
          kill(erl);
        }
      });
      const ts = await hosts.ts(uniqueName('ts'), { transport: lossy.transport, tickTime: TICK_TIME });
      const events = new NodeEvents(ts);
      try {
        await ts.connect(erl.name, { timeout: 10000 });
        const answer = await new ErlClient(ts).rpcCall(erl.name, 'rand', 'bytes', [TEN_MB], { timeout: 15000 });
        expect(inAtCut).toBeGreaterThan(0);
        // Part of the answer never came: nothing after the cut.
        expect(lossy.stats.in).toBe(inAtCut);
        // Never the binary itself in a failure message: 10 MB of diff overflows jest's worker channel.
        expect(Buffer.isBuffer(answer) ? `a binary of ${answer.length} bytes` : answer).toEqual(tuple(atom('badrpc'), atom('nodedown')));
        expect(events.about(erl.name, 'nodedown').map((e) => e.reason)).toEqual(['net_tick_timeout']);
        expect(ts.nodes('connected')).toEqual([]);
        expect(ts.nodeInfo(erl.name)).toBeUndefined();
      } finally {
        events.dispose();
        hosts.lab.heal(hosts.link);
      }
      // Host B is back, without the node: a quick pang, not a hang.
      const started = Date.now();
      expect(await ts.ping(erl.name, { timeout: 5000 })).toBe('pang');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('mid-handshake: erl killed as its first handshake bytes reach the proxy', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      let killed = false;
      const lossy = lossyTransport({ delayMs: 100, lossRate: 0, retransmitMs: 0, seed: 1 }, (stats) => {
        if (!killed && stats.in > 0) {
          killed = true;
          kill(erl);
        }
      });
      const ts = await hosts.ts(uniqueName('ts'), { transport: lossy.transport });
      const events = new NodeEvents(ts);
      try {
        await expect(ts.connect(erl.name, { timeout: 10000 })).rejects.toThrow();
        expect(killed).toBe(true);
        expect(events.about(erl.name)).toEqual([]);
        expect(ts.nodes('connected')).toEqual([]);
        expect(await ts.ping(erl.name, { timeout: 5000 })).toBe('pang');
        expect(events.about(erl.name)).toEqual([]);
      } finally {
        events.dispose();
      }
    });
  });
});
