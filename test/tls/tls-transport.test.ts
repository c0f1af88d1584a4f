/**
 * tlsTransport without erl: 4-byte handshake frames inside TLS, SNI as erl sends it, the
 * server's peer checks (fail_if_no_peer_cert, another CA), one rate-limited log line per
 * refused peer, and two TS nodes over TLS through EPMD.
 */
import { execFileSync } from 'child_process';
import * as net from 'net';
import type * as tls from 'tls';
import {
  acceptHandshake,
  DistListener,
  EpmdServer,
  initiateHandshake,
  lookupNode,
  resolveCookie,
  SslOptions,
  tlsTransport,
} from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { waitFor } from '../support/otp-node-extra';
import { uniqueName } from '../support/otp';
import { CertDir, describeWithCerts, makeCerts } from '../support/tls';

describeWithCerts('TLS transport', () => {
  let certs: CertDir;
  const listeners: DistListener[] = [];
  const sockets: net.Socket[] = [];

  const files = (cert = 'node'): SslOptions => ({
    certfile: `${certs.dir}/${cert}.pem`,
    keyfile: `${certs.dir}/${cert}-key.pem`,
    cacertfile: `${certs.dir}/ca.pem`,
  });
  const mutual = () =>
    tlsTransport({
      server: { ...files(), verify: 'verify_peer', fail_if_no_peer_cert: true },
      client: { ...files(), verify: 'verify_peer' },
    });

  /** Listen on 127.0.0.1; accepted sockets (after TLS and our checks) queue up for `accepted`. */
  async function listen(server: SslOptions, log?: (line: string) => void) {
    const listener = await tlsTransport({ server }).listen({ port: 0, host: '127.0.0.1', log });
    listeners.push(listener);
    const queue: net.Socket[] = [];
    const waiting: Array<(socket: net.Socket) => void> = [];
    listener.onConnection((socket) => {
      sockets.push(socket);
      const next = waiting.shift();
      if (next) next(socket);
      else queue.push(socket);
    });
    const accepted = () => {
      const socket = queue.shift();
      return socket ? Promise.resolve(socket) : new Promise<net.Socket>((resolve) => waiting.push(resolve));
    };
    return { port: listener.port, accepted };
  }

  beforeAll(() => (certs = makeCerts()));
  afterAll(() => certs.remove());
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(listeners.splice(0).map((listener) => listener.close()));
  });

  it('frames every handshake message with a 4-byte length inside TLS', async () => {
    const { port, accepted } = await listen({ ...files() });
    const client = await tlsTransport({ client: { ...files() } }).connect('127.0.0.1', port, { timeout: 3000, hostName: 'localhost' });
    sockets.push(client);
    const options = { cookie: resolveCookie({ cookie: 'tls-frames' }), creation: 1, handshakePrefixWidth: 4 as const, timeout: 3000 };
    const dialing = initiateHandshake(client, { ...options, ourName: 'a@localhost', peerName: 'b@localhost' });
    const server = await accepted();
    // The first bytes inside TLS: send_name behind a u32 length.
    const first = await new Promise<Buffer>((resolve) => server.once('data', resolve).resume());
    expect(first.readUInt32BE(0)).toBe(first.length - 4);
    expect(String.fromCharCode(first[4])).toBe('N');
    server.pause();
    server.unshift(first);
    const [dialed, acceptedPeer] = await Promise.all([dialing, acceptHandshake(server, { ...options, ourName: 'b@localhost' })]);
    expect(dialed.peerName).toBe('b@localhost');
    expect(acceptedPeer.peerName).toBe('a@localhost');
  });

  it('sends the host of the node name as SNI, none for an IP or with server_name_indication disable', async () => {
    const { port, accepted } = await listen({ ...files() });
    const serverName = async (client: SslOptions, hostName: string) => {
      sockets.push(await tlsTransport({ client }).connect('127.0.0.1', port, { timeout: 3000, hostName }));
      return (await accepted()) as tls.TLSSocket;
    };
    expect((await serverName(files(), 'localhost')).servername).toBe('localhost');
    expect((await serverName(files(), '127.0.0.1')).servername).toBe(false);
    // A name the certificate does not carry is refused, as erl checks the name it sent...
    await expect(tlsTransport({ client: files() }).connect('127.0.0.1', port, { timeout: 3000, hostName: 'elsewhere' })).rejects.toThrow(
      /TLS connection to 127\.0\.0\.1:\d+: TLS handshake failed: .*elsewhere/,
    );
    // ...and with SNI disabled no name is sent and none checked; the chain still is.
    expect((await serverName({ ...files(), server_name_indication: 'disable' }, 'elsewhere')).servername).toBe(false);
  });

  it('refuses a client without a certificate under fail_if_no_peer_cert, in one log line; verify_peer alone lets it in', async () => {
    const lines: string[] = [];
    const strict = await listen({ ...files(), verify: 'verify_peer', fail_if_no_peer_cert: true }, (line) => lines.push(line));
    const anonymous = tlsTransport({ client: { cacertfile: `${certs.dir}/ca.pem` } });
    const socket = await anonymous.connect('127.0.0.1', strict.port, { timeout: 3000, hostName: 'localhost' });
    sockets.push(socket);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(lines).toEqual([
      expect.stringMatching(
        /^refused a TLS distribution connection from 127\.0\.0\.1:\d+: it sent no certificate \(fail_if_no_peer_cert\)$/,
      ),
    ]);

    const lenient = await listen({ ...files(), verify: 'verify_peer' });
    sockets.push(await anonymous.connect('127.0.0.1', lenient.port, { timeout: 3000, hostName: 'localhost' }));
    expect((await lenient.accepted()).readable).toBe(true);
  });

  it("refuses a client whose certificate another CA signed, naming OpenSSL's reason", async () => {
    const lines: string[] = [];
    const { port } = await listen({ ...files(), verify: 'verify_peer' }, (line) => lines.push(line));
    const stranger = tlsTransport({ client: { ...files('other'), cacertfile: `${certs.dir}/ca.pem` } });
    sockets.push(await stranger.connect('127.0.0.1', port, { timeout: 3000, hostName: 'localhost' }));
    await waitFor('the refusal', () => lines.length > 0);
    expect(lines).toEqual([expect.stringMatching(/: its certificate is refused: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/)]);
  });

  it("takes an encrypted key with password, and erl's versions and ciphers", async () => {
    const encrypted = `${certs.dir}/node-key.enc.pem`;
    execFileSync('openssl', ['pkey', '-in', `${certs.dir}/node-key.pem`, '-aes256', '-passout', 'pass:s3cret', '-out', encrypted]);
    const { port, accepted } = await listen({ ...files(), keyfile: encrypted, password: 's3cret' });
    const cipher = 'ECDHE-ECDSA-AES256-GCM-SHA384';
    const client = (await tlsTransport({ client: { ...files(), versions: ['tlsv1.2'], ciphers: [cipher] } }).connect('127.0.0.1', port, {
      timeout: 3000,
      hostName: 'localhost',
    })) as tls.TLSSocket;
    sockets.push(client);
    expect(client.getProtocol()).toBe('TLSv1.2');
    expect(client.getCipher().name).toBe(cipher);
    expect((await accepted()).readable).toBe(true);
    await expect(tlsTransport({ server: { ...files(), keyfile: encrypted, password: 'wrong' } }).listen({ port: 0 })).rejects.toThrow(
      /the server options' files, password or ciphers cannot be used: bad decrypt/,
    );
  });

  describe('two TS nodes over TLS', () => {
    let epmd: EpmdServer;
    beforeAll(async () => (epmd = await EpmdServer.start({ port: 0 })));
    afterAll(() => epmd.close());

    it('ping each other through EPMD, and a flood of plaintext peers is a few log lines, not one each', async () => {
      const cookie = uniqueName('cookie');
      const lines: string[] = [];
      const a = await ErlNode.start({
        name: uniqueName('tlsa'),
        cookie,
        epmdPort: epmd.port,
        transport: mutual(),
        log: (line) => lines.push(line),
      });
      const b = await ErlNode.start({
        name: uniqueName('tlsb'),
        cookie,
        epmdPort: epmd.port,
        tls: { server: { ...files(), verify: 'verify_peer' }, client: files() },
        log: () => undefined,
      });
      try {
        expect(await b.ping(a.name, { timeout: 5000 })).toBe('pong');
        expect(await a.ping(b.name, { timeout: 5000 })).toBe('pong');
        const address = await lookupNode(a.name.split('@')[0], { port: epmd.port });
        if (address === null) throw new Error(`${a.name} is not in EPMD`);
        const distPort = address.port;
        for (let i = 0; i < 25; i++) {
          const plain = net.connect(distPort, '127.0.0.1', () => plain.write(Buffer.from('0005Nhello', 'latin1')));
          sockets.push(plain);
          plain.on('error', () => undefined);
        }
        await waitFor('the refusals', () => lines.length >= 10);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // RateLimitedLog's burst: 10 lines a minute, then silence until the window ends.
        expect(lines).toHaveLength(10);
        expect(lines.every((line) => line.includes('plain TCP'))).toBe(true);
        // And the listener still takes a good peer, on a fresh connection.
        expect(b.disconnect(a.name)).toBe(true);
        await waitFor('a to see b go', () => !a.nodes().includes(b.name));
        expect(await b.ping(a.name, { timeout: 5000 })).toBe('pong');
      } finally {
        await b.stop();
        await a.stop();
      }
    });
  });
});
