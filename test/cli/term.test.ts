import { Readable } from 'stream';
import { main } from '../../src/cli';
import { termCommand, TermIo } from '../../src/commands/term';
import { describeOtp, erlEval } from '../support/otp';

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run `erlbridge term ARGS` with `input` on stdin, capturing what it writes. */
async function term(args: string[], input: string | Buffer = ''): Promise<Run> {
  const out: Buffer[] = [];
  let stderr = '';
  const io: TermIo = {
    stdin: Readable.from([Buffer.from(input)]),
    stdout: { write: (d: string | Uint8Array) => out.push(Buffer.from(d)) },
    stderr: { write: (d: string) => (stderr += d) },
  };
  const code = await termCommand(args, io);
  return { code, stdout: Buffer.concat(out), stderr };
}

describe('erlbridge term encode', () => {
  it('writes the ETF bytes, 131 first', async () => {
    const run = await term(['encode', '{ok, 1}']);
    expect(run).toEqual({ code: 0, stdout: Buffer.from([131, 104, 2, 119, 2, 111, 107, 97, 1]), stderr: '' });
  });

  it('writes lowercase hex and a newline with --hex, before or after TEXT', async () => {
    expect((await term(['encode', '--hex', '<<"AB">>'])).stdout.toString()).toBe('836d000000024142\n');
    expect((await term(['encode', '[1,2|3]', '--hex'])).stdout.toString()).toBe('836c00000002610161026103\n');
  });

  it('takes a negative number as TEXT, and -- before TEXT', async () => {
    expect((await term(['encode', '--hex', '-1'])).stdout.toString()).toBe('8362ffffffff\n');
    expect((await term(['encode', '--hex', '--', '--'])).code).toBe(1);
  });

  it('reports a parse error with its position on one line, exit 1', async () => {
    const run = await term(['encode', '{ok, ']);
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toBe('erlbridge term encode: line 1, column 6: unexpected end of input: expected a term\n');
  });

  it('reads TEXT from stdin when it is - or missing', async () => {
    const bytes = Buffer.from([131, 104, 2, 119, 2, 111, 107, 97, 1]);
    expect(await term(['encode', '-'], '{ok, 1}\n')).toEqual({ code: 0, stdout: bytes, stderr: '' });
    expect(await term(['encode'], '{ok, 1}')).toEqual({ code: 0, stdout: bytes, stderr: '' });
    expect((await term(['encode', '--hex'], '{ok, 1}.')).stdout.toString()).toBe(bytes.toString('hex') + '\n');
  });

  it.each([
    [['encode', '--format', 'w', 'a'], /--format is for decode/],
    [['decode', '--format', 'x'], /--format takes p .* or w/],
    [['decode', '--format'], /--format needs a value/],
    [['encode', 'a', 'b'], /one TEXT/],
    [['encode', '--base64', 'a'], /unknown option --base64/],
    [[], /missing encode or decode/],
    [['frobnicate'], /unknown subcommand 'frobnicate'/],
    [['decode', 'x'], /takes no TEXT/],
  ])('exits 2 for the usage error in %j', async (args, message) => {
    const run = await term(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/usage: erlbridge term encode/);
  });
});

describe('erlbridge term decode', () => {
  it('reads ETF bytes and prints the term as Erlang text', async () => {
    const run = await term(['decode'], Buffer.from([131, 104, 2, 119, 2, 111, 107, 97, 1]));
    expect(run).toEqual({ code: 0, stdout: Buffer.from('{ok,1}\n'), stderr: '' });
  });

  it('reads hex with white space in it', async () => {
    const run = await term(['decode', '--hex'], '83 6c00000002\n6101 6102\t6103\n');
    expect(run.stdout.toString()).toBe('[1,2|3]\n');
  });

  it('prints what encode wrote', async () => {
    const text = "#{a => [1.0,<<1,2:3>>,'hello world'],{} => #Pid<a@host.80.0.3>}";
    const encoded = await term(['encode', text]);
    expect((await term(['decode', '--format', 'w'], encoded.stdout)).stdout.toString()).toBe(text + '\n');
  });

  it('reports a decode error with its code and offset, exit 1', async () => {
    const run = await term(['decode', '--hex'], '836803');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^erlbridge term decode: .*\(truncated at byte \d+\)\n$/);
    const wrongVersion = await term(['decode'], Buffer.from([130, 97, 1]));
    expect(wrongVersion.stderr).toMatch(/bad_version at byte 0/);
  });

  it('reports input that is not hex, exit 1', async () => {
    expect(await term(['decode', '--hex'], '83 6x')).toEqual({
      code: 1,
      stdout: Buffer.alloc(0),
      stderr: 'erlbridge term decode: not hex: "x" at byte 4\n',
    });
    expect((await term(['decode', '--hex'], '836')).stderr).toMatch(/odd number \(3\)/);
  });
});

describe('erlbridge term through main()', () => {
  afterEach(() => jest.restoreAllMocks());

  it('dispatches to the term command and writes to the process streams', async () => {
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((d: string | Uint8Array) => {
      written.push(Buffer.from(d).toString());
      return true;
    });
    expect(await main(['term', 'encode', '--hex', 'ok'])).toBe(0);
    expect(written).toEqual(['8377026f6b\n']);
  });

  it('exits 2 for a usage error', async () => {
    const errors: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((d: string | Uint8Array) => {
      errors.push(String(d));
      return true;
    });
    expect(await main(['term'])).toBe(2);
    expect(errors.join('')).toMatch(/missing encode or decode/);
  });
});

describeOtp('erlbridge term encode', (otp) => {
  const texts = [
    '{ok, [1,2|3]}',
    '"abc"',
    '<<"λ"/utf8>>',
    "'\\x{3BB}'",
    '#{a => 1.0, 1 => [], {x} => <<1,2:3>>}',
    '-123456789012345678901234567890',
    '[1.0e-10, 2.5, -0.0, 16#FF, $a]',
    'fun lists:map/2',
  ];

  it("writes what erl's term_to_binary writes", async () => {
    // Each text through erl_scan and erl_parse, then term_to_binary, printed as hex, one per line.
    const binaries = texts.map((t) => `<<${Array.from(Buffer.from(t)).join(',')}>>`).join(',');
    const code = `[begin {ok, Toks, _} = erl_scan:string(unicode:characters_to_list(T) ++ "."), {ok, V} = erl_parse:parse_term(Toks), io:format("~s~n", [binary:encode_hex(term_to_binary(V, [{minor_version, 2}]))]) end || T <- [${binaries}]], halt().`;
    const expected = erlEval(otp, code).trim().toLowerCase().split('\n');
    const ours: string[] = [];
    for (const t of texts) ours.push((await term(['encode', '--hex', t])).stdout.toString().trim());
    expect(ours).toEqual(expected);
  });
});
