/**
 * The BEAM baseline: compiles and runs beam_codec.erl with the host's `erl`, which times
 * term_to_binary/binary_to_term on the same terms and writes their bytes for the checks here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { benchDir } from './codecs';
import { Timing } from './measure';
import { WorkloadId } from './workloads';

export interface BeamResult {
  otp: string;
  erts: string;
  /** `${workload}:${direction}` -> median CPU and wall ns per op. */
  nsPerOp: Map<string, { cpu: number; wall: number }>;
  /** The bytes of term_to_binary(T, [{minor_version, 2}]) per workload. */
  bytes: Map<WorkloadId, Buffer>;
}

export function runBeam(workloads: WorkloadId[], t: Timing, outDir: string): BeamResult | { error: string } {
  const src = path.join(benchDir(), 'codec', 'beam_codec.erl');
  const ebin = path.join(outDir, 'beam');
  fs.mkdirSync(ebin, { recursive: true });
  const erlc = spawnSync('erlc', ['-o', ebin, src], { encoding: 'utf8' });
  if (erlc.error || erlc.status !== 0) {
    return { error: `erlc failed: ${erlc.error ? erlc.error.message : (erlc.stderr || erlc.stdout).trim()}` };
  }
  // no scheduler busy-waiting: an idle scheduler spinning would count as CPU time of the bench
  const args = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none', '-noshell', '-noinput'];
  args.push('-pa', ebin, '-run', 'beam_codec', 'main', ebin);
  args.push(String(t.warmupMs), String(t.roundMs), String(t.rounds), workloads.join(''));
  const erl = spawnSync('erl', args, { encoding: 'utf8', timeout: 10 * 60 * 1000, maxBuffer: 16 << 20 });
  if (erl.error || erl.status !== 0) {
    return {
      error: `erl failed (${erl.error ? erl.error.message : `exit ${erl.status}`}): ${(erl.stderr || erl.stdout).trim().slice(0, 400)}`,
    };
  }
  const result: BeamResult = { otp: '?', erts: '?', nsPerOp: new Map(), bytes: new Map() };
  for (const line of erl.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'OTP') {
      result.otp = f[1];
      result.erts = f[2];
    } else if (f[0] === 'RESULT') {
      result.nsPerOp.set(`${f[1]}:${f[2]}`, { cpu: Number(f[3]), wall: Number(f[4]) });
    }
  }
  for (const w of workloads) {
    const file = path.join(ebin, `${w}.etf`);
    if (fs.existsSync(file)) result.bytes.set(w, fs.readFileSync(file));
  }
  return result;
}
