/** Which code a bench measured, for the line under its section of docs/benchmarks.md. */
import { execFileSync } from 'node:child_process';

/** The short commit of `root`, and the library files changed but not committed, if any. */
export function codeRevision(root: string): string {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trimEnd();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'src', 'codec', 'handshake')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3));
  const rev = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return dirty.length ? `${rev} plus uncommitted changes in ${dirty.join(', ')}` : rev;
}
