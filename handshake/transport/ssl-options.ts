/**
 * erl's TLS distribution options (`-ssl_dist_optfile`'s `[{server, [...]}, {client, [...]}]`),
 * checked and turned into Node's `tls` options. The option names are erl's, so that one optfile
 * (or the same object) configures erl and erlbridge alike.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';

/** A TLS version as erl's `versions` option names it. */
export type SslVersion = 'tlsv1.3' | 'tlsv1.2' | 'tlsv1.1' | 'tlsv1';

/**
 * The options of one side (erl's `ssl:tls_option()`s that TLS distribution uses). Files are
 * read when the side is first used; relative paths are relative to the working directory, as
 * erl resolves them.
 */
export interface SslOptions {
  /** PEM certificate (chain) of this node. Required for the server side. */
  certfile?: string;
  /** PEM private key. Default: the key in `certfile`, as erl reads it. */
  keyfile?: string;
  /** The PEM CA certificates a peer's certificate must chain to. */
  cacertfile?: string;
  /** The passphrase of an encrypted `keyfile`. */
  password?: string;
  /**
   * Check the peer's certificate. Default: `verify_none` for the server (erl's default),
   * `verify_peer` for the client (erl's default since OTP 26), which then needs `cacertfile`.
   */
  verify?: 'verify_peer' | 'verify_none';
  /** Server only: with `verify_peer`, refuse a client that sends no certificate. Default false. */
  fail_if_no_peer_cert?: boolean;
  /**
   * The TLS versions to offer or accept. Default `['tlsv1.3', 'tlsv1.2']`, what OTP 29's
   * inet_tls_dist sets (OTP 25 and 27 set `['tlsv1.2']`; both meet at 1.2).
   */
  versions?: SslVersion[];
  /** Cipher suites by their OpenSSL names (TLS 1.3's `TLS_...` too), as a list or one `:`-joined string. */
  ciphers?: string[] | string;
  /** Most intermediate CA certificates allowed between the peer's certificate and a trusted one. */
  depth?: number;
  /** Accepted for erl's sake; OpenSSL always renegotiates securely (and TLS 1.3 never does). */
  secure_renegotiate?: boolean;
  /** Accepted for erl's sake; no effect (each distribution connection is long-lived). */
  reuse_sessions?: boolean;
  /** Accepted for erl's sake; no effect (it hibernates erl's connection processes). */
  hibernate_after?: number;
  /** Server only: prefer our cipher order to the client's. */
  honor_cipher_order?: boolean;
  /** Server only: PEM Diffie-Hellman parameters for DHE suites. */
  dhfile?: string;
  /**
   * Client only: the name sent as SNI and checked against the server's certificate. Default the
   * host of the node name dialed, as erl sends; `disable` sends none and checks no name (the
   * certificate chain is still checked).
   */
  server_name_indication?: string;
}

/** Both sides, as in erl's optfile: `server` for connections we accept, `client` for ones we make. */
export interface SslDistOptions {
  server?: SslOptions;
  client?: SslOptions;
}

/** Which side an option belongs to. */
export type SslSide = 'server' | 'client';

/** What is wrong with TLS distribution options, as a stable code. */
export type SslDistOptionErrorCode = 'unknown_option' | 'unsupported_option' | 'bad_value' | 'bad_file' | 'syntax';

/** TLS distribution options that cannot be used; the message names the option and where it came from. */
export class SslDistOptionError extends Error {
  override readonly name = 'SslDistOptionError';

  constructor(
    readonly code: SslDistOptionErrorCode,
    message: string,
    /** The offending option, when one is to blame. */
    readonly option?: string,
  ) {
    super(message);
  }
}

type Kind = 'string' | 'boolean' | 'integer' | 'verify' | 'versions' | 'ciphers' | 'sni';

