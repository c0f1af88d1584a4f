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
 * The run probes once (global-setup.ts) and ends with a line naming what it covered, loud about
 * what is missing (otp-coverage.ts, global-teardown.ts).
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

/** Where the chroots live: `ERLBRIDGE_OTP_CHROOTS`, else `/var/tmp/erlbridge-otp`. */
export function otpChrootDir(): string {
  return process.env.ERLBRIDGE_OTP_CHROOTS ?? '/var/tmp/erlbridge-otp';
}

/** The Debian suites `.ci/otp-chroots.sh` builds, and the OTP each brings. */
export const OTP_CHROOT_SUITES: readonly { suite: string; expected: string }[] = [
  { suite: 'trixie', expected: 'OTP 27' },
  { suite: 'sid', expected: 'OTP 29' },
];

/**
 * Set by the test run's global setup (test/support/global-setup.ts): the variants it found, as
 * JSON, so that each worker reuses that one probe instead of starting erl three times itself.
 */
export const PROBED_VARIANTS_ENV = 'ERLBRIDGE_OTP_PROBED';
/** Set by the global setup: a file where each suite notes the OTPs (and Elixir) it used. */
export const USAGE_FILE_ENV = 'ERLBRIDGE_OTP_USAGE_FILE';

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

function releaseOf(root: string | null): string | null {
  const [cmd, args] = otpCommand({ root, label: '', release: '' }, 'erl', [
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

/** What a probe found: the usable OTPs, and one loud line for each one that is not there. */
export interface OtpProbe {
  variants: Otp[];
  /** e.g. `no OTP chroot at /var/tmp/erlbridge-otp/sid (OTP 29 expected; ...)`. */
  missing: string[];
}

/**
 * Find the usable OTP installations: the host's erl first, then each chroot under `chrootDir`
 * that exists and runs. `hostOnly` (ERLBRIDGE_OTP_HOST_ONLY=1) leaves the chroots out on purpose,
 * which still counts as missing coverage.
 */
export function probeOtp(chrootDir: string, hostOnly: boolean): OtpProbe {
  const variants: Otp[] = [];
  const missing: string[] = [];
  const hostRelease = which('erl') ? releaseOf(null) : null;
  if (hostRelease) variants.push({ label: `OTP ${hostRelease} (host)`, release: hostRelease, root: null });
  else missing.push('no host erl on PATH (apt-get install erlang-nox)');
  if (hostOnly) {
    missing.push('ERLBRIDGE_OTP_HOST_ONLY=1 left the OTP chroots out');
    return { variants, missing };
  }
  for (const { suite, expected } of OTP_CHROOT_SUITES) {
    const root = path.join(chrootDir, suite);
    if (!fs.existsSync(path.join(root, 'usr/bin/erl'))) {
      missing.push(`no OTP chroot at ${root} (${expected} expected; build it with .ci/otp-chroots.sh as root)`);
      continue;
    }
    const release = releaseOf(root);
    if (release) variants.push({ label: `OTP ${release} (${suite} chroot)`, release, root });
    else missing.push(`chroot ${root} has erl but it does not run (${expected} expected)`);
  }
  return { variants, missing };
}

let cached: Otp[] | undefined;

/** Every usable OTP installation: the host's first, then the chroots that exist and work. */
export function otpVariants(): Otp[] {
  if (cached) return cached;
  const probed = process.env[PROBED_VARIANTS_ENV];
  if (probed !== undefined) cached = JSON.parse(probed) as Otp[];
  else {
    const probe = probeOtp(otpChrootDir(), process.env.ERLBRIDGE_OTP_HOST_ONLY === '1');
    for (const line of probe.missing.filter((m) => m.includes('does not run'))) process.stderr.write(`!!! erlbridge: ${line}; skipped\n`);
    cached = probe.variants;
  }
  return cached;
}

/**
 * Note that the running test file uses `what` (an OTP label, or `Elixir`), for the run's closing
 * coverage line. A no-op outside a run that has the global setup.
 */
export function recordUse(what: string): void {
  const file = process.env[USAGE_FILE_ENV];
  if (file === undefined) return;
  const testPath = (expect.getState().testPath ?? '?').replace(/\t|\n/g, ' ');
  fs.appendFileSync(file, `${what}\t${testPath}\n`);
}

/**
 * `describe.each` over the OTP variants, or one loud skip when there is no `erl`.
 * With CI=true a missing host erl fails.
 */
export function describeOtp(name: string, body: (otp: Otp) => void): void {
  const variants = otpVariants();
  if (hostMissing(name, variants)) return;
  describe.each(variants.map((v) => [v.label, v] as const))(`${name} against %s`, (label, otp) => {
    recordUse(label);
    body(otp);
  });
}

/** {@link describeOtp} for the host's erl alone: for what runs erl as a user's shell would, from PATH. */
export function describeHostOtp(name: string, body: (otp: Otp) => void): void {
  const variants = otpVariants();
  if (hostMissing(name, variants)) return;
  describe(`${name} against ${variants[0].label}`, () => {
    recordUse(variants[0].label);
    body(variants[0]);
  });
}

/** With no host erl: a failing test under CI=true, else one loud skip; true then. */
function hostMissing(name: string, variants: Otp[]): boolean {
  if (variants.length === 0 || variants[0].root !== null) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs a host erl (CI=true)', () => {
          throw new Error('no host `erl` found on PATH: install erlang-nox (CI=true makes this a failure)');
        });
      });
      return true;
    }
    process.stderr.write(`!!! erlbridge: no host erl on PATH; conformance tests "${name}" SKIPPED\n`);
    describe.skip(name, () => it('needs erl', () => undefined));
    return true;
  }
  return false;
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
