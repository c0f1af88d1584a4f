/**
 * Jest's globalTeardown, which runs after the reporters' summary: print the coverage line (what
 * the conformance suites ran against, loud about what is missing), and fail the run under
 * `CI=true` when the OTP matrix is incomplete.
 */
import * as fs from 'fs';
import * as path from 'path';
import { INSTALLATIONS_ENV } from './global-setup';
import { USAGE_FILE_ENV } from './otp';
import { Installations, coverageVerdict, parseUses } from './otp-coverage';

export default function globalTeardown(): void {
  const installed = JSON.parse(process.env[INSTALLATIONS_ENV] ?? 'null') as Installations | null;
  const usage = process.env[USAGE_FILE_ENV];
  if (installed === null || usage === undefined) return;
  const uses = parseUses(fs.readFileSync(usage, 'utf8'));
  fs.rmSync(path.dirname(usage), { recursive: true, force: true });
  const verdict = coverageVerdict(installed, uses, process.env.CI === 'true');
  process.stderr.write(`\n${verdict.lines.join('\n')}\n`);
  if (verdict.failure !== null) throw new Error(verdict.failure);
}
