/**
 * What every command answers before doing anything: `--help` (its own lines of the usage, ending
 * in a newline), `erlbridge --version`, and the usage on stderr when no command is given. The
 * built CLI as a process: a reader that has gone (EPIPE) ends any command quietly with exit 0,
 * and `term encode` takes a term from stdin larger than the kernel lets an argument be.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EpmdServer } from '../../handshake';
import { CliCapture } from '../support/cli';
import { ERLBRIDGE_BIN, itWithBuiltCli } from '../support/cli-process';

const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('erlbridge --help and --version', () => {
  let cli: CliCapture;
  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  it.each([['node'], ['ping'], ['call'], ['names'], ['epmd'], ['chan'], ['term']])(
    '%s --help: its usage, ending in one newline, exit 0',
    async (command) => {
      const run = await cli.run([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(new RegExp(`^usage: erlbridge ${command} `));
      expect(run.stdout).toMatch(/[^\n]\n$/);
    },
  );

  it.each([
    [['term', 'encode', '--help'], /^usage: erlbridge term encode \[--hex\] \[TEXT \| -\]\n/],
    [['term', 'decode', '--help'], /erlbridge term decode \[--hex\] \[--format p\|w\]\n$/],
    [['call', 'a@b', 'm', 'f', '[]', '-h'], /^usage: erlbridge call NODE MOD FUN ARGS [\s\S]*--format p\|w/],
    [['node', '--serve', 'x.js', '--help'], /--serve \[NAME=\]FILE/],
  ])('%j answers with the usage, exit 0', async (argv, usage) => {
    const run = await cli.run(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(usage);
  });

  it('--help shows every command, ending in one newline', async () => {
    const run = await cli.run(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['node', 'ping', 'call', 'names', 'epmd', 'term encode', 'term decode', 'chan serve', 'chan rpc']) {
      expect(run.stdout).toContain(`\n  ${command} `);
    }
    expect(run.stdout).toMatch(/[^\n]\n$/);
  });

  it("--version and -V print the package's version", async () => {
    expect(await cli.run(['--version'])).toEqual({ code: 0, stdout: `erlbridge ${VERSION}\n`, stderr: '' });
    expect(await cli.run(['-V'])).toEqual({ code: 0, stdout: `erlbridge ${VERSION}\n`, stderr: '' });
  });

  it('no command: the usage on stderr, exit 2', async () => {
    const run = await cli.run([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usage: erlbridge <command>/);
  });
});

describe('the built CLI and its pipes', () => {
  let epmd: EpmdServer;
  beforeAll(async () => (epmd = await EpmdServer.start({ port: 0 })));
  afterAll(() => epmd?.close());

  /** Run `erlbridge ARGV` with `input` on stdin and its stdout closed before it writes: exit code and stderr. */
  async function withClosedStdout(
    argv: string[],
    input: string | Buffer = '',
  ): Promise<{ code: number | null; signal: string | null; stderr: string }> {
    const child = spawn(process.execPath, [ERLBRIDGE_BIN, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    return { code, signal, stderr };
  }

  const bigList = `[${Array.from({ length: 100_000 }, (_, i) => i + 1).join(',')}]`;

  itWithBuiltCli('term encode reads a term of 588 KB from stdin (`-` or no TEXT), more than an argument may hold', () => {
    expect(Buffer.byteLength(bigList)).toBeGreaterThan(128 * 1024);
    const tooLong = spawnSync(process.execPath, [ERLBRIDGE_BIN, 'term', 'encode', bigList]);
    expect(tooLong.error?.message).toMatch(/E2BIG/);
    for (const args of [
      ['term', 'encode', '-'],
      ['term', 'encode'],
    ]) {
      const encoded = spawnSync(process.execPath, [ERLBRIDGE_BIN, ...args], { input: bigList, maxBuffer: 1 << 24 });
      expect(encoded.status).toBe(0);
      const decoded = spawnSync(process.execPath, [ERLBRIDGE_BIN, 'term', 'decode', '--format', 'w'], {
        input: encoded.stdout,
        maxBuffer: 1 << 24,
      });
      expect(decoded.stdout.toString()).toBe(`${bigList}\n`);
    }
    return Promise.resolve();
  });

  itWithBuiltCli('a closed stdout ends term decode with a large term quietly, exit 0', async () => {
    const encoded = spawnSync(process.execPath, [ERLBRIDGE_BIN, 'term', 'encode'], { input: bigList, maxBuffer: 1 << 24 }).stdout;
    expect(await withClosedStdout(['term', 'decode'], encoded)).toEqual({ code: 0, signal: null, stderr: '' });
  });

  itWithBuiltCli('a closed stdout ends --help, --version, term encode and names quietly, exit 0', async () => {
    for (const argv of [
      ['--help'],
      ['ping', '--help'],
      ['--version'],
      ['term', 'encode', '--hex', bigList.slice(0, 2000) + ']'],
      ['names', '--epmd-port', String(epmd.port)],
    ]) {
      expect({ argv, ...(await withClosedStdout(argv)) }).toEqual({ argv, code: 0, signal: null, stderr: '' });
    }
  });
});
