/**
 * The run's coverage check: a missing or broken OTP chroot is a loud line, and under CI=true a
 * failed run. Checked against fake chroot directories (ERLBRIDGE_OTP_CHROOTS pointing elsewhere),
 * and once through a real jest run of one small unit suite.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OTP_CHROOT_SUITES, otpChrootDir, probeOtp } from './otp';
import { Installations, coverageVerdict, parseUses } from './otp-coverage';

let fake: string;
const savedDir = process.env.ERLBRIDGE_OTP_CHROOTS;

beforeEach(() => {
  fake = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-fake-chroots-'));
  process.env.ERLBRIDGE_OTP_CHROOTS = fake;
});

afterEach(() => {
  if (savedDir === undefined) delete process.env.ERLBRIDGE_OTP_CHROOTS;
  else process.env.ERLBRIDGE_OTP_CHROOTS = savedDir;
  fs.rmSync(fake, { recursive: true, force: true });
});

describe('probeOtp against a fake chroot directory', () => {
  it('finds no chroot in an empty directory and names each missing one', () => {
    const probe = probeOtp(otpChrootDir(), false);
    expect(probe.variants.filter((v) => v.root !== null)).toEqual([]);
    for (const { suite } of OTP_CHROOT_SUITES)
      expect(probe.missing).toContainEqual(expect.stringContaining(`no OTP chroot at ${path.join(fake, suite)}`));
  });

  it('reports a chroot whose erl does not run, and does not use it', () => {
    const erl = path.join(fake, 'sid', 'usr', 'bin', 'erl');
    fs.mkdirSync(path.dirname(erl), { recursive: true });
    fs.writeFileSync(erl, '', { mode: 0o755 });
    const probe = probeOtp(otpChrootDir(), false);
    expect(probe.variants.map((v) => v.root)).not.toContain(path.join(fake, 'sid'));
    expect(probe.missing).toContainEqual(expect.stringContaining(`chroot ${path.join(fake, 'sid')} has erl but it does not run`));
  });

  it('counts ERLBRIDGE_OTP_HOST_ONLY as missing coverage', () => {
    expect(probeOtp(otpChrootDir(), true).missing).toContainEqual(expect.stringContaining('ERLBRIDGE_OTP_HOST_ONLY=1'));
  });
});

describe('coverageVerdict', () => {
  const host = { label: 'OTP 25 (host)', release: '25', root: null };
  const sid = { label: 'OTP 29 (sid chroot)', release: '29', root: '/x/sid' };

  it('is loud about a missing chroot, and fails only under CI', () => {
    const installed: Installations = { ...probeOtp(otpChrootDir(), false), elixir: '1.14.0' };
    const relaxed = coverageVerdict(installed, [], false);
    expect(relaxed.failure).toBeNull();
    expect(relaxed.lines).toContainEqual(expect.stringMatching(new RegExp(`^!!! .*no OTP chroot at ${fake}/sid`)));
    const strict = coverageVerdict(installed, [], true);
    expect(strict.failure).toContain(`${fake}/trixie`);
    expect(strict.lines).toEqual(relaxed.lines);
  });

  it('names what the suites used, in matrix order, with how many suites used each', () => {
    const uses = parseUses(
      [
        'Elixir\t/t/rpc/elixir.test.ts',
        `${sid.label}\t/t/a.test.ts`,
        `${host.label}\t/t/a.test.ts`,
        `${host.label}\t/t/b.test.ts`,
        '',
      ].join('\n'),
    );
    const verdict = coverageVerdict({ variants: [host, sid], missing: [], elixir: '1.14.0' }, uses, true);
    expect(verdict.failure).toBeNull();
    expect(verdict.lines).toEqual([
      'erlbridge conformance: OTP 25 (host), OTP 29 (sid chroot), Elixir 1.14',
      'erlbridge conformance suites: OTP 25 (host) 2, OTP 29 (sid chroot) 1, Elixir 1.14 1',
    ]);
  });

  it('says so when no conformance suite ran, and counts a missing elixir', () => {
    const verdict = coverageVerdict({ variants: [host], missing: [], elixir: null }, [], true);
    expect(verdict.lines).toEqual([
      '!!! erlbridge conformance: no elixir on PATH (apt-get install elixir)',
      'erlbridge conformance: no conformance suite ran (available: OTP 25 (host))',
    ]);
    expect(verdict.failure).toContain('no elixir');
  });
});

describe('a jest run with a fake chroot directory', () => {
  // One small unit suite through the real jest config: its global setup and teardown.
  function runJest(ci: boolean) {
    const env: NodeJS.ProcessEnv = { ...process.env, ERLBRIDGE_OTP_CHROOTS: fake, CI: ci ? 'true' : 'false' };
    delete env.ERLBRIDGE_OTP_HOST_ONLY;
    const jest = require.resolve('jest/bin/jest');
    return spawnSync(process.execPath, [jest, '--runTestsByPath', 'test/codec/compare.test.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env,
      encoding: 'utf8',
      timeout: 120000,
    });
  }

  it('fails under CI=true, ending with the loud lines', () => {
    const run = runJest(true);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`!!! erlbridge conformance: no OTP chroot at ${fake}/trixie`));
    expect(run.stderr).toContain('erlbridge conformance: no conformance suite ran');
    expect(run.stderr).toContain('the OTP matrix is incomplete');
  });

  it('passes outside CI, still loud', () => {
    const run = runJest(false);
    expect(run.stderr).toMatch(new RegExp(`!!! erlbridge conformance: no OTP chroot at ${fake}/sid`));
    expect(run.status).toBe(0);
  });
});
