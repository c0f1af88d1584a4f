/**
 * The CLI's TLS options without erl: `--proto-dist` takes inet_tcp (the default) or inet_tls,
 * inet_tls needs an optfile, and a bad optfile is one line naming the option and the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliCapture } from '../support/cli';

describe('CLI TLS options', () => {
  let cli: CliCapture;
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-cli-tls-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  it.each([
    [['--proto-dist', 'inet6_tls'], /--proto-dist takes inet_tcp or inet_tls, not inet6_tls/],
    [['-proto_dist', 'inet_tls'], /--proto-dist inet_tls needs --ssl-dist-optfile FILE/],
    [['--ssl-dist-optfile', 'x.conf'], /--ssl-dist-optfile needs --proto-dist inet_tls/],
  ])('ping %j is a usage error (exit 2)', async (extra, message) => {
    const run = await cli.run(['ping', 'nobody@localhost', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('a bad optfile is one line naming the option and the file (exit 1)', async () => {
    const optfile = path.join(dir, 'bad.conf');
    fs.writeFileSync(optfile, '[{client, [{verify, verify_none}, {keyfle, "k.pem"}]}].\n');
    const run = await cli.run([
      'call',
      'nobody@localhost',
      'erlang',
      'node',
      '[]',
      '-proto_dist',
      'inet_tls',
      '-ssl_dist_optfile',
      optfile,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`erlbridge call: ${optfile}: client option keyfle is unknown\n`);
  });
});
