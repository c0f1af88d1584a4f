/**
 * What /proc says about a process of the bench: its resident memory, and the CPU time of all its
 * threads from schedstat (nanoseconds the scheduler ran them, not /proc/PID/stat's 10 ms ticks).
 */
import * as fs from 'fs';

/** VmRSS of `pid` in bytes. */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/**
 * Nanoseconds on a CPU of every live thread of `pid` (the first field of each
 * /proc/PID/task/TID/schedstat). A thread that has ended no longer counts, so compare two
 * readings only across a stretch in which the process starts and ends no threads (erl's
 * schedulers and Node's workers live as long as the process).
 */
export function cpuNsOf(pid: number): number {
  let total = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}
