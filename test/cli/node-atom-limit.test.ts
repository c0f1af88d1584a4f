/**
 * `erlbridge node --atom-limit N` caps the live atoms of the process, as erl's `+t` sizes its
 * atom table; a value that is not a whole number of atoms is a usage error.
 */
import { Atom, DEFAULT_ATOM_LIMIT, setAtomLimit } from '../../codec';
import { EpmdServer } from '../../handshake';
import { CliCapture, withCliNode } from '../support/cli';
import { uniqueName } from '../support/otp';

describe('erlbridge node --atom-limit', () => {
  let epmd: EpmdServer;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
  });

  afterAll(async () => {
    setAtomLimit(DEFAULT_ATOM_LIMIT);
    await epmd?.close();
  });

  it('sets the cap on live atoms while the node runs', async () => {
    let limit = 0;
    const argv = ['--sname', uniqueName('al'), '--cookie', uniqueName('c'), '--epmd-port', String(epmd.port), '--atom-limit', '3000000'];
    const { code } = await withCliNode(argv, () => {
      limit = Atom.limit;
      return Promise.resolve();
    });
    expect(code).toBe(0);
    expect(limit).toBe(3_000_000);
  });

  it.each(['0', 'many', '1.5'])('--atom-limit %s is a usage error', async (value) => {
    const cli = new CliCapture();
    try {
      const run = await cli.run(['node', '--sname', uniqueName('bad'), '--epmd-port', String(epmd.port), '--atom-limit', value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--atom-limit takes a whole number of atoms');
    } finally {
      cli.restore();
    }
  });
});
