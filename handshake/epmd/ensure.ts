import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { resolveEpmdPort } from './port';
import { EpmdServer } from './server';

/** Options of {@link ensureEpmd}. */
export interface EnsureEpmdOptions {
  /** EPMD port. Default `ERL_EPMD_PORT`, else 4369. */
  port?: number;
  /** How long to wait for a newly started EPMD to accept connections. Default 5000 ms. */
  timeoutMs?: number;
}

/** Which EPMD {@link ensureEpmd} found or started. */
export type EnsuredEpmd =
  /** Something already listened on the port. */
  | { origin: 'existing'; port: number }
  /** A detached EPMD process we started; it outlives this process, like `epmd -daemon`. */
  | { origin: 'daemon'; port: number; pid: number }
  /** An EPMD in this process (no compiled daemon script, e.g. under ts-jest); stops with it. */
  | { origin: 'in-process'; port: number; server: EpmdServer };

const DEFAULT_TIMEOUT_MS = 5000;
const POLL_INTERVAL_MS = 50;
// Compiled next to this module in dist/handshake/epmd/; absent when running from TypeScript sources.
const DAEMON_SCRIPT = path.join(__dirname, 'daemon.js');

/**
 * Make sure an EPMD listens on the port, as erl does at start-up: use one that is already
 * there, otherwise start the embedded EPMD as a detached process so that registrations of other
 * nodes survive when this one stops. Without a compiled daemon script (running from sources) the
 * server runs in this process instead.
 */
export async function ensureEpmd(options: EnsureEpmdOptions = {}): Promise<EnsuredEpmd> {
  const port = resolveEpmdPort(options.port);
  if (await accepts(port)) return { origin: 'existing', port };
  if (!fs.existsSync(DAEMON_SCRIPT)) return startInProcess(port);
  const daemon = spawn(process.execPath, [DAEMON_SCRIPT, String(port)], {
    detached: true,
    stdio: 'ignore',
    cwd: path.parse(process.cwd()).root,
  });
  daemon.unref();
  let exitCode: number | null = null;
  daemon.once('exit', (code) => (exitCode = code ?? 1));
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  while (Date.now() < deadline) {
    const listening = await accepts(port);
    // A daemon that exited with 0 lost the race to another EPMD, which is the one listening.
    if (listening) return exitCode === null ? { origin: 'daemon', port, pid: daemon.pid as number } : { origin: 'existing', port };
    if (exitCode !== null) throw new Error(`the EPMD daemon exited with code ${exitCode} without listening on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`EPMD did not start listening on port ${port} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
}

async function startInProcess(port: number): Promise<EnsuredEpmd> {
  try {
    return { origin: 'in-process', port, server: await EpmdServer.start({ port }) };
  } catch (error) {
    // Another EPMD started between our probe and our listen: use it.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return { origin: 'existing', port };
    throw error;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
