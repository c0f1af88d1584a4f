/**
 * The test run's closing coverage line: which OTPs (and Elixir) the conformance suites ran
 * against, a loud `!!!` line for each installation that is missing, and under `CI=true` a failure
 * when anything is missing, since CI promises the whole matrix (DESIGN.md, Tests).
 */
import { execFileSync } from 'child_process';
import { Otp, OtpProbe } from './otp';

/** What one run could use: the OTP probe, and Elixir's version (null when there is none). */
export interface Installations extends OtpProbe {
  /** e.g. `1.14.0`. */
  elixir: string | null;
}

/** `elixir`'s version, or null when it is not on PATH or does not run. */
export function probeElixir(): string | null {
  try {
    return execFileSync('elixir', ['-e', 'IO.write(System.version())'], {
      encoding: 'utf8',
      timeout: 30000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** One `recordUse` note: a suite (test file) used an OTP variant, by label, or `Elixir`. */
export interface Use {
  what: string;
  testPath: string;
}

/** Parse the usage file: one `WHAT<TAB>TEST_PATH` line per use. */
export function parseUses(text: string): Use[] {
  return text
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [what, testPath] = line.split('\t');
      return { what, testPath };
    });
}

/** The verdict: lines to print last, and the reason the run fails (CI only), or null. */
export interface CoverageVerdict {
  lines: string[];
  failure: string | null;
}

function elixirLabel(version: string): string {
  return `Elixir ${version.split('.').slice(0, 2).join('.')}`;
}

/**
 * Judge a run: name what the suites used (in the order of `installed.variants`, then Elixir), how
 * many suites used each, and every missing installation loudly. With `ci` a missing installation
 * fails the run, even when no suite of this run needed it: CI must cover the whole matrix.
 */
export function coverageVerdict(installed: Installations, uses: Use[], ci: boolean): CoverageVerdict {
  const suitesOf = new Map<string, Set<string>>();
  for (const { what, testPath } of uses) {
    const suites = suitesOf.get(what) ?? new Set<string>();
    suites.add(testPath);
    suitesOf.set(what, suites);
  }
  // Each installation by its label and the name suites record it under.
  const installations = installed.variants.map((v: Otp) => ({ label: v.label, key: v.label }));
  if (installed.elixir !== null) installations.push({ label: elixirLabel(installed.elixir), key: 'Elixir' });
  const used = installations.filter(({ key }) => suitesOf.has(key));

  const lines: string[] = [];
  const missing = [...installed.missing];
  if (installed.elixir === null) missing.push('no elixir on PATH (apt-get install elixir)');
  for (const m of missing) lines.push(`!!! erlbridge conformance: ${m}`);
  if (used.length === 0) {
    const available = installations.map(({ label }) => label).join(', ') || 'none';
    lines.push(`erlbridge conformance: no conformance suite ran (available: ${available})`);
  } else {
    lines.push(`erlbridge conformance: ${used.map(({ label }) => label).join(', ')}`);
    lines.push(`erlbridge conformance suites: ${used.map(({ label, key }) => `${label} ${suitesOf.get(key)?.size}`).join(', ')}`);
  }
  const failure = ci && missing.length > 0 ? `CI=true and the OTP matrix is incomplete: ${missing.join('; ')}` : null;
  return { lines, failure };
}
