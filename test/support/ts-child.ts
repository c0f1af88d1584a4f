/**
 * Run a TypeScript file of this checkout as a Node.js process of its own, straight from the
 * sources (each required .ts transpiled on load with the checkout's typescript, as
 * handshake/epmd/ensure.ts starts the EPMD daemon): for load that must not share the event loop
 * of the test.
 */
import { ChildProcess, spawn } from 'child_process';

const BOOTSTRAP = `
const ts = require(process.argv.splice(1, 1)[0]);
const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, isolatedModules: true };
require.extensions['.ts'] = (module, file) =>
  module._compile(ts.transpileModule(require('fs').readFileSync(file, 'utf8'), { fileName: file, compilerOptions }).outputText, file);
require(process.argv[1]);
`;

/**
 * `node [NODE_FLAGS] FILE ARGS...` with FILE a .ts file; stdout and stderr piped. With `openFiles`, the child's
 * soft limit on open files is raised to it first (through bash's `ulimit -n`); when the hard limit
 * does not allow that, the child exits 97 saying so.
 */
export function spawnTs(file: string, args: string[], options: { openFiles?: number; nodeFlags?: string[] } = {}): ChildProcess {
  const command = [process.execPath, ...(options.nodeFlags ?? []), '-e', BOOTSTRAP, require.resolve('typescript'), file, ...args];
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  if (options.openFiles === undefined) return spawn(command[0], command.slice(1), { stdio });
  const raise = `ulimit -n ${options.openFiles} || { echo "cannot raise the open-file limit to ${options.openFiles} (hard limit $(ulimit -Hn))" >&2; exit 97; }; exec "$@"`;
  return spawn('bash', ['-c', raise, 'bash', ...command], { stdio });
}

/** Everything `child` writes to stdout until it exits (within `timeoutMs`, else it is killed); rejects on a non-zero exit. */
export function outputOf(child: ChildProcess, timeoutMs: number): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}
