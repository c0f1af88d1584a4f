/**
 * EPMD daemons a test started through ensureEpmd outlive the test by design (like
 * `epmd -daemon`), so the test stops them itself, by pid.
 */
import * as fs from 'fs';

/** True while process `pid` exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the daemon `pid` and wait (up to 2 s) until it is gone. */
export async function stopDaemon(pid: number): Promise<void> {
  if (!isRunning(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isRunning(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Pids of embedded EPMD daemons (`daemon.ts`/`daemon.js PORT`) serving `port`, read from /proc:
 * for a test that expects none to have been started, so that when one was (a bug) it can stop
 * exactly that one, by pid, instead of leaving it behind.
 */
export function daemonsOnPort(port: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of entries) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = argv.findIndex((a) => /[/\\]handshake[/\\]epmd[/\\]daemon\.(ts|js)$/.test(a));
    if (at >= 0 && argv[at + 1] === String(port)) found.push(Number(entry));
  }
  return found;
}
