import { spawn } from 'child_process';
import * as path from 'path';
import { connectTcp } from '../transport/tcp';
import { EpmdError } from './errors';
import { resolveEpmdPort } from './port';

/** Options of {@link ensureEpmd}. */
export interface EnsureEpmdOptions {
  /** EPMD port. Default `ERL_EPMD_PORT`, else 4369. */
  port?: number;
  /** How long in ms to wait for a newly started EPMD to accept connections. Default 5000 ms. */
  timeout?: number;
}

/** Which EPMD {@link ensureEpmd} found or started. */
export type EnsuredEpmd =
  /** Something already listened on the port. */
  | { origin: 'existing'; port: number }
  /** A detached EPMD process we started; it outlives this process, like `epmd -daemon`. */
  | { origin: 'daemon'; port: number; pid: number };

const DEFAULT_TIMEOUT_MS = 5000;
const POLL_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 1000;

// The entry script beside this module: daemon.js when built (dist/handshake/epmd/), daemon.ts
// when running from sources (ts-jest), so both start EPMD the same way.
const DAEMON_ENTRY = path.join(__dirname, `daemon${path.extname(__filename)}`);

// Plain node cannot load daemon.ts: this bootstrap (node -e) first makes require transpile .ts
// files with the checkout's typescript, then runs the entry with argv as `node daemon.js PORT`.
const FROM_SOURCES_BOOTSTRAP = `
const ts = require(process.argv.splice(1, 1)[0]);
const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, isolatedModules: true };
require.extensions['.ts'] = (module, file) =>
  module._compile(ts.transpileModule(require('fs').readFileSync(file, 'utf8'), { fileName: file, compilerOptions }).outputText, file);
require(process.argv[1]);
`;

function daemonArguments(port: number): string[] {
  if (path.extname(DAEMON_ENTRY) !== '.ts') return [DAEMON_ENTRY, String(port)];
  return ['-e', FROM_SOURCES_BOOTSTRAP, require.resolve('typescript'), DAEMON_ENTRY, String(port)];
}

/**
 * Make sure an EPMD listens on the port, as erl does at start-up: use one that is already
 * there, otherwise start the embedded EPMD as a detached process so that registrations of other
 * nodes survive when this one stops. Fails with an {@link EpmdError} (`start_failed`, `timeout`).
 */
export async function ensureEpmd(options: EnsureEpmdOptions = {}): Promise<EnsuredEpmd> {
  const port = resolveEpmdPort(options.port);
  if (await accepts(port)) return { origin: 'existing', port };
  const daemon = spawn(process.execPath, daemonArguments(port), {
    detached: true,
    stdio: 'ignore',
    cwd: path.parse(process.cwd()).root,
  });
  daemon.unref();
  // Set by the 'exit' listener; the assertion keeps TypeScript from narrowing it to null for good.
  let exitCode = null as number | null;
  daemon.once('exit', (code) => (exitCode = code ?? 1));
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const listening = await accepts(port);
    // A daemon that exited with 0 lost the race to another EPMD, which is the one listening.
    if (listening) return exitCode === null ? { origin: 'daemon', port, pid: daemon.pid as number } : { origin: 'existing', port };
    if (exitCode !== null) {
      throw new EpmdError('start_failed', `the EPMD daemon exited with code ${exitCode} without listening on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new EpmdError('timeout', `EPMD did not start listening on port ${port} within ${timeout} ms`);
}

async function accepts(port: number): Promise<boolean> {
  try {
    (await connectTcp('127.0.0.1', port, { timeout: PROBE_TIMEOUT_MS })).destroy();
    return true;
  } catch {
    return false;
  }
}
