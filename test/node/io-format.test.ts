/**
 * Our group leader end to end: a TypeScript node calls io:format (and other io functions) in a
 * real erl node through erpc, so the erl process's group leader is ours; what reaches the node's
 * `output` must be exactly what erl's own io_lib:format gives for the same format and arguments,
 * and a bad format must raise badarg in the erl caller, as it would with erl's own group leader.
 * The formatter's byte-for-byte comparison over many cases is test/node/io-format-erl.test.ts.
 */
import { atom, charlistToString, equals, formatTerm, ImproperList, parseTerm, Term, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { ioFormat } from '../../src/node/io-format';
import { RemoteError } from '../../src/process/exceptions';
import { ErlClient } from '../../src';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { rejection } from '../support/rejection';

/** Cases as Erlang text: `{Format, Args}`, in ASCII (OTP 25's eval loop reads its input as Latin-1). */
const CASES = [
  '{"plain~n", []}',
  '{"~s and ~w, ~~ ~b ~c ~ts~n", ["str", [1,2], 42, $x, <<16#3BB/utf8>>]}',
  '{"~10.2f|~-10.3e|~g|~.1f~n", [3.14159, -0.000123, 1.0e10, 0.05]}',
  '{"~*.*.0B ~.16#~n", [8, 2, 5, 255]}',
  '{"~-12s|~12.3ts|~.3.xs~n", [abc, [16#3BB, 16#3BC, 16#3BD, 16#3BE], "ab"]}',
  '{<<"a binary format: ~s ", 233, "~n">>, [[233]]}',
  '{"~tw ~w ~w~n", [list_to_atom([16#3BB]), list_to_atom([16#3BB]), <<1,2>>]}',
];

/** io:format cases that raise badarg in erl. */
const BAD_CASES = ['{"~w~n", []}', '{"~s", [[955]]}', '{"~d", [1]}', '{"~.1e", [1.0]}'];

/**
 * Io requests, and whether erl 27 and 29 answer them alike (erl 29 names a failed latin1 format by
 * its text, 27 by the function; we answer as 27).
 */
const IO_REQUESTS: Array<[string, boolean]> = [
  ['{put_chars, unicode, <<97, 10>>}', true],
  ['{put_chars, latin1, <<233, 10>>}', true],
  ['{put_chars, latin1, [233, [<<10>>]]}', true],
  ['{put_chars, latin1, [955]}', true],
  ['{put_chars, unicode, [-1]}', true],
  ['{put_chars, unicode, [16#D800]}', true],
  ['{put_chars, unicode, <<255>>}', true],
  ['{put_chars, unicode, foo}', true],
  ['{put_chars, [111, 108, 100, 10]}', true],
  ['{put_chars, unicode}', true],
  ['{put_chars, unicode, io_lib, format, ["~w~n", [x]]}', true],
  ['{put_chars, unicode, io_lib, format, ["~w~n", []]}', true],
  ['{put_chars, unicode, io_lib, format, [bad, bad]}', true],
  ['{put_chars, unicode, io_lib, fwrite, ["f~n", []]}', true],
  ['{put_chars, unicode, nomod, nofun, []}', true],
  ['{put_chars, latin1, io_lib, format, ["~ts~n", [[955]]]}', false],
  ['{requests, [{put_chars, unicode, <<114, 10>>}, {put_chars, unicode, io_lib, format, ["~b~n", [2]]}]}', true],
  ['{requests, [{put_chars, unicode, foo}, {put_chars, unicode, <<114, 10>>}]}', true],
  ['{requests, []}', true],
  ['{setopts, [bogus]}', true],
  ['{get_password, unicode}', true],
  ['bogus', true],
  ['{bogus, 1}', true],
];

/** Cases that wait on the io_lib_pretty printer (codec/text/pretty.ts). */
const PRINTER_CASES = [
  '{"~p~n", [[104,105]]}',
  '{"at column 20:     ~p~n", [[{key, lists:seq(1, 30)}]]}',
  '{"~P~n", [lists:seq(1, 20), 4]}',
];

describeOtp('our group leader serving io for erl processes', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let client: ErlClient;
  const printed: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: (t) => printed.push(t) });
    client = new ErlClient(ts);
  }, 60000);

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  /** The format and arguments of a case, as erl reads them, and erl's io_lib:format text (null for badarg). */
  async function erlCase(text: string): Promise<{ format: Term; args: Term[]; expected: string | null }> {
    const answer = await erl.eval(
      `begin {F, A} = ${text}, {F, A, try binary_to_list(binary:encode_hex(unicode:characters_to_binary(io_lib:format(F, A)))) catch error:badarg -> badarg end} end`,
      10000,
    );
    const [format, args, hex] = (parseTerm(answer) as Tuple).elements;
    return {
      format,
      args: args as Term[],
      expected: hex === atom('badarg') ? null : Buffer.from(charlistToString(hex as number[]), 'hex').toString('utf8'),
    };
  }

  /** What our output receives while erl's io:format(Format, Args) runs with our group leader. */
  async function printThroughUs(format: Term, args: Term[]): Promise<string> {
    printed.length = 0;
    expect(await client.rpc(erl.name, 'io', 'format', [format, args], { timeout: 10000 })).toBe(atom('ok'));
    return printed.join('');
  }

  it('io:format in erl writes to our output exactly what erl formats', async () => {
    for (const text of CASES) {
      const { format, args, expected } = await erlCase(text);
      expect(expected).not.toBeNull();
      expect({ text, printed: await printThroughUs(format, args) }).toEqual({ text, printed: expected });
    }
  });

  it('a bad format raises badarg in the erl caller, from io:format, and prints nothing', async () => {
    for (const text of BAD_CASES) {
      const { format, args, expected } = await erlCase(text);
      expect({ text, expected }).toEqual({ text, expected: null });
      printed.length = 0;
      const failure = await rejection(client.rpc(erl.name, 'io', 'format', [format, args], { timeout: 10000 }));
      expect(failure).toBeInstanceOf(RemoteError);
      expect((failure as RemoteError).reason).toBe(atom('badarg'));
      const top = ((failure as RemoteError).stacktrace as Tuple[])[0];
      expect(formatTerm(tuple(top.get(0), top.get(1), top.get(2)))).toBe(formatTerm(tuple(atom('io'), atom('format'), [format, args])));
      expect(printed).toEqual([]);
      // The error_info erl's io module builds from the reply ({device, format} from OTP 27 on) is
      // what the same call gets from erl's own group leader.
      const theirs = (await rejection(
        client.rpc(erl.name, 'io', 'format', [atom('user'), format, args], { timeout: 10000 }),
      )) as RemoteError;
      const errorInfo = (e: RemoteError): string =>
        formatTerm(
          ((e.stacktrace as Tuple[])[0].get(3) as Term[]).find((x) => x instanceof Tuple && x.get(0) === atom('error_info')) ?? [],
        );
      if (Number(otp.release) >= 27) {
        expect(errorInfo(theirs)).toMatch(/cause => \{device,format\}/);
        expect(errorInfo(failure as RemoteError)).toBe(errorInfo(theirs));
      }
    }
  });

  it('put_chars: unicode chardata as characters, latin1 bytes as Latin-1 characters; bad data is an error', async () => {
    printed.length = 0;
    expect(await client.rpc(erl.name, 'io', 'put_chars', [[bin('λ '), [0x3bc, [0x20]], 0x0a]])).toBe(atom('ok'));
    // file:write on an io device sends {put_chars, latin1, Bytes}.
    expect(
      await client.rpc(erl.name, 'file', 'write', [atom('standard_io'), new ImproperList([0xe9, 0x20], Buffer.from([0xe9, 0x0a]))]),
    ).toBe(atom('ok'));
    expect(printed.join('')).toBe('λ μ \né é\n');
    const reply = await client.rpc(erl.name, 'io', 'request', [tuple(atom('put_chars'), atom('latin1'), [0x3bb])]);
    expect(formatTerm(reply)).toBe('{error,{put_chars,latin1,[955]}}');
    expect(await rejection(client.rpc(erl.name, 'io', 'put_chars', [[-1]]))).toBeInstanceOf(RemoteError);
  });

  it('answers the other io requests as erl answers them for an output device without a terminal', async () => {
    const request = (r: Term): Promise<Term> => client.rpc(erl.name, 'io', 'request', [r], { timeout: 10000 });
    expect(formatTerm(await client.rpc(erl.name, 'io', 'columns', []))).toBe('{error,enotsup}');
    expect(formatTerm(await client.rpc(erl.name, 'io', 'rows', []))).toBe('{error,enotsup}');
    expect(formatTerm(await client.rpc(erl.name, 'io', 'get_line', ['prompt> ']))).toBe('eof');
    expect(formatTerm(await client.rpc(erl.name, 'io', 'get_chars', ['', 3]))).toBe('eof');
    expect(formatTerm(await client.rpc(erl.name, 'io', 'getopts', []))).toBe('[{binary,false},{encoding,unicode}]');
    expect(await client.rpc(erl.name, 'io', 'setopts', [[atom('binary'), tuple(atom('encoding'), atom('latin1'))]])).toBe(atom('ok'));
    expect(formatTerm(await client.rpc(erl.name, 'io', 'getopts', []))).toBe('[{binary,true},{encoding,latin1}]');
    expect(await client.rpc(erl.name, 'io', 'setopts', [[atom('list'), tuple(atom('encoding'), atom('unicode'))]])).toBe(atom('ok'));
    expect(formatTerm(await client.rpc(erl.name, 'io', 'setopts', [[tuple(atom('echo'), false)]]))).toBe('{error,enotsup}');
    expect(formatTerm(await request(tuple(atom('get_password'), atom('unicode'))))).toBe('{error,enotsup}');
    expect(formatTerm(await request(atom('bogus')))).toBe('{error,request}');
    // Nothing from the wire is evaluated: only io_lib:format/fwrite.
    expect(formatTerm(await request(tuple(atom('put_chars'), atom('unicode'), atom('os'), atom('cmd'), ['true'])))).toBe('{error,cmd}');
    printed.length = 0;
    const requests = [
      tuple(atom('put_chars'), atom('unicode'), bin('one ')),
      tuple(atom('put_chars'), atom('unicode'), atom('io_lib'), atom('format'), ['~w~n', [2]]),
    ];
    expect(await request(tuple(atom('requests'), requests))).toBe(atom('ok'));
    expect(printed.join('')).toBe('one 2\n');
  });

  it("replies to io requests as erl's own group leader does (OTP 27 on: word for word)", async () => {
    const exact = Number(otp.release) >= 27;
    for (const [text, wordForWord] of IO_REQUESTS) {
      const request = parseTerm(text);
      const theirs = await client.rpc(erl.name, 'io', 'request', [atom('user'), request], { timeout: 10000 });
      const ours = await client.rpc(erl.name, 'io', 'request', [request], { timeout: 10000 });
      const outcome = (reply: Term): string =>
        reply === atom('ok') ? 'ok' : formatTerm(reply).startsWith('{error,') ? 'error' : formatTerm(reply);
      expect({ text, ours: outcome(ours) }).toEqual({ text, ours: outcome(theirs) });
      if (exact && wordForWord) expect({ text, ours: formatTerm(ours) }).toEqual({ text, ours: formatTerm(theirs) });
    }
  });

  it('~p ~P through our group leader: erl prints the same', async () => {
    for (const text of PRINTER_CASES) {
      const { format, args, expected } = await erlCase(text);
      expect({ text, printed: await printThroughUs(format, args) }).toEqual({ text, printed: expected });
    }
  });
});

function bin(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

describe('ioFormat on what peers may send', () => {
  it('formats a 100,000-deep iolist and a 100,000-deep term without running out of stack', () => {
    let deep: Term = [0x61];
    for (let i = 0; i < 100000; i++) deep = [deep, 0x62];
    const text = ioFormat('~s', [deep]);
    expect(text.length).toBe(100001);
    expect(text.startsWith('ab')).toBe(true);
    let nested: Term = [];
    for (let i = 0; i < 100000; i++) nested = [nested];
    expect(ioFormat('~w', [nested]).length).toBe(200002);
    expect(equals(parseTerm(ioFormat('~w', [[1, 2]])), [1, 2])).toBe(true);
  });

  it('refuses a field width that would exhaust memory, as a format error', () => {
    expect(() => ioFormat('~*c', [2 ** 40, 0x61])).toThrow(/out of range/);
  });
});
