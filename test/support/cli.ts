/**
 * Running the CLI in-process through its `main`, with what it writes to stdout and stderr
 * captured: one capture for a whole test, so runs that overlap (a call still waiting while
 * another command runs) all land in it, in order.
 */
import { main } from '../../src/cli';

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
