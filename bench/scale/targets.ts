/**
 * The two nodes `npm run bench -- scale` measures, each a child process of its own so that its
 * memory and CPU are its alone: `erlbridge node` (the built CLI, bin/erlbridge.js, serving kvs and
 * bench/scale/served.ts as scale_bench) and `erl -sname ... -noshell` running
 * fixtures/dist_demo/kvs.erl (`kvs:start()`) with scale_bench.erl loaded. Both stop by pid.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** erl without busy-waiting schedulers, as in the other benches: CPU time then means work. */
const NO_SPIN = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none'];

export type Side = 'erlbridge' | 'erl';

/** A node running as a child process, ready once it printed the line `ready` matches. */
export class TargetNode {
  private out = '';

  private constructor(
    readonly side: Side,
    private readonly child: ChildProcess,
    readonly name: string,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** The last lines it wrote, for an error message. */
  tail(): string {
    return this.out.slice(-2000);
  }

  static async start(side: Side, command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<TargetNode> {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const name = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        reject(new Error(`${side} node did not start in 60 s:\n${out.slice(-2000)}`));
      }, 60000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${side} node exited (${signal ?? code}) before it was up:\n${out.slice(-2000)}`));
      });
    });
    const node = new TargetNode(side, child, name);
    node.out = out;
    child.removeAllListeners('exit');
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    // Keep reading, or a full pipe would stall the node; only the tail is kept.
    const keep = (chunk: Buffer) => (node.out = (node.out + chunk.toString('utf8')).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return node;
  }

  /** SIGTERM (erlbridge leaves cleanly on it, erl runs init:stop), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The newest modification time of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Build dist/ (`tsc -p tsconfig.build.json`) when it is missing or older than the sources, so the CLI measured is this code. */
export function ensureBuiltCli(root: string): void {
  const cli = path.join(root, 'dist/src/cli.js');
  const built = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  const sources = Math.max(...['codec', 'handshake', 'src'].map((d) => newestSource(path.join(root, d))));
  if (built >= sources) return;
  console.log('bench scale: building dist/ (tsc -p tsconfig.build.json) for the erlbridge CLI...');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${r.signal ?? r.status})`);
}

/** `erlbridge node` as a user starts it, plus `--serve scale_bench=served.js` and `--expose-gc` for the gc/0 it serves. */
export function startErlbridge(
  root: string,
  options: { sname: string; cookie: string; epmdPort: number; served: string },
): Promise<TargetNode> {
  const args = ['--expose-gc', path.join(root, 'bin/erlbridge.js'), 'node', '--sname', options.sname, '--cookie', options.cookie];
  args.push('--epmd-port', String(options.epmdPort), '--serve', `scale_bench=${options.served}`);
  return TargetNode.start('erlbridge', process.execPath, args, process.env, /erlbridge node (\S+) is up/);
}

/** `erl -sname ... -noshell` with kvs started and scale_bench loadable from `ebin`. */
export function startErl(options: { sname: string; cookie: string; epmdPort: number; ebin: string }): Promise<TargetNode> {
  const args = [...NO_SPIN, '-noshell', '-sname', options.sname, '-setcookie', options.cookie, '-start_epmd', 'false'];
  args.push('-pa', options.ebin, '-eval', 'kvs:start(), io:format("@@ready ~w~n", [node()]).');
  const env = { ...process.env, ERL_EPMD_PORT: String(options.epmdPort) };
  return TargetNode.start('erl', 'erl', args, env, /@@ready (\S+)\n/);
}
