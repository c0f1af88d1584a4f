/**
 * Which real Erlang/OTP installations the conformance tests run against.
 *
 * The host's `erl` (OTP 25 from Debian) and, when present, Debian chroots built by `.ci/run`
 * (`trixie` = OTP 27, `sid` = OTP 29) under `ERLBRIDGE_OTP_CHROOTS` (default
 * `/var/tmp/erlbridge-otp`). A chroot shares the host's network, so a chrooted `erl -sname x`
 * reaches host nodes and EPMD over loopback.
 *
 * With `CI=true` a missing host `erl` is a failure; elsewhere conformance tests are skipped with one
 * loud line. `ERLBRIDGE_OTP_HOST_ONLY=1` leaves the chroots out, for a quick run while developing.
 */
import { execFileSync, spawn, ChildProcess, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Otp {
  /** e.g. `OTP 25 (host)` or `OTP 29 (sid chroot)`. */
  label: string;
  /** The OTP major release, e.g. `'27'`. */
  release: string;
  /** The chroot directory, or null for the host. */
  root: string | null;
}

const CHROOT_DIR = process.env.ERLBRIDGE_OTP_CHROOTS ?? '/var/tmp/erlbridge-otp';
const CHROOT_SUITES = ['trixie', 'sid'];

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The argv that runs `cmd args` with this OTP (inside its chroot if it has one). */
export function otpCommand(otp: Otp, cmd: string, args: string[]): [string, string[]] {
  return otp.root === null ? [cmd, args] : ['chroot', [otp.root, cmd, ...args]];
}

function releaseOf(otp: Omit<Otp, 'label' | 'release'>): string | null {
  const [cmd, args] = otpCommand({ ...otp, label: '', release: '' }, 'erl', [
    '-noshell',
    '-eval',
    'io:put_chars(erlang:system_info(otp_release)), halt().',
  ]);
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

let cached: Otp[] | undefined;

/** Every usable OTP installation: the host's first, then the chroots that exist and work. */
export function otpVariants(): Otp[] {
  if (cached) return cached;
  const found: Otp[] = [];
  if (which('erl')) {
    const release = releaseOf({ root: null });
    if (release) found.push({ label: `OTP ${release} (host)`, release, root: null });
  }
  if (process.env.ERLBRIDGE_OTP_HOST_ONLY !== '1') {
    for (const suite of CHROOT_SUITES) {
      const root = path.join(CHROOT_DIR, suite);
      if (!fs.existsSync(path.join(root, 'usr/bin/erl'))) continue;
      const release = releaseOf({ root });
      if (release) found.push({ label: `OTP ${release} (${suite} chroot)`, release, root });
      else process.stderr.write(`!!! erlbridge: chroot ${root} has erl but it does not run; skipped\n`);
    }
  }
  cached = found;
  return found;
}

/**
 * `describe.each` over the OTP variants, or one loud skip when there is no `erl`.
 * With CI=true a missing host erl fails.
 */
export function describeOtp(name: string, body: (otp: Otp) => void): void {
  const variants = otpVariants();
  if (variants.length === 0 || variants[0].root !== null) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs a host erl (CI=true)', () => {
          throw new Error('no host `erl` found on PATH: install erlang-nox (CI=true makes this a failure)');
        });
      });
      return;
    }
    process.stderr.write(`!!! erlbridge: no host erl on PATH; conformance tests "${name}" SKIPPED\n`);
    describe.skip(name, () => it('needs erl', () => undefined));
    return;
  }
  describe.each(variants.map((v) => [v.label, v] as const))(`${name} against %s`, (_label, otp) => body(otp));
}

/**
 * Make a host file readable by this OTP: the same path on the host, a copy under the chroot's
 * /tmp otherwise. Returns the path as the OTP sees it.
 */
export function stageFile(otp: Otp, hostPath: string): string {
  if (otp.root === null) return hostPath;
  const inside = path.join('/tmp', `erlbridge-${process.pid}`, path.basename(hostPath));
  const target = path.join(otp.root, inside);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(hostPath, target);
  return inside;
}

/** Run `erl -noshell -eval CODE` to completion and return its stdout. CODE must call halt(). */
export function erlEval(otp: Otp, code: string, extraArgs: string[] = [], timeoutMs = 60000): string {
  const [cmd, args] = otpCommand(otp, 'erl', ['-noshell', ...extraArgs, '-eval', code]);
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
}

/** Spawn an OTP program (erl, escript, elixir on the host, ...) in the background. */
export function spawnOtp(otp: Otp, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const [c, a] = otpCommand(otp, cmd, args);
  return spawn(c, a, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

let uniqueCounter = 0;

/** A node-name part and a cookie no other test (or test run) uses. */
export function uniqueName(prefix = 'eb'): string {
  uniqueCounter += 1;
  return `${prefix}${process.pid}x${uniqueCounter}x${Math.random().toString(36).slice(2, 8)}`;
}
