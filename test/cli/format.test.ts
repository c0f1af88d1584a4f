/**
 * `--format p|w` on `call` and `term decode`, against what erl itself prints for the same term:
 * `w` is `io_lib:format("~w")` (one line), `p` (the default) `io_lib:format("~tp")`, column 1
 * and 80 wide, which is how `io:format("~tp~n", [T])` prints it. From OTP 26 erl prints a map's
 * keys in its internal order, which a peer cannot see, so there the controls compared are `~kw` and
 * `~ktp` (keys in term order, as erlbridge prints them).
 */
import { Readable } from 'stream';
import { EpmdServer } from '../../handshake';
import { parseTerm } from '../../codec';
import { termCommand } from '../../src/commands/term';
import { CliCapture } from '../support/cli';
import { describeOtp, Otp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

/** erl's control for `~w` or `~tp`, keys in term order where erl has `k` (OTP 26+). */
function control(otp: Otp, base: '~w' | '~tp'): string {
  return Number(otp.release) >= 26 ? base.replace('~', '~k') : base;
}

/** Calls (MOD, FUN, ARGS) whose results print differently under ~w and ~tp, none holding a pid. */
const CALLS: [string, string, string][] = [
  ['erlang', 'integer_to_list', '[25]'],
  ['erlang', 'list_to_binary', '["/"]'],
  ['application', 'which_applications', '[]'],
  ['lists', 'seq', '[1, 100]'],
  ['erlang', 'hd', '[[#{name => "erlbridge", tags => [<<"a">>, <<"b">>], nested => {ok, [{k, "v"}, {k2, 2.5}]}}]]'],
  ['erlang', 'hd', '[[[{key_number_one, "some string value here"}, {key_number_two, <<"binary value">>}]]]'],
];

describeOtp('call --format p|w prints as erl does', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let cli: CliCapture;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  beforeEach(() => (cli = new CliCapture()));
  afterEach(() => cli.restore());

  /** What erl's `io_lib:format(CONTROL, [apply(M, F, A)])` gives, as text. */
  async function erlText(base: '~w' | '~tp', [m, f, a]: [string, string, string]): Promise<string> {
    const bytes = parseTerm(
      await erl.eval(`unicode:characters_to_binary(io_lib:format("${control(otp, base)}", [apply(${m}, ${f}, ${a})]))`),
    );
    return (bytes as Buffer).toString('utf8');
  }

  /** What `erlbridge call ERL M F A [--format FORMAT]` prints. */
  async function call([m, f, a]: [string, string, string], format?: string): Promise<string> {
    const args = ['--cookie', cookie, '--epmd-port', String(epmd.port), ...(format ? ['--format', format] : [])];
    const run = await cli.run(['call', erl.name, m, f, a, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  }

  it('--format w prints one line, as ~w', async () => {
    for (const c of CALLS) expect(await call(c, 'w')).toBe(`${await erlText('~w', c)}\n`);
  });

  it('the default, and --format p, print as ~tp in column 1, 80 wide', async () => {
    for (const c of CALLS) {
      const expected = `${await erlText('~tp', c)}\n`;
      expect(await call(c)).toBe(expected);
      expect(await call(c, 'p')).toBe(expected);
    }
  });
});

describeOtp('term decode --format p|w prints as erl does', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie: uniqueName('cookie'), epmdPort: epmd.port });
  });

  afterAll(async () => {
    await erl?.stop();
    await epmd?.close();
  });

  /** term_to_binary of `apply(M, F, A)` on erl, and its text under each control. */
  async function fromErl([m, f, a]: [string, string, string]): Promise<{ etf: Buffer; w: string; tp: string }> {
    const value = `apply(${m}, ${f}, ${a})`;
    const [etf, w, tp] = [
      'term_to_binary(V)',
      `unicode:characters_to_binary(io_lib:format("${control(otp, '~w')}", [V]))`,
      `unicode:characters_to_binary(io_lib:format("${control(otp, '~tp')}", [V]))`,
    ].map((e) => e.replace(/V/g, value));
    const binary = async (e: string) => parseTerm(await erl.eval(e)) as Buffer;
    return { etf: await binary(etf), w: (await binary(w)).toString('utf8'), tp: (await binary(tp)).toString('utf8') };
  }

  /** `erlbridge term decode ARGS` with `input` on stdin: what it prints. */
  async function decode(args: string[], input: Buffer): Promise<string> {
    let out = '';
    const code = await termCommand(['decode', ...args], {
      stdin: Readable.from([input]),
      stdout: { write: (d: string | Uint8Array) => (out += Buffer.from(d).toString('utf8')) },
      stderr: { write: (d: string) => (out += d) },
    });
    expect(code).toBe(0);
    return out;
  }

  it('--format w prints one line, as ~w', async () => {
    for (const c of CALLS) {
      const { etf, w } = await fromErl(c);
      expect(await decode(['--format', 'w'], etf)).toBe(`${w}\n`);
    }
  });

  it('the default prints as ~tp', async () => {
    for (const c of CALLS) {
      const { etf, tp } = await fromErl(c);
      expect(await decode([], etf)).toBe(`${tp}\n`);
    }
  });
});
