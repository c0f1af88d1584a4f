/**
 * EPMD daemons a test started through ensureEpmd outlive the test by design (like
 * `epmd -daemon`), so the test stops them itself, by pid.
 */

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