/** Every option we take, with its kind and the side it is limited to (if any). */
export const SSL_OPTION_KINDS: Readonly<Record<keyof SslOptions, { kind: Kind; only?: SslSide }>> = {
  certfile: { kind: 'string' },
  keyfile: { kind: 'string' },
  cacertfile: { kind: 'string' },
  password: { kind: 'string' },
  verify: { kind: 'verify' },
  fail_if_no_peer_cert: { kind: 'boolean', only: 'server' },
  versions: { kind: 'versions' },
  ciphers: { kind: 'ciphers' },
  depth: { kind: 'integer' },
  secure_renegotiate: { kind: 'boolean' },
  reuse_sessions: { kind: 'boolean' },
  hibernate_after: { kind: 'integer' },
  honor_cipher_order: { kind: 'boolean', only: 'server' },
  dhfile: { kind: 'string', only: 'server' },
  server_name_indication: { kind: 'sni', only: 'client' },
};

/** erl options we know but cannot honour: refusing them beats silently weaker security. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  verify_fun: 'erlbridge cannot run an Erlang fun',
  crl_check: 'erlbridge does not check CRLs',
  crl_cache: 'erlbridge does not check CRLs',
  cacerts: 'give the CA certificates as cacertfile',
  cert: 'give the certificate as certfile',
  key: 'give the key as keyfile',
  ktls: 'Node has no kernel TLS',
};

const VERSIONS: Readonly<Record<SslVersion, tls.SecureVersion>> = {
  tlsv1: 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
};
const VERSION_ORDER: SslVersion[] = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'];
const DEFAULT_VERSIONS: SslVersion[] = ['tlsv1.3', 'tlsv1.2'];

/**
 * Check options given as objects: every key known and allowed on its side, every value of its
 * kind. `origin` names where they came from in errors (a file, or "the TLS options").
 */
export function checkSslDistOptions(options: SslDistOptions, origin: string): void {
  for (const key of Object.keys(options)) {
    if (key !== 'server' && key !== 'client') {
      throw new SslDistOptionError('unknown_option', `${origin}: unknown section ${key} (expected server and client)`, key);
    }
  }
  for (const side of ['server', 'client'] as const) {
    const sideOptions = options[side] ?? {};
    for (const [name, value] of Object.entries(sideOptions)) checkOption(side, name, value, origin);
  }
}

function checkOption(side: SslSide, name: string, value: unknown, origin: string): void {
  const where = `${origin}: ${side} option ${name}`;
  if (name in UNSUPPORTED) throw new SslDistOptionError('unsupported_option', `${where} is not supported: ${UNSUPPORTED[name]}`, name);
  const spec = SSL_OPTION_KINDS[name as keyof SslOptions] as { kind: Kind; only?: SslSide } | undefined;
  if (!spec) throw new SslDistOptionError('unknown_option', `${where} is unknown`, name);
  if (spec.only && spec.only !== side) {
    throw new SslDistOptionError('unknown_option', `${where} is a ${spec.only} option; erl refuses it in ${side}`, name);
  }
  if (!valueFits(spec.kind, value)) throw new SslDistOptionError('bad_value', `${where} must be ${KIND_TEXT[spec.kind]}`, name);
}

const KIND_TEXT: Record<Kind, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a non-negative integer',
  verify: 'verify_peer or verify_none',
  versions: `a non-empty list of ${VERSION_ORDER.join(', ')}`,
  ciphers: 'a list of cipher suite names (or one :-separated string)',
  sni: 'a host name or disable',
};

function valueFits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
    case 'sni':
      return typeof value === 'string' && value !== '';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'verify':
      return value === 'verify_peer' || value === 'verify_none';
    case 'versions':
      return Array.isArray(value) && value.length > 0 && value.every((v) => VERSION_ORDER.includes(v as SslVersion));
    case 'ciphers':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== ''));
  }
}

/** One side's options as Node takes them, plus what Node has no option for and we check ourselves. */
export interface NodeSslOptions {
  /** For `tls.createServer` or `tls.connect` (without host, port and servername). */
  tls: tls.TlsOptions & tls.ConnectionOptions;
  /** Our `verify`: the peer's certificate must chain to `cacertfile` (and name the host, for a client). */
  verifyPeer: boolean;
  /** Server: refuse a client without a certificate. */
  failIfNoPeerCert: boolean;
  /** The most intermediate CA certificates allowed, when limited. */
  depth: number | undefined;
  /** Client: the SNI to send: the dialed host (`host`), a fixed name, or none. */
  serverName: { from: 'host' } | { from: 'option'; name: string } | { from: 'none' };
}

