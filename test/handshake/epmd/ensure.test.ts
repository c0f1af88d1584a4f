import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureEpmd, EnsuredEpmd, EpmdError, EpmdServer, listNames, registerNode } from '../../../handshake';
import { isRunning, stopDaemon } from '../../support/epmd-daemon';
import { freePort, listening } from '../../support/otp-node-extra';

// Daemons outlive whoever started them; every test hands its pid here.
const daemons: number[] = [];

afterAll(async () => {
  await Promise.all(daemons.map(stopDaemon));
});

/** The daemon serves: a registration shows up in NAMES, and goes away again. */
async function serves(port: number): Promise<void> {
  const registration = await registerNode('survivor', 4242, { port });
  expect((await listNames({ port })).nodes).toEqual([{ name: 'survivor', port: 4242 }]);
  await registration.unregister();
}

describe('ensureEpmd', () => {
  it('uses an EPMD that already listens on the port', async () => {
    const epmd = await EpmdServer.start({ port: 0 });
    try {
      expect(await ensureEpmd({ port: epmd.port })).toEqual({ origin: 'existing', port: epmd.port });
    } finally {
      await epmd.close();
    }
  });

  it('from sources (daemon.ts), starts the same detached daemon as the built package', async () => {
    const port = await freePort();
    const ensured = await ensureEpmd({ port, timeout: 20000 });
    if (ensured.origin === 'daemon') daemons.push(ensured.pid);
    expect(ensured).toEqual({ origin: 'daemon', port, pid: expect.any(Number) as unknown });
    await serves(port);
    expect(await ensureEpmd({ port })).toEqual({ origin: 'existing', port });
  }, 30000);

  it('fails with start_failed when the daemon exits without listening', async () => {
    // No port can be 70000: the daemon's listen fails and it exits with 1.
    const failure = await ensureEpmd({ port: 70000, timeout: 20000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EpmdError);
    expect(failure).toMatchObject({ code: 'start_failed' });
  }, 30000);

  describe('compiled, as in dist/handshake/epmd', () => {
    let compiled: string;

    beforeAll(() => {
      compiled = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-ensure-'));
      const root = path.join(__dirname, '..', '..', '..');
      execFileSync(
        process.execPath,
        [
          path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
          ...['--outDir', compiled, '--rootDir', path.join(root, 'handshake'), '--module', 'commonjs'],
          ...['--target', 'ES2022', '--strict', '--skipLibCheck', '--types', 'node'],
          path.join(root, 'handshake', 'epmd', 'ensure.ts'),
          path.join(root, 'handshake', 'epmd', 'daemon.ts'),
        ],
        { stdio: 'pipe' },
      );
    }, 60000);

    afterAll(() => {
      fs.rmSync(compiled, { recursive: true, force: true });
    });

    it('starts daemon.js detached; it outlives the process that started it', async () => {
      const port = await freePort();
      const script = `require(${JSON.stringify(path.join(compiled, 'epmd', 'ensure.js'))})
        .ensureEpmd({ port: ${port} })
        .then((ensured) => process.stdout.write(JSON.stringify(ensured)));`;
      // The starter exits as soon as ensureEpmd resolves: the daemon must not keep it alive.
      const ensured = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 })) as EnsuredEpmd;
      if (ensured.origin !== 'daemon') throw new Error(`expected a daemon, got ${JSON.stringify(ensured)}`);
      daemons.push(ensured.pid);
      expect(ensured).toEqual({ origin: 'daemon', port, pid: expect.any(Number) as unknown });
      expect(isRunning(ensured.pid)).toBe(true);
      await serves(port);
      expect(await ensureEpmd({ port })).toEqual({ origin: 'existing', port });
      await stopDaemon(ensured.pid);
      expect(await listening(port)).toBe(false);
    });
  });
});
