/**
 * Elixir nodes for interop tests (host only: the host's elixir runs on its OTP 25). Under
 * CI=true a missing elixir fails, as a missing erl does; elsewhere the tests skip loudly.
 */
import { execFileSync, spawn } from 'child_process';
import { recordUse } from './otp';

function hasElixir(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v elixir'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `describe` when elixir is there or CI=true (where its absence then fails), else a loud skip. */
export function describeElixir(name: string, body: () => void): void {
  if (!hasElixir())
    process.stderr.write(`!!! erlbridge: no elixir on PATH; "${name}" ${process.env.CI === 'true' ? 'FAILS' : 'SKIPPED'}\n`);
  (hasElixir() || process.env.CI === 'true' ? describe : describe.skip)(name, () => {
    recordUse('Elixir');
    body();
  });
}

export interface ElixirNode {
  /** What it wrote so far, stdout and stderr together. */
  output(): string;
  /** Resolves when it has exited (by itself, or killed). */
  exited: Promise<unknown>;
  /** Kill it by pid now (and stop the kill timer); harmless when it has exited. */
  stop(): void;
}

/**
 * Run `code` (`elixir -e`, after `-r` of each of `requires`) as node `sname` with `cookie`,
 * registered in the EPMD at `epmdPort` (starting none). Killed by pid after `killAfterMs`, so a
 * protocol bug cannot hang the test.
 */
export function startElixir(options: {
  sname: string;
  cookie: string;
  epmdPort: number;
  code: string;
  killAfterMs: number;
  requires?: string[];
}): ElixirNode {
  const requires = (options.requires ?? []).flatMap((file) => ['-r', file]);
  const args = ['--sname', options.sname, '--cookie', options.cookie, '--erl', '-start_epmd false', ...requires, '-e', options.code];
  const child = spawn('elixir', args, {
    env: { ...process.env, ERL_EPMD_PORT: String(options.epmdPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let running = true;
  const exited = new Promise((resolve) => child.on('exit', resolve)).finally(() => (running = false));
  const kill = () => {
    if (running && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  };
  const timer = setTimeout(kill, options.killAfterMs);
  return {
    output: () => out,
    exited,
    stop: () => {
      clearTimeout(timer);
      kill();
    },
  };
}
