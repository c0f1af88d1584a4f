/**
 * A host that vanishes (erl on host B killed with SIGKILL) while a 10 MB answer is on its way in
 * fragments, or in the middle of the handshake, leaves nothing behind on the TS node: the call
 * ends `{badrpc, nodedown}`, a nodedown is reported (or, mid-handshake, no nodeup ever was), no
 * connection is listed, and the next attempt is a quick pang, not a hang. The link goes
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

function kill(erl: OtpNode): void {
  process.kill(erl.pid, 'SIGKILL');
}

describeNetns('multi-host', () => {
  const lab = labPerFile(6);

  describeOtp('a host that vanishes', (otp) => {
    const hosts = twoHosts(otp, lab);

    it('mid-fragment: a 10 MB answer cut off after 2 MB', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      let inAtKill = -1;
      // 8 MB/s: the answer would take over a second; the kill comes at 2 MB.
      const lossy = lossyTransport({ delayMs: 5, lossRate: 0, retransmitMs: 0, seed: 1, bytesPerSecond: 8 * 1024 * 1024 }, (stats) => {
        if (inAtKill < 0 && stats.in > 2 * 1024 * 1024) {
          inAtKill = stats.in;
          kill(erl);
        }
      });
      const ts = await hosts.ts(uniqueName('ts'), { transport: lossy.transport });
      const events = new NodeEvents(ts);
      try {
        await ts.connect(erl.name, { timeout: 10000 });
        const down = events.next('nodedown', erl.name, 10000);
        const answer = await new ErlClient(ts).rpcCall(erl.name, 'rand', 'bytes', [TEN_MB], { timeout: 15000 });
        expect(inAtKill).toBeGreaterThan(0);
        expect(inAtKill).toBeLessThan(TEN_MB);
        expect(answer).toEqual(tuple(atom('badrpc'), atom('nodedown')));
        expect((await down).reason).toBe('peer_closed');
        expect(ts.nodes('connected')).toEqual([]);
        expect(ts.nodeInfo(erl.name)).toBeUndefined();
        const started = Date.now();
        expect(await ts.ping(erl.name, { timeout: 5000 })).toBe('pang');
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        events.dispose();
      }
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
