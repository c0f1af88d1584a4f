/**
 * `erlbridge chan serve` and `erlbridge chan rpc`, run in-process through the CLI's `main`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';

interface Captured {
  stdout: string;
  stderr: string;
}

/** Capture what the CLI writes while `run` runs. */
async function capture<T>(run: (seen: Captured) => Promise<T>): Promise<Captured & { result: T }> {
  const seen: Captured = { stdout: '', stderr: '' };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((d) => ((seen.stdout += String(d)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((d) => ((seen.stderr += String(d)), true));
  try {
    const result = await run(seen);
    return { ...seen, result };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met in time');
}

describe('erlbridge chan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-chan-cli-'));
  const config = path.join(dir, 'lib_chan.conf');
  fs.writeFileSync(
    config,
    fs.readFileSync(path.join(__dirname, '../../fixtures/lib_chan/lib_chan.conf'), 'utf8').replace('{port, 2233}', '{port, 0}'),
  );
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves a book config until SIGTERM, and rpc prints replies or one clear error line', async () => {
    const run = await capture(async (seen) => {
      const serving = main(['chan', 'serve', config]);
      await until(() => /listening on/.test(seen.stdout));
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(seen.stdout)?.[1] as string;
      const rpc = async (...args: string[]) => {
        const before = { ...seen };
        const code = await main(['chan', 'rpc', '127.0.0.1', port, ...args]);
        return { code, stdout: seen.stdout.slice(before.stdout.length), stderr: seen.stderr.slice(before.stderr.length) };
      };
      const results = {
        factorial: await rpc('math', 'qwerty', '{factorial, 25}'),
        echo: await rpc('echo', 'none', '{hello, "world", <<"bin">>}'),
        badService: await rpc('nope', 'x', 'hi'),
        authFail: await rpc('math', 'wrong', '{factorial, 1}'),
        badTerm: await rpc('echo', 'none', '{unclosed'),
      };
      process.emit('SIGTERM');
      return { results, served: await serving };
    });
    const { results, served } = run.result;
    expect(results.factorial).toEqual({ code: 0, stdout: '15511210043330985984000000\n', stderr: '' });
    expect(results.echo).toEqual({ code: 0, stdout: '{hello,"world",<<"bin">>}\n', stderr: '' });
    expect(results.badService.code).toBe(1);
    expect(results.badService.stderr).toMatch(/^lib_chan: the server has no service 'nope' \(badService\)$/m);
    expect(results.authFail.code).toBe(1);
    expect(results.authFail.stderr).toMatch(/authFail/);
    expect(results.badTerm.code).not.toBe(0);
    expect(results.badTerm.stderr).toMatch(/^erlbridge chan: /);
    expect(served).toBe(0);
  });

  it('reports a bad config as one line and a usage mistake with exit 2', async () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, '{port, 1}.\n{service, x}.\n');
    const run = await capture(() => main(['chan', 'serve', bad]));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/bad term \{service,x\}/);
    const usage = await capture(() => main(['chan', 'rpc', '127.0.0.1']));
    expect(usage.result).toBe(2);
  });
});
