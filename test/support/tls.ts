/**
 * Certificates and optfiles for TLS distribution tests: scripts/make-certs.sh into a temp dir
 * per run (removed after), a copy wherever a chrooted erl can read it, and optfiles in erl's
 * format that name the files as each reader sees them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Otp, erlEval } from './otp';

const MAKE_CERTS = path.join(__dirname, '../../scripts/make-certs.sh');

/** The files of make-certs.sh, in one directory. */
export interface CertDir {
  /** The directory as the host sees it. */
  dir: string;
  /** Remove it (and every copy made for a chroot). */
  remove(): void;
  /** The directory as `otp`'s erl sees it: a copy inside its chroot, made on first use. */
  seenBy(otp: Otp): string;
}

/** True when openssl is installed; with CI=true its absence is the caller's failure to report. */
export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run scripts/make-certs.sh into a fresh temp dir. */
export function makeCerts(hosts: string[] = []): CertDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-tls-'));
  execFileSync(MAKE_CERTS, [dir, ...hosts], { stdio: 'ignore', timeout: 60_000 });
  const copies = new Map<string, string>();
  return {
    dir,
    seenBy(otp) {
      if (otp.root === null) return dir;
      let inside = copies.get(otp.root);
      if (inside === undefined) {
        inside = path.join('/tmp', path.basename(dir));
        fs.cpSync(dir, path.join(otp.root, inside), { recursive: true });
        copies.set(otp.root, inside);
      }
      return inside;
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
      for (const [root, inside] of copies) fs.rmSync(path.join(root, inside), { recursive: true, force: true });
    },
  };
}

/** What an optfile sets up. */
export interface OptfileSpec {
  /** Which certificate the node presents: `node` (signed by the CA) or `other` (another CA's). */
  cert?: 'node' | 'other';
  /** verify_peer and fail_if_no_peer_cert on the server; verify_peer on the client (default true). */
  mutual?: boolean;
  /** erl's versions, e.g. `['tlsv1.3']`; omitted: erl's default. */
  versions?: string[];
  /** The client presents the certificate too (default true); false: a client without one. */
  clientCert?: boolean;
}

/** The optfile text for files under `dir` (as its reader sees them). */
export function optfileText(dir: string, spec: OptfileSpec = {}): string {
  const cert = spec.cert ?? 'node';
  const files = [`{certfile, "${dir}/${cert}.pem"}`, `{keyfile, "${dir}/${cert}-key.pem"}`, `{cacertfile, "${dir}/ca.pem"}`];
  const versions = spec.versions ? [`{versions, [${spec.versions.map((v) => `'${v}'`).join(', ')}]}`] : [];
  const mutual = spec.mutual ?? true;
  const server = [
    ...files,
    `{verify, ${mutual ? 'verify_peer' : 'verify_none'}}`,
    ...(mutual ? ['{fail_if_no_peer_cert, true}'] : []),
    ...versions,
  ];
  const client = [...(spec.clientCert === false ? files.slice(2) : files), '{verify, verify_peer}', ...versions];
  return `%% written by test/support/tls.ts\n[{server, [${server.join(', ')}]},\n {client, [${client.join(', ')}]}].\n`;
}

/**
 * Write an optfile `name` into the certificate directory: one for TS (host paths) and, for
 * `otp`, the same options with the paths its erl sees. Returns both paths (the erl one as erl sees it).
 */
export function writeOptfiles(certs: CertDir, otp: Otp, name: string, spec: OptfileSpec = {}): { ts: string; erl: string } {
  const ts = path.join(certs.dir, `${name}.ts.conf`);
  fs.writeFileSync(ts, optfileText(certs.dir, spec));
  const seen = certs.seenBy(otp);
  const erlFile = `${name}.erl.conf`;
  const text = optfileText(seen, spec);
  fs.writeFileSync(path.join(certs.dir, erlFile), text);
  if (otp.root !== null) fs.writeFileSync(path.join(otp.root, seen, erlFile), text);
  return { ts, erl: path.join(seen, erlFile) };
}

/** erl's arguments for TLS distribution with `optfile` (as erl sees it). */
export const tlsErlArgs = (optfile: string): string[] => ['-proto_dist', 'inet_tls', '-ssl_dist_optfile', optfile];

const sslCache = new Map<string, boolean>();

/** Whether `otp` has the ssl application (Debian's erlang-ssl). */
export function hasSsl(otp: Otp): boolean {
  let known = sslCache.get(otp.label);
  if (known === undefined) {
    try {
      known = erlEval(otp, 'io:format("~p", [element(1, application:ensure_all_started(ssl))]), halt().', [], 30_000) === 'ok';
    } catch {
      known = false;
    }
    sslCache.set(otp.label, known);
  }
  return known;
}

/**
 * Run `body` when `otp` has ssl and openssl is installed; otherwise one loud skip (a failure
 * with CI=true).
 */
export function describeTls(name: string, otp: Otp, body: () => void): void {
  describeNeeding(name, !haveOpenssl() ? 'openssl' : !hasSsl(otp) ? `erlang-ssl in ${otp.label}` : null, body);
}

/** Run `body` when openssl is installed (to make certificates); otherwise as {@link describeTls}. */
export function describeWithCerts(name: string, body: () => void): void {
  describeNeeding(name, haveOpenssl() ? null : 'openssl', body);
}

function describeNeeding(name: string, missing: string | null, body: () => void): void {
  if (missing === null) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${missing} (CI=true)`, () => {
        throw new Error(`${missing} is missing: TLS distribution tests cannot run (CI=true makes this a failure)`);
      });
    });
    return;
  }
  process.stderr.write(`!!! erlbridge: ${missing} is missing; TLS tests "${name}" SKIPPED\n`);
  describe.skip(name, () => it(`needs ${missing}`, () => undefined));
}
