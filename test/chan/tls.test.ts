/**
 * lib_chan over TLS, TypeScript on both sides, with a self-signed certificate made by `openssl` at
 * test time (skipped with a loud line when there is no openssl).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthFailError, ChanServer, connect, parseChanConfig, startChanServer } from '../../src/chan';
import { atom, charlist, equals, tuple } from '../../codec';

function makeCertificate(dir: string): { key: Buffer; cert: Buffer } | null {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-chan-tls-'));
const material = makeCertificate(dir);
fs.rmSync(dir, { recursive: true, force: true });
if (!material) process.stderr.write('!!! erlbridge: no openssl to make a test certificate; lib_chan TLS tests SKIPPED\n');

(material ? describe : describe.skip)('lib_chan over TLS', () => {
  const { key, cert } = material ?? { key: Buffer.alloc(0), cert: Buffer.alloc(0) };
  let server: ChanServer;
  let port: number;

  beforeAll(async () => {
    const config = parseChanConfig(`{port, 0}.
      {service, nameServer, password, "ABXy45", mfa, mod_name_server, start_me_up, notUsed}.`);
    server = await startChanServer(config, { tls: { key, cert }, log: () => undefined });
    port = server.address.port;
  });
  afterAll(() => server.close());

  it('runs the book session over TLS, trusting the self-signed certificate', async () => {
    const channel = await connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45', tls: { ca: cert } });
    channel.send(tuple(atom('store'), atom('joe'), charlist('writing a book')));
    expect(equals(await channel.rpc(tuple(atom('lookup'), atom('joe'))), tuple(atom('ok'), charlist('writing a book')))).toBe(true);
    channel.close();
    await expect(connect('127.0.0.1', port, 'nameServer', { secret: 'nope', tls: { ca: cert } })).rejects.toBeInstanceOf(AuthFailError);
  });

  it('refuses a server certificate the client does not trust', async () => {
    await expect(connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45', tls: {} })).rejects.toThrow(/self[- ]signed/i);
  });

  it('gets nothing from a plain TCP client, and keeps no session for it', async () => {
    await expect(connect('127.0.0.1', port, 'nameServer', { secret: 'ABXy45', handshakeTimeout: 2000 })).rejects.toThrow();
    for (let i = 0; i < 200 && server.sessionCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.sessionCount).toBe(0);
  });
});