/** Read one side's files and build its Node options. Throws {@link SslDistOptionError}. */
export function nodeSslOptions(side: SslSide, options: SslOptions, origin: string): NodeSslOptions {
  const read = (name: 'certfile' | 'keyfile' | 'cacertfile' | 'dhfile'): Buffer | undefined => {
    const file = options[name];
    if (file === undefined) return undefined;
    const resolved = path.resolve(file);
    try {
      return fs.readFileSync(resolved);
    } catch (error) {
      throw new SslDistOptionError(
        'bad_file',
        `${origin}: ${side} option ${name}: cannot read ${resolved}: ${(error as Error).message}`,
        name,
      );
    }
  };
  const cert = read('certfile');
  if (side === 'server' && cert === undefined) {
    throw new SslDistOptionError('bad_value', `${origin}: the server options need a certfile (the node's certificate)`, 'certfile');
  }
  const verifyPeer = (options.verify ?? (side === 'client' ? 'verify_peer' : 'verify_none')) === 'verify_peer';
  const ca = read('cacertfile');
  if (verifyPeer && ca === undefined) {
    // OTP 26+ refuses this too ({options,incompatible,[{verify,verify_peer},{cacerts,undefined}]}).
    const hint = side === 'client' && options.verify === undefined ? ' (verify_peer is the client default)' : '';
    throw new SslDistOptionError(
      'bad_value',
      `${origin}: ${side} option verify_peer${hint} needs a cacertfile; give one, or {verify, verify_none}`,
      'verify',
    );
  }
  const versions = [...(options.versions ?? DEFAULT_VERSIONS)].sort((a, b) => VERSION_ORDER.indexOf(a) - VERSION_ORDER.indexOf(b));
  const ciphers =
    options.ciphers === undefined ? undefined : typeof options.ciphers === 'string' ? options.ciphers : options.ciphers.join(':');
  const sni = options.server_name_indication;
  const nodeTls = {
    cert,
    // erl takes the key from certfile when there is no keyfile; OpenSSL finds it among the PEM blocks.
    key: read('keyfile') ?? cert,
    passphrase: options.password,
    ca,
    dhparam: read('dhfile'),
    ciphers,
    honorCipherOrder: options.honor_cipher_order,
    minVersion: VERSIONS[versions[0]],
    maxVersion: VERSIONS[versions[versions.length - 1]],
  };
  try {
    // Now, not at the first connection: a wrong password or a file that is no PEM is a config error.
    tls.createSecureContext(nodeTls);
  } catch (error) {
    const reason = (error as Error & { reason?: string }).reason ?? (error as Error).message;
    throw new SslDistOptionError('bad_value', `${origin}: the ${side} options' files, password or ciphers cannot be used: ${reason}`);
  }
  return {
    tls: nodeTls,
    verifyPeer,
    failIfNoPeerCert: options.fail_if_no_peer_cert === true,
    depth: options.depth,
    serverName: sni === undefined ? { from: 'host' } : sni === 'disable' ? { from: 'none' } : { from: 'option', name: sni },
  };
}

/**
 * Why the peer's certificate chain is longer than `depth` allows, or null when it is not.
 * `peer` is `getPeerCertificate(true)`: each certificate links to its issuer, the root to itself.
 */
export function chainTooDeep(peer: tls.DetailedPeerCertificate, depth: number): string | null {
  let intermediates = 0;
  let cert = peer;
  while (cert.issuerCertificate && cert.issuerCertificate !== cert && cert.issuerCertificate.fingerprint256 !== cert.fingerprint256) {
    cert = cert.issuerCertificate;
    const selfIssued = cert.issuerCertificate === cert || cert.issuerCertificate?.fingerprint256 === cert.fingerprint256;
    if (!selfIssued) intermediates++;
  }
  return intermediates > depth ? `its certificate chain has ${intermediates} intermediate CAs, more than depth ${depth}` : null;
}
