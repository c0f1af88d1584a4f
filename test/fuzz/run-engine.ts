/**
 * Runs the fuzz engine (fuzz/run.js) in a child process, as `npm run fuzz` does, so that jest's
 * module system does not stand between the engine's require hook and the code it instruments.
 */
import { spawn } from 'child_process';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** What the engine reports per target (see fuzz/engine/main.ts). */
export interface TargetReport {
  name: string;
  executions: number;
  edgesFromSeeds: number;
  edges: number;
  corpusSize: number;
  findings: { kind: string; summary: string; key: string; file: string }[];
}

export interface EngineRun {
  reports: TargetReport[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Run the targets in `files` (paths from the repository root) in one child with `flags`. A child
 * still running after `timeoutMs` (keep it under the test's own timeout) is killed with SIGTERM.
 */
export function runEngine(files: string[], flags: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 50_000): Promise<EngineRun> {
  const args = [path.join(ROOT, 'fuzz', 'run.js'), ...files.flatMap((file) => ['--child', file]), ...flags];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const reports = stdout
        .split('\n')
        .filter((line) => line.startsWith('FUZZ-REPORT '))
        .map((line) => JSON.parse(line.slice('FUZZ-REPORT '.length)) as TargetReport);
      resolve({ reports, code, signal, stderr });
    });
  });
}
