/**
 * TLS distribution across hosts: erl `-proto_dist inet_tls` on host B and a TypeScript node
 * with the same optfile on host A, long names with IP addresses, certificates naming the
 * hosts' addresses (verified both ways, mutual TLS). The book's session one way, rpc the other,
 * and a plain TCP node refused by the TLS one. EPMD stays plain TCP on each host.
 */
import { atom } from '../../codec';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlClient } from '../../src/rpc/client';
import { describeNetns } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { CertDir, describeTls, makeCerts, tlsErlArgs, writeOptfiles } from '../support/tls';
import { labPerFile, twoHosts } from './support';

const CALL_MS = 10_000;

describeNetns('multi-host', () => {
  const lab = labPerFile(7);

  describeOtp('TLS distribution across hosts', (otp) => {
    describeTls('inet_tls between host A and host B', otp, () => {
      const hosts = twoHosts(otp, lab);
      let certs: CertDir;

      beforeAll(() => {
        certs = makeCerts([hosts.here, hosts.there]);
      });
      afterAll(() => certs?.remove());

      it('the TS node on A calls erl on B over TLS', async () => {
        const files = writeOptfiles(certs, otp, uniqueName('mh'));
        const erl = await hosts.erl(uniqueName('erl'), tlsErlArgs(files.erl));
        const ts = await hosts.ts(uniqueName('ts'), { tls: { optfile: files.ts } });
        expect(await new ErlClient(ts).rpcCall(erl.name, 'erlang', 'node', [], { timeout: CALL_MS })).toBe(atom(erl.name));
      });

      // OTP 25's client aborts the TLS handshake to an IP-named node across hosts ("handshake
      // failure" alert; it sends the IP as server_name_indication); open, see issue 10's note.
      (otp.release === '25' ? it.skip : it)("erl on B runs the book's session against the TS node on A over TLS", async () => {
        const files = writeOptfiles(certs, otp, uniqueName('mh'));
        const erl = await hosts.erl(uniqueName('erl'), tlsErlArgs(files.erl));
        const ts = await hosts.ts(uniqueName('ts'), { tls: { optfile: files.ts } });
        serveKvs(ts);
        expect(await erl.eval(`rpc:call('${ts.name}', kvs, store, [weather, fine], ${CALL_MS})`)).toBe('true');
        expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], ${CALL_MS})`)).toBe('{ok,fine}');
      });

      it('a plain TCP node on A cannot reach the TLS erl on B, and erl keeps serving TLS peers', async () => {
        const files = writeOptfiles(certs, otp, uniqueName('mh'));
        const erl = await hosts.erl(uniqueName('erl'), tlsErlArgs(files.erl));
        const plain = await hosts.ts(uniqueName('plain'), { setupTimeout: 2000 });
        expect(await plain.ping(erl.name, { timeout: 5000 })).toBe('pang');
        const good = await hosts.ts(uniqueName('ts'), { tls: { optfile: files.ts } });
        expect(await good.ping(erl.name, { timeout: 5000 })).toBe('pong');
      });
    });
  });
});
