/**
 * TLS distribution against real erl `-proto_dist inet_tls -ssl_dist_optfile F`, both directions,
 * with one optfile per side in erl's format (the same options, each naming the files as its
 * reader sees them): mutual TLS, TLS 1.2 and 1.3, peers refused (another CA's certificate, plain
 * TCP, a wrong cookie inside TLS), and the CLI's ping and call.
 */
import type * as net from 'net';
import type * as tls from 'tls';
import { atom, formatTerm } from '../../codec';
import { BadCookieError, DistTransport, EpmdServer, tlsTransportFromOptfile } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { CliCapture } from '../support/cli';
import { startOtpNodeWith, waitFor } from '../support/otp-node-extra';
import { OtpNode } from '../support/otp-node';
import { describeOtp, uniqueName } from '../support/otp';
import { CertDir, describeTls, makeCerts, OptfileSpec, tlsErlArgs, writeOptfiles } from '../support/tls';

const CALL_MS = 10_000;

/** A TLS transport that records the TLS version of each connection it made or accepted. */
function recording(transport: DistTransport): { transport: DistTransport; versions: Array<string | null> } {
  const versions: Array<string | null> = [];
  const keep = (socket: net.Socket): net.Socket => (versions.push((socket as tls.TLSSocket).getProtocol()), socket);
  return {
    versions,
    transport: {
      ...transport,
      connect: async (host, port, options) => keep(await transport.connect(host, port, options)),
      listen: async (options) => {
        const listener = await transport.listen(options);
        return { ...listener, onConnection: (handler) => listener.onConnection((socket) => handler(keep(socket))) };
      },
    },
  };
}

