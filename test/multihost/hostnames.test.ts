/**
 * Long names with host names, resolved per test: every host of the lab has its own /etc/hosts
 * (erl in a chroot too). erl on host B reaches the TS node on this host (A) by name, and a CLI
 * node on host C (a namespace linked to B only, with the embedded EPMD it starts there) is
 * reached by erl by name and reaches erl by name.
 */
import { spawn } from 'child_process';
import { atom } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { serveKvs } from '../../src/kvs/kvs';
import { ERLBRIDGE_BIN, itWithBuiltCli, lineFrom, stopChild } from '../support/cli-process';
import { describeNetns, NetnsHost, NetnsLink, ROOT } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { freePort } from '../support/otp-node-extra';
import { labPerFile } from './support';

describeNetns('multi-host', () => {
  const lab = labPerFile(2);

  describeOtp('long names with host names', (otp) => {
    const cookie = uniqueName('cookie');
    let b: NetnsHost;
    let c: NetnsHost;
    let toB: NetnsLink;
    let epmdPort: number;
    let epmd: EpmdServer;
    let hereName: string;

    beforeAll(async () => {
      b = lab().addHost(`b${otp.release}`);
      c = lab().addHost(`c${otp.release}`);
      toB = lab().link(ROOT, b);
      const bToC = lab().link(b, c);
      hereName = `a${otp.release}.${lab().id}.test`;
      // This host by its address on the link to B; B by its address on the link to C (only C dials it by name).
      lab().addNames({ [hereName]: toB.aAddress, [b.hostname]: bToC.aAddress, [c.hostname]: bToC.bAddress });
      epmdPort = await freePort();
      epmd = await EpmdServer.start({ port: epmdPort });
    });

    afterAll(async () => {
      await epmd?.close();
    });

    const startErl = () => lab().startErl(b, otp, { name: `${uniqueName('erl')}@${b.hostname}`, cookie, epmdPort });

    it('erl on B pings and calls the TS node on A by its host name, and the TS node calls back', async () => {
      const erl = await startErl();
      const ts = await ErlNode.start({ name: `${uniqueName('ts')}@${hereName}`, longNames: true, cookie, epmdPort, log: () => undefined });
      try {
        serveKvs(ts);
        expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
        expect(await erl.eval(`rpc:call('${ts.name}', kvs, store, [weather, fine], 5000)`)).toBe('true');
        expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], 5000)`)).toBe('{ok,fine}');
        expect(ts.nodes()).toEqual([erl.name]);
        // Over the connection erl made: this host cannot resolve B's name, and need not.
        expect(await new ErlClient(ts).rpcCall(erl.name, 'erlang', 'node', [], { timeout: 5000 })).toBe(atom(erl.name));
      } finally {
        await ts.stop();
        await erl.stop();
      }
    });

    itWithBuiltCli('a CLI node on C, with the embedded EPMD it starts there, and erl on B find each other by host name', async () => {
      const erl = await startErl();
      const tsName = `${uniqueName('cli')}@${c.hostname}`;
      const args = [ERLBRIDGE_BIN, 'node', '--name', tsName, '--cookie', cookie, '--epmd-port', String(epmdPort)];
      const node = spawn('ip', ['netns', 'exec', c.ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await lineFrom(node, /is up/);
        // C had no EPMD: the node started the embedded one, and registered there.
        const alive = tsName.split('@')[0];
        expect(await erl.eval(`lists:keymember("${alive}", 1, element(2, erl_epmd:names("${c.hostname}")))`)).toBe('true');
        expect(await erl.eval(`net_adm:ping('${tsName}')`)).toBe('pong');
        expect(await erl.eval(`rpc:call('${tsName}', kvs, store, [weather, fine], 5000)`)).toBe('true');
        expect(await erl.eval(`rpc:call('${tsName}', kvs, lookup, [weather], 5000)`)).toBe('{ok,fine}');
        // A long name of its own, as erl needs one: this host's name has no domain to add.
        const pingArgs = [
          ERLBRIDGE_BIN,
          'ping',
          erl.name,
          '--name',
          `${uniqueName('ping')}@${c.hostname}`,
          '--cookie',
          cookie,
          '--epmd-port',
          String(epmdPort),
        ];
        const ping = spawn('ip', ['netns', 'exec', c.ns, process.execPath, ...pingArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
        expect(await lineFrom(ping, /^p[oa]ng$/)).toBe('pong');
      } finally {
        await stopChild(node);
        await erl.stop();
      }
    });
  });
});
