/**
 * The erl processes of bench/connect: an `epmd` on a free port, and erl nodes running
 * connect_bench:serve/0 (expressions on stdin, one `@@ok ~w` line back each). Everything is
 * stopped by pid.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

// No scheduler busy-waiting: a spinning idle scheduler would take the core the other side needs.
const ERL_FLAGS = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none'];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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

/** How long erlc or a one-off erl may take: a hung one must fail the bench, not stall it. */
const ERL_TOOL_TIMEOUT_MS = 60_000;

/** Compile the Erlang `sources` into the directory `ebin` (made if missing); throws erlc's complaint. */
export function erlc(sources: string[], ebin: string): void {
  fs.mkdirSync(ebin, { recursive: true });
  const r = spawnSync('erlc', ['-o', ebin, ...sources], { encoding: 'utf8', timeout: ERL_TOOL_TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    throw new Error(
      `erlc ${sources.map((s) => path.basename(s)).join(' ')} failed: ${r.error ? r.error.message : (r.stderr || r.stdout).trim()}`,
    );
  }
}

/** Compile connect_bench.erl into `outDir`; returns the ebin directory. */
export function compileErl(benchDir: string, outDir: string): string {
  const ebin = path.join(outDir, 'connect-ebin');
  erlc([path.join(benchDir, 'connect', 'connect_bench.erl')], ebin);
  return ebin;
}

/** OTP's own epmd, in the foreground on `port`. */
export class Epmd {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(port: number): Promise<Epmd> {
    const child = spawn('epmd', ['-port', String(port)], { stdio: 'ignore' });
    const epmd = new Epmd(child, port);
    const deadline = Date.now() + 5000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        epmd.stop();
        throw new Error(`epmd did not listen on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return epmd;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid) process.kill(this.child.pid, 'SIGTERM');
  }
}

export class ErlBenchNode {
  name = '';
  private out = '';
  private partial = '';
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (chunk: Buffer) => this.onOut(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.out += chunk.toString('utf8')));
    child.stdin?.on('error', () => undefined);
    child.once('exit', () => this.waiter?.('@@exit'));
  }

  /**
   * A node running connect_bench:serve/0 from `ebin`. Hidden and without `-connect_all` unless
   * `visible` (then it takes part in global, as a plain erl node does); `pa` adds code paths,
   * `args` any other erl arguments (e.g. `-proto_dist inet_tls ...`).
   */
  static async start(options: {
    sname: string;
    cookie: string;
    epmdPort: number;
    ebin: string;
    visible?: boolean;
    pa?: string[];
    args?: string[];
  }): Promise<ErlBenchNode> {
    const args = [...ERL_FLAGS, '-noshell', ...(options.visible ? [] : ['-hidden', '-connect_all', 'false'])];
    args.push('-sname', options.sname, '-setcookie', options.cookie, '-start_epmd', 'false');
    for (const dir of [options.ebin, ...(options.pa ?? [])]) args.push('-pa', dir);
    args.push(...(options.args ?? []));
    args.push('-run', 'connect_bench', 'serve');
    const child = spawn('erl', args, {
      cwd: os.tmpdir(),
      env: { ...process.env, ERL_EPMD_PORT: String(options.epmdPort) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const node = new ErlBenchNode(child);
    const ready = await node.next(30000);
    if (!ready.startsWith('@@ready ')) {
      await node.stop();
      throw new Error(`erl did not start: ${ready}\n${node.out}`);
    }
    node.name = ready.slice('@@ready '.length);
    return node;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Evaluate one expression (no trailing dot); its value printed with ~w. */
  eval(expression: string, timeoutMs = 120000): Promise<string> {
    const run = async (): Promise<string> => {
      this.child.stdin?.write(`${expression}.\n`);
      const line = await this.next(timeoutMs);
      if (line.startsWith('@@ok ')) return line.slice(5);
      throw new Error(`erl: ${line} evaluating ${expression}\n${this.out.slice(-2000)}`);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await this.exited;
    clearTimeout(timer);
  }

  private onOut(text: string): void {
    this.out += text;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() as string;
    for (const line of parts) {
      if (!line.startsWith('@@')) continue;
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w(line);
      else this.lines.push(line);
    }
  }

  private next(timeoutMs: number): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(`@@timeout after ${timeoutMs} ms`);
      }, timeoutMs);
      this.waiter = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }
}

const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) || 100;
})();

/** CPU seconds (user + system, all threads) a process has used, from /proc; NaN where there is none. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'; utime and stime are the 14th and 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** `[1,2,3]` as printed by ~w -> numbers. */
export function parseNumbers(text: string): number[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}

/** The OTP release and erts version of the host erl. */
export function otpVersion(): string {
  const r = spawnSync(
    'erl',
    ['-noshell', '-eval', 'io:format("~s ~s", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().'],
    { encoding: 'utf8', timeout: ERL_TOOL_TIMEOUT_MS },
  );
  const [otp, erts] = (r.stdout || '? ?').trim().split(' ');
  return `${otp} (erts ${erts})`;
}
