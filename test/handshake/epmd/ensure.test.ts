import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ensureEpmd, EpmdServer, listNames, registerNode } from '../../../handshake';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

  it('runs the server in this process when running from sources (no compiled daemon script)', async () => {
    const port = await freePort();
    const ensured = await ensureEpmd({ port });
    try {
      expect(ensured.origin).toBe('in-process');
      expect(await listNames({ port })).toEqual({ epmdPort: port, nodes: [] });
    } finally {
      if (ensured.origin === 'in-process') await ensured.server.close();
    }
  });

  describe('compiled, as in dist/handshake', () => {
    let compiled: string;
    const daemons: number[] = [];

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

    afterAll(async () => {
      for (const pid of daemons) {
        if (isRunning(pid)) process.kill(pid, 'SIGTERM');
      }
      for (let i = 0; i < 100 && daemons.some(isRunning); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      fs.rmSync(compiled, { recursive: true, force: true });
    });

    it('starts a detached EPMD that outlives the process that started it', async () => {
      const port = await freePort();
      const script = `require(${JSON.stringify(path.join(compiled, 'epmd', 'ensure.js'))})
        .ensureEpmd({ port: ${port} })
        .then((ensured) => process.stdout.write(JSON.stringify(ensured)));`;
      // The starter exits as soon as ensureEpmd resolves: the daemon must not keep it alive.
      const ensured = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 }));
      daemons.push(ensured.pid);
      expect(ensured).toEqual({ origin: 'daemon', port, pid: expect.any(Number) });
      expect(isRunning(ensured.pid)).toBe(true);

      const registration = await registerNode('survivor', 4242, { port });
      expect((await listNames({ port })).nodes).toEqual([{ name: 'survivor', port: 4242 }]);
      await registration.unregister();

      expect(await ensureEpmd({ port })).toEqual({ origin: 'existing', port });
    });
  });
});
