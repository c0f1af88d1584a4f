/**
 * The built CLI (`bin/erlbridge.js`, which runs dist/ as `npm ci`'s `prepare` leaves it) as a
 * process of its own, for tests that need it on another host (in a network namespace), where
 * the in-process runner of test/support/cli.ts cannot go. Without a build these tests are
 * skipped with one loud line; with CI=true that is a failure.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT_DIR = path.join(__dirname, '..', '..');
/** `bin/erlbridge.js` of this checkout. */
export const ERLBRIDGE_BIN = path.join(ROOT_DIR, 'bin', 'erlbridge.js');
const BUILT_CLI = path.join(ROOT_DIR, 'dist', 'src', 'cli.js');

/** `it`, when the CLI is built; otherwise a loud skip (a failure with CI=true). */
export function itWithBuiltCli(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  if (fs.existsSync(BUILT_CLI)) return it(name, body, timeoutMs);
  const why = `${BUILT_CLI} is missing: run \`npm run build\``;
  if (process.env.CI === 'true') {
    it(name, () => {
      throw new Error(`${why} (CI=true makes this a failure)`);
    });
    return;
  }
  process.stderr.write(`!!! erlbridge: ${why}; "${name}" SKIPPED\n`);
  it.skip(name, () => undefined);
}

/** Resolves with the first line of `child`'s stdout that matches `pattern`; rejects on exit or after `timeoutMs`. */
export function lineFrom(child: ChildProcess, pattern: RegExp, timeoutMs = 15000): Promise<string> {
  let seen = '';
  let errors = '';
  const onStderr = (chunk: Buffer) => (errors += chunk.toString('utf8'));
  child.stderr?.on('data', onStderr);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.stderr?.off('data', onStderr);
      if (error) reject(error);
      else resolve(line as string);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) done(null, line);
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited (${code}) before printing ${pattern}; stdout:\n${seen}\nstderr:\n${errors}`));
    const timer = setTimeout(
      () => done(new Error(`no ${pattern} within ${timeoutMs} ms; stdout:\n${seen}\nstderr:\n${errors}`)),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM `child` by pid (a CLI node leaves cleanly on it) and wait for it, SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
