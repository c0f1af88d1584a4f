/**
 * erl's -ssl_dist_optfile read as erl reads it (one term, comments and white space anywhere, a
 * final '.'), and TLS options checked by name: unknown, unsupported, wrong-side and ill-typed
 * options are typed errors naming the option and where it came from.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseSslDistOptfile, readSslDistOptfile, SslDistOptionError, tlsTransport } from '../../handshake';
import { nodeSslOptions } from '../../handshake/transport/ssl-options';

const FILE = '/etc/erl/ssl_dist.conf';

function failure(run: () => unknown): SslDistOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SslDistOptionError);
    return error as SslDistOptionError;
  }
  throw new Error('expected an SslDistOptionError');
}

describe('parseSslDistOptfile', () => {
  it("reads erl's optfile: comments, white space, charlists, binaries, atoms, the final '.'", () => {
    const text = `%% TLS distribution for the cluster
[{server,
  [{certfile, "/etc/ssl/node.pem"},   % the node's certificate
   {keyfile, <<"/etc/ssl/node-key.pem">>},
   {cacertfile, "/etc/ssl/ca.pem"},
   {verify, verify_peer},
   {fail_if_no_peer_cert, true},
   {secure_renegotiate, true},
   {versions, ['tlsv1.2', 'tlsv1.3']},
   {ciphers, ["TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"]},
   {depth, 2}]},
 {client,
  [{cacertfile, "/etc/ssl/ca.pem"},
   {verify, verify_none},
   {server_name_indication, disable},
   {password, "s3cret"}]}].
`;
    expect(parseSslDistOptfile(text, FILE)).toEqual({
      server: {
        certfile: '/etc/ssl/node.pem',
        keyfile: '/etc/ssl/node-key.pem',
        cacertfile: '/etc/ssl/ca.pem',
        verify: 'verify_peer',
        fail_if_no_peer_cert: true,
        secure_renegotiate: true,
        versions: ['tlsv1.2', 'tlsv1.3'],
        ciphers: ['TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
        depth: 2,
      },
      client: { cacertfile: '/etc/ssl/ca.pem', verify: 'verify_none', server_name_indication: 'disable', password: 's3cret' },
    });
  });

  it('takes one side only, and a ciphers string in OpenSSL form', () => {
    expect(parseSslDistOptfile('[{client, [{verify, verify_none}, {ciphers, "A:B"}]}].', FILE)).toEqual({
      client: { verify: 'verify_none', ciphers: 'A:B' },
    });
  });

  it.each([
    [
      'an unknown option',
      '[{server, [{certfile, "a.pem"}, {verfy, verify_peer}]}].',
      'unknown_option',
      'verfy',
      /server option verfy is unknown/,
    ],
    ['an unknown section', '[{servr, []}].', 'unknown_option', 'servr', /unknown section servr/],
    [
      'an option erl takes but we cannot honour',
      '[{client, [{verify_fun, {m, f}}]}].',
      'unsupported_option',
      'verify_fun',
      /not supported/,
    ],
    [
      'a server option on the client side',
      '[{client, [{fail_if_no_peer_cert, true}]}].',
      'unknown_option',
      'fail_if_no_peer_cert',
      /client option fail_if_no_peer_cert is a server option/,
    ],
    ['a value of the wrong kind', '[{server, [{verify, maybe}]}].', 'bad_value', 'verify', /must be verify_peer or verify_none/],
    ['an unknown TLS version', "[{client, [{versions, ['tlsv9']}]}].", 'bad_value', 'versions', /must be a non-empty list of tlsv1/],
    ['a depth that is no integer', '[{client, [{depth, "2"}]}].', 'bad_value', 'depth', /non-negative integer/],
    // Found by the ssl-dist-optfile fuzz target: these lists are no text, and were a RangeError.
    ['a list of numbers past Unicode', '[{server, [{certfile, [1114112]}]}].', 'bad_value', 'certfile', /must be a string/],
    ['a list with a negative number', '[{server, [{keyfile, [-1]}]}].', 'bad_value', 'keyfile', /must be a string/],
    ['ciphers past Unicode', '[{client, [{ciphers, [[1114112]]}]}].', 'bad_value', 'ciphers', /list of cipher suite names/],
  ])('refuses %s, naming the option and the file', (_what, text, code, option, message) => {
    const error = failure(() => parseSslDistOptfile(text, FILE));
    expect(error).toMatchObject({ code, option });
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${FILE}: `)).toBe(true);
  });

  it.each([
    ['no final dot', '[{server, []}]', /line 1, column \d+/],
    ['two terms', '[]. [].', /expected one list/],
    ['a term that is no list', '{server, []}.', /expected one list/],
    ['an option that is no pair', '[{server, [verify_peer]}].', /must be \{Name, Value\} tuples, found verify_peer/],
  ])('refuses a file with %s as a syntax error', (_what, text, message) => {
    const error = failure(() => parseSslDistOptfile(text, FILE));
    expect(error.code).toBe('syntax');
    expect(error.message).toMatch(message);
  });
});

describe('readSslDistOptfile', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-optfile-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a file, and names it in its errors', () => {
    const file = path.join(dir, 'dist.conf');
    fs.writeFileSync(file, '[{client, [{verify, verify_none}]}].\n');
    expect(readSslDistOptfile(file)).toEqual({ client: { verify: 'verify_none' } });
    fs.writeFileSync(file, '[{client, [{nope, 1}]}].\n');
    expect(failure(() => readSslDistOptfile(file)).message).toBe(`${file}: client option nope is unknown`);
  });

  it('says which file it cannot read, resolved as erl resolves it (from the working directory)', () => {
    const error = failure(() => readSslDistOptfile('no-such-optfile.conf'));
    expect(error.code).toBe('bad_file');
    expect(error.message).toContain(path.resolve('no-such-optfile.conf'));
  });
});

describe('TLS options as objects', () => {
  it('are checked by tlsTransport as the optfile is', () => {
    const error = failure(() => tlsTransport({ server: { certfil: 'node.pem' } as never }));
    expect(error).toMatchObject({
      code: 'unknown_option',
      option: 'certfil',
      message: 'the TLS options: server option certfil is unknown',
    });
  });

  it("need a cacertfile for verify_peer, the client's default (OTP 26+ refuses it too), when the side is first used", async () => {
    const transport = tlsTransport({ client: {} });
    const connecting = transport.connect('127.0.0.1', 1, { timeout: 1000 });
    await expect(connecting).rejects.toBeInstanceOf(SslDistOptionError);
    await expect(connecting).rejects.toThrow(/client option verify_peer \(verify_peer is the client default\) needs a cacertfile/);
  });

  it('need a certfile on the server side', async () => {
    await expect(tlsTransport({}).listen({ port: 0 })).rejects.toThrow(/the server options need a certfile/);
  });

  it('read files relative to the working directory, naming the one missing', () => {
    const error = failure(() => nodeSslOptions('server', { certfile: 'missing-node.pem' }, FILE));
    expect(error).toMatchObject({ code: 'bad_file', option: 'certfile' });
    expect(error.message).toContain(path.resolve('missing-node.pem'));
  });

  it("map erl's versions and ciphers to Node's", () => {
    const file = path.join(os.tmpdir(), `erlbridge-cert-${process.pid}.pem`);
    fs.writeFileSync(file, 'not parsed here');
    try {
      const built = nodeSslOptions(
        'client',
        { cacertfile: file, versions: ['tlsv1.3', 'tlsv1.2'], ciphers: ['TLS_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'] },
        FILE,
      );
      expect(built.tls).toMatchObject({
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
        ciphers: 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256',
      });
      expect(built.verifyPeer).toBe(true);
      expect(built.serverName).toEqual({ from: 'host' });
      expect(
        nodeSslOptions('client', { verify: 'verify_none', versions: ['tlsv1.2'], server_name_indication: 'disable' }, FILE),
      ).toMatchObject({
        tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
        verifyPeer: false,
        serverName: { from: 'none' },
      });
      // Without versions: OTP 29's default, 1.2 and 1.3.
      expect(nodeSslOptions('client', { verify: 'verify_none' }, FILE).tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    } finally {
      fs.rmSync(file);
    }
  });
});
