/**
 * Real `erl` nodes for conformance tests: start one for an OTP variant, evaluate expressions in
 * it over stdin, stop it by pid.
 */
import type { ChildProcess } from 'child_process';
import * as os from 'os';
import { Otp, spawnOtp, stageFile } from './otp';

export interface OtpNodeOptions {
  /** The `-sname` (name part only; the host is this machine's). */
  sname: string;
  /** Start with `-name NAME` (e.g. `a@127.0.0.1`) instead of `-sname`. */
  longName?: string;
  cookie: string;
  /** EPMD the node registers with (`ERL_EPMD_PORT`). erl is told not to start an epmd itself. */
  epmdPort: number;
  /** Start with `-hidden`. */
  hidden?: boolean;
}

export interface OtpNode {
  /** `node()` as the node reports it. */
  readonly name: string;
  readonly pid: number;
  /**
   * Evaluate one Erlang expression (no trailing dot) and return its value printed with `~w`.
   * Rejects with the class and reason when it raises.
   */
  eval(expression: string, timeoutMs?: number): Promise<string>;
  /** Everything the node wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Halt the node (end of stdin), SIGKILL by pid if it does not exit in time. */
  stop(): Promise<void>;
}

const READY = '@@ready ';
const OK = '@@ok ';
const ERROR = '@@error ';

// Reads one expression per line from stdin, answers with one marked line each.
const EVAL_LOOP = `
Loop = fun Loop() ->
  case io:get_line('') of
    eof -> halt();
    Line ->
      try
        {ok, Tokens, _} = erl_scan:string(Line),
        {ok, Exprs} = erl_parse:parse_exprs(Tokens),
        {value, Value, _} = erl_eval:exprs(Exprs, []),
        io:format("${OK}~w~n", [Value])
      catch Class:Reason -> io:format("${ERROR}~w~n", [{Class, Reason}])
      end,
      Loop()
  end
end,
io:format("${READY}~w~n", [node()]),
Loop().
`;

interface Waiter {
  resolve(line: string): void;
  reject(error: Error): void;
}

export async function startOtpNode(otp: Otp, options: OtpNodeOptions, startTimeoutMs = 30000): Promise<OtpNode> {
  const naming = options.longName === undefined ? ['-sname', options.sname] : ['-name', options.longName];
  const args = ['-noshell', ...naming, '-setcookie', options.cookie, '-start_epmd', 'false'];
  if (options.hidden) args.push('-hidden');
  args.push(...evalLoopArguments());
  const child = spawnOtp(otp, 'erl', args, {
    cwd: os.tmpdir(),
    env: { ...process.env, ERL_EPMD_PORT: String(options.epmdPort) },
  });
  return attachOtpNode(child, startTimeoutMs);
}

/** The erl arguments (`-eval ...`, last on the line) that make a node answer {@link OtpNode.eval}. */
export function evalLoopArguments(): string[] {
  return ['-eval', EVAL_LOOP];
}

/**
 * An {@link OtpNode} for an erl started some other way (in a network namespace, say) with
 * {@link evalLoopArguments}: resolves once it reports its name, stopped again if it does not.
 */
export async function attachOtpNode(child: ChildProcess, startTimeoutMs = 30000): Promise<OtpNode> {
  const node = new RunningOtpNode(child);
  try {
    // ~w quotes a long name's atom ('a@10.0.0.2'); the name is the atom's text.
    node.name = (await node.nextMarked(READY, startTimeoutMs)).replace(/^'(.*)'$/, '$1');
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

class RunningOtpNode implements OtpNode {
  name = '';
  private log = '';
  private pendingLine = '';
  private readonly waiters: Waiter[] = [];
  private readonly lines: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (chunk: Buffer) => this.onStdout(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString('utf8')));
    child.once('exit', () => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`erl exited; output:\n${this.log}`));
    });
    child.stdin?.on('error', () => undefined);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  output(): string {
    return this.log;
  }

  eval(expression: string, timeoutMs = 20000): Promise<string> {
    const run = async (): Promise<string> => {
      this.child.stdin?.write(`${expression.replace(/\n/g, ' ')}.\n`);
      const line = await this.nextLine(timeoutMs);
      if (line.startsWith(OK)) return line.slice(OK.length);
      throw new Error(`erl raised ${line.slice(ERROR.length)} evaluating ${expression}`);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async nextMarked(marker: string, timeoutMs: number): Promise<string> {
    const line = await this.nextLine(timeoutMs);
    if (!line.startsWith(marker)) throw new Error(`expected ${marker.trim()} from erl, got ${line}`);
    return line.slice(marker.length);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await this.exited;
    clearTimeout(timer);
  }

  private onStdout(text: string): void {
    this.log += text;
    const parts = (this.pendingLine + text).split('\n');
    this.pendingLine = parts.pop() as string;
    for (const line of parts) {
      if (!line.startsWith('@@')) continue;
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(line);
      else this.lines.push(line);
    }
  }

  private nextLine(timeoutMs: number): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no answer from erl within ${timeoutMs} ms; output:\n${this.log}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/**
 * Compile an Erlang source file of the host in `node` (in memory, no .beam on disk) and load it;
 * resolves with the module's name. A compile error fails with erl's own error.
 */
export async function loadErlModule(node: OtpNode, otp: Otp, hostPath: string): Promise<string> {
  const staged = stageFile(otp, hostPath);
  return node.eval(
    `begin {ok, M, B} = compile:file("${staged}", [binary, return_errors]), {module, M} = code:load_binary(M, "${staged}", B), M end`,
    15000,
  );
}
