/**
 * Jest's globalSetup: probe the OTP installations and Elixir once for the whole run (instead of
 * once per worker), hand the result to the workers and to global-teardown.ts through the
 * environment, and make the file where suites note what they used.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROBED_VARIANTS_ENV, USAGE_FILE_ENV, otpChrootDir, probeOtp } from './otp';
import { Installations, probeElixir } from './otp-coverage';

/** Read by global-teardown.ts: the {@link Installations} found, as JSON. */
export const INSTALLATIONS_ENV = 'ERLBRIDGE_INSTALLATIONS';

export default function globalSetup(): void {
  const probe = probeOtp(otpChrootDir(), process.env.ERLBRIDGE_OTP_HOST_ONLY === '1');
  const installed: Installations = { ...probe, elixir: probeElixir() };
  // Workers are forked after this, with this environment.
  process.env[PROBED_VARIANTS_ENV] = JSON.stringify(probe.variants);
  process.env[INSTALLATIONS_ENV] = JSON.stringify(installed);
  const usage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-uses-')), 'uses.tsv');
  fs.writeFileSync(usage, '');
  process.env[USAGE_FILE_ENV] = usage;
}