describeOtp('TLS distribution', (otp) => {
  describeTls('inet_tls', otp, () => {
    let certs: CertDir;
    let epmd: EpmdServer;
    let erl: OtpNode;
    let ts: ErlNode;
    let tsVersions: Array<string | null>;
    const tsLog: string[] = [];
    const cookie = uniqueName('cookie');
    const started: Array<{ stop(): Promise<void> }> = [];

    const optfiles = (name: string, spec?: OptfileSpec) => writeOptfiles(certs, otp, name, spec);
    const startErl = async (name: string, spec?: OptfileSpec, erlCookie = cookie): Promise<OtpNode> => {
      const node = await startOtpNodeWith(otp, {
        sname: uniqueName(name),
        cookie: erlCookie,
        epmdPort: epmd.port,
        extraArgs: tlsErlArgs(optfiles(name, spec).erl),
      });
      started.push(node);
      return node;
    };
    const startTs = async (name: string, options: { spec?: OptfileSpec; cookie?: string; log?: string[] } = {}): Promise<ErlNode> => {
      const node = await ErlNode.start({
        name: uniqueName(name),
        cookie: options.cookie ?? cookie,
        epmdPort: epmd.port,
        tls: { optfile: optfiles(name, options.spec).ts },
        log: (line) => options.log?.push(line),
      });
      started.push(node);
      return node;
    };
    /** erl's protocol for its connection to `peer` (`#net_address.protocol`): `tls` or `tcp`. */
    const protocolOf = (node: OtpNode, peer: string) =>
      node.eval(`begin {ok, I} = net_kernel:node_info('${peer}'), element(4, proplists:get_value(address, I)) end`, CALL_MS);

    beforeAll(async () => {
      certs = makeCerts();
      epmd = await EpmdServer.start({ port: 0 });
      erl = await startErl('erl');
      const recorded = recording(tlsTransportFromOptfile(optfiles('ts').ts));
      tsVersions = recorded.versions;
      ts = await ErlNode.start({
        name: uniqueName('ts'),
        cookie,
        epmdPort: epmd.port,
        transport: recorded.transport,
        log: (line) => tsLog.push(line),
      });
      started.push(ts);
      serveKvs(ts);
    });

    afterAll(async () => {
      for (const node of started.reverse()) await node.stop();
      await epmd?.close();
      certs?.remove();
    });

    it('erl rpc:calls into the TS node over mutual TLS (erl dials)', async () => {
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, store, [weather, fine], ${CALL_MS})`, CALL_MS + 2000)).toBe('true');
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], ${CALL_MS})`, CALL_MS + 2000)).toBe('{ok,fine}');
      expect(await protocolOf(erl, ts.name)).toBe('tls');
      expect(await erl.eval(`lists:member('${ts.name}', nodes())`)).toBe('true');
    });

    it('the TS node rpcCalls into erl over mutual TLS (TS dials)', async () => {
      const tsB = await startTs('tsb');
      const result = await new ErlClient(tsB).rpcCall(erl.name, 'erlang', 'node', [], { timeout: CALL_MS });
      expect(result).toBe(atom(erl.name));
      expect(await protocolOf(erl, tsB.name)).toBe('tls');
    });

    it('negotiates TLS 1.2 when one side allows only 1.2', async () => {
      const only12 = recording(tlsTransportFromOptfile(optfiles('ts12', { versions: ['tlsv1.2'] }).ts));
      const ts12 = await ErlNode.start({
        name: uniqueName('ts12'),
        cookie,
        epmdPort: epmd.port,
        transport: only12.transport,
        log: () => undefined,
      });
      started.push(ts12);
      expect(await ts12.ping(erl.name, { timeout: CALL_MS })).toBe('pong');
      expect(only12.versions).toEqual(['TLSv1.2']);
    });

    it('speaks TLS 1.3 with an erl that allows only 1.3 ({versions, [tlsv1.3]}), both directions', async () => {
      const erl13 = await startErl('erl13', { versions: ['tlsv1.3'] });
      const before = tsVersions.length;
      expect(await erl13.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], ${CALL_MS})`, CALL_MS + 2000)).toBe('{ok,fine}');
      expect(ts.disconnect(erl13.name)).toBe(true);
      await waitFor('erl13 to see the disconnect', async () => (await erl13.eval('nodes()')) === '[]');
      expect(await new ErlClient(ts).rpcCall(erl13.name, 'erlang', 'node', [], { timeout: CALL_MS })).toBe(atom(erl13.name));
      expect(tsVersions.slice(before)).toEqual(['TLSv1.3', 'TLSv1.3']);
    });

    it('refuses a peer whose certificate another CA signed, in one log line, and keeps serving good peers', async () => {
      const stranger = await startErl('stranger', { cert: 'other' });
      const linesBefore = tsLog.length;
      expect(await stranger.eval(`net_adm:ping('${ts.name}')`, CALL_MS)).toBe('pang');
      await waitFor('the refusal to be logged', () => tsLog.length > linesBefore);
      const refusals = tsLog.slice(linesBefore);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(/\nrefused a TLS distribution connection from 127\.0\.0\.1:\d+: its certificate is refused: \w+/);
      // A good peer still gets in, on a fresh connection.
      // (Already down, maybe: global's prevent_overlapping_partitions acts on the disconnects above.)
      expect(['true', 'false']).toContain(await erl.eval(`erlang:disconnect_node('${ts.name}')`));
      await waitFor('the TS node to see the disconnect', () => !ts.nodes().includes(erl.name));
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], ${CALL_MS})`, CALL_MS + 2000)).toBe('{ok,fine}');
    });

    it("is refused by erl when our certificate is another CA's", async () => {
      const strangerTs = await startTs('strangerts', { spec: { cert: 'other' } });
      // erl answers with a TLS alert (unknown CA) and closes. In TLS 1.3 (OTP 29's default) the
      // client's handshake is over before the server checks its certificate: we see the close.
      await expect(strangerTs.connect(erl.name, { timeout: CALL_MS })).rejects.toThrow(
        /^cannot connect to \S+ at \S+: TLS handshake failed: tlsv1 alert unknown ca$|^the peer closed the connection while we waited for the status$/,
      );
      expect(strangerTs.nodes('connected')).toEqual([]);
    });

    it('mutual TLS: erl refuses a TS client without a certificate, and the TS node an erl client without one', async () => {
      const anonymousTs = await startTs('anonts', { spec: { clientCert: false } });
      await expect(anonymousTs.connect(erl.name, { timeout: CALL_MS })).rejects.toThrow(
        // TLS 1.2 (OTP 25, 27): an alert in the TLS handshake; TLS 1.3 (OTP 29): a close after it.
        /TLS handshake failed: sslv3 alert handshake failure$|closed the connection while we waited for the status$/,
      );
      const anonymousErl = await startErl('anonerl', { clientCert: false });
      const linesBefore = tsLog.length;
      expect(await anonymousErl.eval(`net_adm:ping('${ts.name}')`, CALL_MS)).toBe('pang');
      await waitFor('the refusal to be logged', () => tsLog.length > linesBefore);
      expect(tsLog.slice(linesBefore)).toEqual([expect.stringMatching(/: it sent no certificate \(fail_if_no_peer_cert\)$/)]);
    });

    it('refuses a plain TCP peer in one log line', async () => {
      const plain = await ErlNode.start({ name: uniqueName('plain'), cookie, epmdPort: epmd.port, log: () => undefined });
      started.push(plain);
      const linesBefore = tsLog.length;
      expect(await plain.ping(ts.name, { timeout: 3000 })).toBe('pang');
      await waitFor('the refusal to be logged', () => tsLog.length > linesBefore);
      expect(tsLog.slice(linesBefore)).toEqual([expect.stringMatching(/\nrefused a TLS distribution connection from .*plain TCP/)]);
      expect(ts.nodes('connected')).not.toContain(plain.name);
    });

    it('refuses a wrong cookie inside TLS', async () => {
      const wrong = await startTs('wrongcookie', { cookie: uniqueName('othercookie') });
      await expect(wrong.connect(erl.name, { timeout: CALL_MS })).rejects.toBeInstanceOf(BadCookieError);
      expect(await erl.eval(`net_adm:ping('${wrong.name}')`, CALL_MS)).toBe('pang');
    });

    describe('the CLI', () => {
      let cli: CliCapture;
      beforeEach(() => (cli = new CliCapture()));
      afterEach(() => cli.restore());
      const common = () => ['--cookie', cookie, '--epmd-port', String(epmd.port)];

      it('node --proto-dist inet_tls --ssl-dist-optfile serves kvs to erl over TLS', async () => {
        const optfile = optfiles('cli').ts;
        let serving: Promise<unknown> | undefined;
        try {
          serving = cli.run(['node', '--sname', uniqueName('cli'), ...common(), '--proto-dist', 'inet_tls', '--ssl-dist-optfile', optfile]);
          await waitFor('the node to be up', () => cli.stdout.includes(' is up'));
          const name = /erlbridge node (\S+) is up/.exec(cli.stdout)?.[1] as string;
          expect(cli.stdout).toContain(`erl -sname bilbo -setcookie ${cookie} -proto_dist inet_tls -ssl_dist_optfile ${optfile}`);
          expect(await erl.eval(`rpc:call('${name}', kvs, store, [cli, tls], ${CALL_MS})`, CALL_MS + 2000)).toBe('true');
          expect(await protocolOf(erl, name)).toBe('tls');
        } finally {
          process.emit('SIGTERM');
          expect(((await serving) as { code: number } | undefined)?.code).toBe(0);
        }
      });

      it('ping --proto-dist inet_tls --ssl-dist-optfile says pong; without TLS, pang', async () => {
        const optfile = optfiles('cli').ts;
        const tlsRun = await cli.run(['ping', erl.name, ...common(), '--proto-dist', 'inet_tls', '--ssl-dist-optfile', optfile]);
        expect(tlsRun).toMatchObject({ code: 0, stdout: 'pong\n' });
        const plainRun = await cli.run(['ping', erl.name, ...common()]);
        expect(plainRun).toMatchObject({ code: 1, stdout: 'pang\n' });
      });

      it("call takes erl's spellings -proto_dist inet_tls -ssl_dist_optfile", async () => {
        const optfile = optfiles('cli').ts;
        const run = await cli.run([
          'call',
          erl.name,
          'erlang',
          'node',
          '[]',
          ...common(),
          '-proto_dist',
          'inet_tls',
          '-ssl_dist_optfile',
          optfile,
        ]);
        expect(run).toMatchObject({ code: 0, stdout: `${formatTerm(atom(erl.name))}\n` });
      });
    });
  });
});
