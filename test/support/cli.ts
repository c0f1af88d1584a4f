/**
 * Running the CLI in-process through its `main`, with what it writes to stdout and stderr
 * captured: one capture for a whole test, so runs that overlap (a call still waiting while
 * another command runs) all land in it, in order.
 */
import { main } from '../../src/cli';
import { waitFor } from './otp-node-extra';

export interface CliRun {
  code: number;
  /** What was written while this run went on (other overlapping runs' output included). */
  stdout: string;
  stderr: string;
}

export class CliCapture {
  stdout = '';
  stderr = '';
  private readonly spies: jest.SpyInstance[];

  constructor() {
    this.spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((d) => ((this.stdout += String(d)), true)),
      jest.spyOn(process.stderr, 'write').mockImplementation((d) => ((this.stderr += String(d)), true)),
    ];
  }

  /** Run `erlbridge ...argv` to its end. */
  async run(argv: string[]): Promise<CliRun> {
    const [out, err] = [this.stdout.length, this.stderr.length];
    const code = await main(argv);
    return { code, stdout: this.stdout.slice(out), stderr: this.stderr.slice(err) };
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}

/**
 * Run `erlbridge node ...argv` until `body`, given the node's full name and the capture, is done;
 * then SIGTERM it, as a user would stop it. A node that fails to start ends the run without
 * `body`. Resolves to the run, its exit code and what it wrote.
 */
export async function withCliNode(argv: string[], body: (name: string, cli: CliCapture) => Promise<void>): Promise<CliRun> {
  const cli = new CliCapture();
  let ended = false;
  const serving = cli.run(['node', ...argv]).finally(() => (ended = true));
  try {
    await waitFor('the node to be up, or to end', () => ended || cli.stdout.includes(' is up'));
    const name = /erlbridge node (\S+) is up/.exec(cli.stdout)?.[1];
    if (name !== undefined) await body(name, cli);
  } finally {
    if (!ended) process.emit('SIGTERM');
    await serving.catch(() => undefined);
    cli.restore();
  }
  return serving;
}
