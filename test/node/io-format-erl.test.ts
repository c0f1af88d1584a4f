/**
 * ioFormat against erl's own io_lib:format, byte for byte: hundreds of (Format, Args) pairs, written
 * as Erlang text, go to erl in one batch; erl answers with the ETF of [{Format, Args, Result}], where
 * Result is the UTF-8 of what io_lib:format gives, or how it failed (raised, or text that is not
 * Unicode: both are the error erl's group leader replies). The same decoded Format and Args then go
 * through ioFormat. No fixture: every run asks each OTP afresh.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { atom, decode, float, formatTerm, parseTerm, Term, Tuple } from '../../codec';
import * as pretty from '../../codec/text/pretty';
import { ioFormat, IoFormatError } from '../../src/node/io-format';
import { seededRandom } from '../support/seeded-random';
import { describeOtp, erlEval, Otp, stageFile, uniqueName } from '../support/otp';

/** A case: the format and the argument list, both as Erlang text. */
type Case = [format: string, args: string];

const erlString = (s: string): string => JSON.stringify(s);

/** Hand-picked cases: each directive, its quirks, and what erl rejects. */
const HANDPICKED: Case[] = [
  ['"plain text, no directives"', '[]'],
  ['"~~ ~n ~5~ ~3n|"', '[]'],
  ['"~c|~5c|~.3c|~5.2c|~-5.2c|~5.2.xc|~tc|~c"', '[$a, $b, $c, $d, $e, $f, 955, 955]'],
  ['"~c"', '[-1]'],
  ['"~c"', '[256 + $A]'],
  ['"~tc"', '[16#D800]'],
  ['"~tc"', '[-1]'],
  ['"~c"', '[a]'],
  [
    '"~s|~10s|~-10s|~.3s|~10.3s|~-10.3s|~3.3s|~2s|~.10s"',
    '["abcde", "abcde", "abcde", "abcde", "abcde", "abcde", "abcde", "abcde", "abcde"]',
  ],
  ['"~s ~s ~s ~s"', '[atom, \'Quoted atom\', [$a, ["bc", <<"de">>] | <<"fg">>], <<"bin">>]'],
  ['"~s"', '[[$a | b]]'],
  ['"~s"', '[[256]]'],
  ['"~s"', '[3.5]'],
  ['"~s"', '[<<1:1>>]'],
  ['"~ts|~10ts|~.2ts|~-6.2ts|"', '[[955, 956], <<"λμν"/utf8>>, "αβγ", [<<"é"/utf8>>, 955]]'],
  ['"~ts"', '[<<255, 254>>]'],
  ['"~s"', '[<<"λ"/utf8>>]'],
  ['"~ts"', "['λatom']"],
  ['"~s"', "['λatom']"],
  ['"~5ts|~2ts|~.1ts|"', '[[$e, 16#301, $x], [$a, 16#301, $b, 16#302, $c], [$\\r, $\\n, $z]]'],
  ['"~3s|~.2s|"', '["a\\r\\nbc", "\\r\\nab"]'],
  ['"~3ts|~.2ts|~5.2ts|"', '["a\\r\\nbc", "\\r\\nab", "\\r\\nab"]'],
  ['"~10.3.*s|~..0s|~10..-s|~5.0s|"', '[$=, "abcdef", "ab", "cd", "ef"]'],
  ['"~10.3.*s"', '["abcdef", $=]'],
  ['"~*s|~-*s|~*.*s|~-*.*s|~*s"', '[6, "ab", 6, "cd", 6, 2, "efgh", -6, 2, "ij", -4, "k"]'],
  ['"~-s"', '["x"]'],
  ['"~*s"', '[x, "y"]'],
  ['"~.*s"', '[-1, "y"]'],
  ['"~10.*s"', '[12, "y"]'],
  ['"~.*i|~.*b|~.*e|~.*f|~5.*n|~.*s"', '[-1, x, -2, 5, -3, 1.0, -4, 1.0, -5, -6, "s"]'],
  ['"~.*i|~.*n|~.*b|~.*e|~.*f|~.*s"', '[-1, x, -5, -2, 5, -3, 1.0, -4, 1.0, -6, "s"]'],
  ['"~w ~w ~w ~w ~w"', '[[104, 105], {a, "b", <<"c">>}, 1.5, -12345678901234567890, \'A b\']'],
  ['"~w|~10w|~-10w|~3w|~.3w|~10.3w|~5.5.0w|~0w"', '[x, abc, abc, abcdef, abcdef, abcdef, ab, abc]'],
  ['"~w ~tw"', "['λ', 'λ']"],
  ['"~w ~w ~tw"', "[['maybe', 'else'], 'é', [955]]"],
  ['"~w"', '[#{a => 1, 1 => [2], "k" => <<"v">>}]'],
  ['"~i~w~i"', '[skipped, shown, skipped]'],
  ['"~b ~B ~b ~B ~.16b ~.16B ~.2B ~.36B ~.36b"', '[255, 255, -255, -255, 255, 255, 5, 123456789, 123456789]'],
  ['"~x ~X ~.16x ~.16X ~.16x ~.16X"', '[255, "0x", 255, "0x", 255, "0x", 255, "0x", -255, \'#\', 255, [$$, ["x"]]]'],
  ['"~# ~+ ~.16# ~.16+ ~.2# ~.36+"', '[255, 255, -255, 255, 5, 35]'],
  ['"~10b|~-10b|~3b|~10.16.0B|~-10.16.0x|~*.*b"', '[42, 42, 12345, 255, 255, "0x", 8, 2, 5]'],
  ['"~.16x"', '[255, <<"0x">>]'],
  ['"~.1b"', '[1]'],
  ['"~.37b"', '[1]'],
  ['"~b"', '[1.0]'],
  ['"~.16b ~.16B"', '[123456789012345678901234567890, -123456789012345678901234567890]'],
  ['"~f ~e ~g"', '[3.14159, 3.14159, 3.14159]'],
  ['"~.0f"', '[1.0]'],
  ['"~.1e"', '[1.0]'],
  ['"~.0g"', '[1.0]'],
  ['"~f"', '[1]'],
  ['"~.1f ~.2f ~.2f ~.1f ~.0e"', '[0.05, 0.125, 2.675, 0.25, 1.0]'],
  ['"~10.2f|~-10.2f|~3.2f|~10.2.0f|~12e|~-12.3e|~4e|~10g|~-10.3g|"', '[3.14159, 3.14159, 314.159, -3.14159, 1.5, -1.5, 1.5, 2.5, 2.5]'],
  ['"~f ~e ~g ~f ~e ~g"', '[0.0, 0.0, 0.0, -0.0, -0.0, -0.0]'],
  ['"~.1g ~.2g ~.1g ~.1g ~.3g ~.3g ~g ~g ~g"', '[0.5, 0.5, 5.0, 0.05, 9999.9, 99.99, 1.0e4, 0.1, 0.099]'],
  ['"~.20f ~.20e ~.30g"', '[0.1, 0.1, 0.1]'],
  ['"~f ~e ~g"', '[1.0e300, 1.0e-300, 5.0e-324]'],
  ['"~f"', '[123456789012345678901234567890.0]'],
  ['"~e"', '[9.9999996]'],
  // Exact ties at the 21st digit: float_to_list rounds them to even (…882|5 stays, …199609|375 goes up).
  ['"~.7f ~.20e ~.7f ~.20e"', '[35184372088831.98828125, 35184372088831.98828125, 35184372088831.99609375, 35184372088831.99609375]'],
  ['"~.3e ~.3f ~.3g"', '[9.9995, 9.9995, 9.9995]'],
  ['"~s~n~10s~5c"', '["line", "next", $x]'],
  ['"~w"', '[]'],
  ['"~w"', '[a, b]'],
  ['"no directives"', '[extra]'],
  ['"~"', '[]'],
  ['"~5"', '[x]'],
  ['"~y"', '[x]'],
  ['"~ls ~ts ~lts ~tls"', '["a", "b", "c", "d"]'],
  ['"~-3n"', '[]'],
  ['"~3.2n|"', '[]'],
  ['"~W"', '[x]'],
  ['"~W"', '[x, y]'],
  ['<<"binary ~w format ", 206, 187>>', '[x]'],
  ['"λ list format ~ts"', '[[955]]'],
  ['atom_format', '[]'],
  ["'atom ~w'", '[x]'],
  ['["list", " of ", <<"chardata">>, "~w"]', '[]'],
  ['[$~, $w | " tail"]', '[x]'],
  ['"~kw ~Kw"', '[x, reversed, y]'],
  ['"~Kw"', '[x, y]'],
  ['"~5.2.*c"', '[[$a, $b], $x]'],
  ['"~5.2.*c"', '[-1, $x]'],
  ['"~5..*s"', '[<<"pad">>, "x"]'],
  ['"\\t~w\\t~w"', '[a, b]'],
  ['"~c|~c"', '[16#10000000000000041, -16#10000000000000041]'],
  ["'λ atom format ~w'", '[x]'],
  ['"~10.3.λs|~5.2.λc|~-8.λts|"', '["abcdef", $x, [955]]'],
  ['"~.1g ~.1g ~.2g ~g ~g"', '[12345.0, 0.01, 99999.0, 123456789.0, 0.0001]'],
  ['"~ts|~10ts|"', '[[<<"ok">>, <<255>>, [16#3BB]], [<<206>>, $a]]'],
  ['"~s"', '[[<<"ok">> | <<"tail">>]]'],
  ['"~s"', '[[$a | $b]]'],
  ['"~.16x|~.16X"', '[255, [16#3BB], 255, [[$0], $X]]'],
  ['"~10.16x|"', '[255, [16#3BB, 16#301]]'],
  ['"~.16x"', '[255, [16#FFFE]]'],
];

/** Field width, precision and pad prefixes, with the arguments their `*`s take. */
const SPECS: Array<[string, string[]]> = [
  ['', []],
  ['8', []],
  ['-8', []],
  ['2', []],
  ['0', []],
  ['*', ['7']],
  ['*', ['-7']],
  ['-*', ['7']],
  ['-*', ['-7']],
  ['9.3', []],
  ['-9.3', []],
  ['9.3.x', []],
  ['-9.3.x', []],
  ['.3', []],
  ['.1', []],
  ['..x', []],
  ['9..0', []],
  ['.*', ['2']],
  ['*.*.*', ['10', '4', '$_']],
  ['3.3', []],
  ['4.6', []],
];

/** Directives with sample arguments (Erlang text). */
const DIRECTIVES: Array<[string, string[]]> = [
  ['s', ['"hello"', 'abc', '<<"bin">>', '["io", [$l | <<"ist">>]]', '""']],
  ['ts', ['"héllo"', '[955, 956, 957, 958]', '<<"λμν"/utf8>>', "'λx'"]],
  ['w', ['ok', '{a, 1}', '[1, 2, 3]', '"str"', '-12.5', "'Q'"]],
  ['tw', ["'λ'", '<<"bin">>']],
  ['c', ['$a', '955']],
  ['tc', ['$a', '955']],
  ['b', ['0', '255', '-255', '123456789012345678901234567890']],
  ['B', ['255', '-1']],
  ['x', ['255, "0x"', "-255, '#'"]],
  ['X', ['255, "0x"', "-255, '#'"]],
  ['#', ['255', '-255']],
  ['+', ['255', '-255']],
  ['e', ['3.14159', '-0.000123', '1.0e100']],
  ['f', ['3.14159', '-0.000123', '99.5']],
  ['g', ['3.14159', '-0.000123', '1.0e100', '0.5']],
  ['~', ['']],
  ['n', ['']],
  ['i', ['skipped']],
];

/** Random floats across the whole range, and with few digits, for the rounding of ~f ~e ~g. */
function floatCases(): Case[] {
  const random = seededRandom(20261207);
  const cases: Case[] = [];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 150; i++) {
    let x: number;
    if (i % 3 === 0) {
      // Any bit pattern: subnormals, huge and tiny exponents.
      view.setUint32(0, Math.floor(random() * 0x100000000));
      view.setUint32(4, Math.floor(random() * 0x100000000));
      x = view.getFloat64(0);
      if (!Number.isFinite(x)) continue;
    } else {
      // Short decimals such as 2.675 or 0.0125, which sit on rounding edges.
      const digits = Math.floor(random() * 100000);
      x = (digits / 10 ** Math.floor(random() * 8)) * (random() < 0.2 ? -1 : 1);
    }
    const text = formatTerm(float(x));
    const p = Math.floor(random() * 8);
    cases.push([erlString(`~.${p + 1}f ~.${p + 2}e ~.${p + 1}g ~f ~e ~g ~w`), `[${new Array(7).fill(text).join(', ')}]`]);
  }
  return cases;
}

function generatedCases(): Case[] {
  const cases: Case[] = [];
  for (const [spec, specArgs] of SPECS) {
    for (const [directive, samples] of DIRECTIVES) {
      for (const sample of samples) {
        const args = [...specArgs, ...(sample === '' ? [] : [sample])];
        cases.push([erlString(`<~${spec}${directive}>`), `[${args.join(', ')}]`]);
      }
    }
  }
  return cases;
}

/** Argument pool for random control sequences: right and wrong types for every directive. */
const POOL = [
  '"text"',
  '"a\\tb"',
  '[]',
  'abc',
  "'Quoted'",
  '<<"bin">>',
  '<<255>>',
  '[<<"io">>, $l, ["ist"]]',
  '[16#3BB, $x]',
  '0',
  '7',
  '-3',
  '65',
  '255',
  '955',
  '16#10FFFF + 1',
  '123456789012345678901',
  '-98765432109876543210',
  '0.0',
  '1.5',
  '-2.25',
  '0.1',
  '123456.789',
  '1.0e-7',
  '6.02e23',
  '{a, "b"}',
  '[1, 2, 3]',
  '[a | b]',
  '"0x"',
];

/** Random control sequences, with arguments drawn (mostly) to fit them, as erl would see a fuzzer's. */
function randomCases(seed: number, count: number, directives: readonly string[]): Case[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const cases: Case[] = [];
  for (let n = 0; n < count; n++) {
    let format = '';
    const args: string[] = [];
    for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
      format += pick(['', ' ', '|', 'ab', '\\t', '\\n', 'é']) + '~';
      const width = pick(['', '', '', '5', '-5', '1', '0', '12', '*', '-*']);
      if (width.includes('*')) args.push(pick(['4', '-4', '0', '9', 'x']));
      format += width;
      const precision = pick(['', '', '', '.2', '.0', '.1', '.16', '.3', '.*', '.']);
      // No negative precision: erl's ~c and ~w loop on one until memory runs out (see HANDPICKED).
      if (precision === '.*') args.push(pick(['2', '3', '16', '0', 'x']));
      format += precision;
      const pad = pick(['', '', '', '.0', '.x', '.*', '.~']);
      if (pad === '.*') args.push(pick(['$-', '$λ', '"ab"', 'x']));
      format += precision === '' && pad !== '' ? `.${pad}` : pad;
      for (const m of ['t', 'l', 'k']) if (random() < 0.15) format += m;
      const directive = pick(directives);
      format += directive;
      const arity = 'xXWP'.includes(directive) ? 2 : 'n~d'.includes(directive) ? 0 : 1;
      for (let a = 0; a < arity; a++) args.push(pick(POOL));
    }
    if (random() < 0.05) args.push('extra');
    cases.push([erlString(format), `[${args.join(', ')}]`]);
  }
  return cases;
}

/**
 * ~p ~P ~W through the io_lib_pretty printer (codec/text/pretty.ts) and io_lib:write's depth. Maps
 * with several atom keys print under plain ~p in the order OTP 28+ keeps them (atom-table order, which
 * a peer cannot see), so those are printed with ~k / ~K here.
 */
const PRINTER_CASES: Case[] = [
  ['"~p"', '[[104, 105]]'],
  ['"~p ~lp ~tp ~p"', '["hi", "hi", [955], [955]]'],
  ['"~p"', '[<<"bin">>]'],
  ['"~tp ~p"', '[<<"λ"/utf8>>, <<"λ"/utf8>>]'],
  ['"~p"', '[lists:seq(1, 40)]'],
  ['"~40p"', '[lists:seq(1, 30)]'],
  ['"~p~n"', '[[{key, lists:duplicate(12, value)}, {other, #{text => "text"}}]]'],
  ['"a prefix that pushes the term right: ~p"', '[[{key, lists:duplicate(10, value)}, {other, {1, 2, 3}}]]'],
  ['"\\t~p"', '[lists:seq(1, 30)]'],
  ['"~p and then ~p"', '[lists:seq(100, 125), lists:seq(1, 30)]'],
  ['"~50.10p"', '[lists:seq(1, 30)]'],
  ['"~-p"', '[x]'],
  ['"~P"', '[lists:seq(1, 20), 5]'],
  ['"~P ~W"', '[{a, [b, c, d], {e, f}}, 3, {a, [b, c, d], {e, f}}, 3]'],
  ['"~P"', '[x, y]'],
  ['"~W"', '[[1, 2, 3, 4, 5], 2]'],
  ['"~10W|~-12W|"', '[[1, 2, 3, 4, 5], 3, [a, b, c, d], 2]'],
  ['"~kp ~kw"', '[#{b => 1, a => 2}, #{b => 1, a => 2}]'],
  ['"~Kp ~Kw"', '[reversed, #{b => 1, a => 2}, reversed, #{b => 1, a => 2}]'],
];

interface Outcome {
  format: Term;
  args: Term;
  /** What erl's group leader would write, or null where it replies with an error. */
  expected: Buffer | null;
  detail: string;
}

/** Ask erl for io_lib:format of every case. */
function erlOutcomes(otp: Otp, cases: Case[]): Outcome[] {
  const file = path.join(os.tmpdir(), `${uniqueName('iofmt')}.erl-terms`);
  // One expression, evaluated (not consulted) so that cases may compute, e.g. lists:seq(1, 40).
  fs.writeFileSync(file, `%% -*- coding: utf-8 -*-\n[\n${cases.map(([f, a]) => `{${f}, ${a}}`).join(',\n')}\n].\n`);
  try {
    const inside = stageFile(otp, file);
    const code = `
      {ok, Cases} = file:script(${erlString(inside)}),
      Result = fun(F, A) ->
        try unicode:characters_to_binary(io_lib:format(F, A)) of
          B when is_binary(B) -> {ok, B};
          Other -> {not_unicode, Other}
        catch C:E -> {raised, C, E}
        end
      end,
      R = [{F, A, Result(F, A)} || {F, A} <- Cases],
      io:put_chars(binary:encode_hex(term_to_binary(R))),
      halt().`;
    const out = erlEval(otp, code, [], 60000).trim();
    const results = decode(Buffer.from(out, 'hex')) as Tuple[];
    return results.map((t) => {
      const r = t.get(2) as Tuple;
      return {
        format: t.get(0),
        args: t.get(1),
        expected: r.length === 2 && Buffer.isBuffer(r.get(1)) && formatTerm(r.get(0)) === 'ok' ? (r.get(1) as Buffer) : null,
        detail: formatTerm(r),
      };
    });
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The cases where ioFormat differs from erl, as readable lines (empty when all agree). */
function mismatches(otp: Otp, outcomes: Outcome[]): string[] {
  const bad: string[] = [];
  for (const { format, args, expected, detail } of outcomes) {
    let got: Buffer | null;
    let why = '';
    try {
      got = Buffer.from(ioFormat(format, args, { otp: Number(otp.release) }), 'utf8');
    } catch (err) {
      if (!(err instanceof IoFormatError)) throw err;
      got = null;
      why = err.message;
    }
    const same = got === null || expected === null ? got === expected : got.equals(expected);
    if (!same) {
      bad.push(
        `io_lib:format(${formatTerm(format, { unicode: true })}, ${formatTerm(args, { unicode: true })}):\n` +
          `  erl:      ${expected === null ? detail : JSON.stringify(expected.toString('utf8'))}\n` +
          `  ioFormat: ${got === null ? `error (${why})` : JSON.stringify(got.toString('utf8'))}`,
      );
    }
  }
  return bad;
}

describeOtp('io_lib:format, ioFormat and erl', (otp) => {
  let outcomes: Outcome[];
  let printerOutcomes: Outcome[];
  const printerCases = [...PRINTER_CASES, ...randomCases(13, 300, ['p', 'P', 'W', 'w', 's'])];
  const cases = [
    ...HANDPICKED,
    ...generatedCases(),
    ...floatCases(),
    ...randomCases(11, 1000, ['c', 'f', 'e', 'g', 's', 'w', 'b', 'B', 'x', 'X', '#', '+', 'i', 'n', '~', 'd']),
  ];

  beforeAll(() => {
    const all = erlOutcomes(otp, [...cases, ...printerCases]);
    outcomes = all.slice(0, cases.length);
    printerOutcomes = all.slice(cases.length);
  }, 90000);

  it(`formats ${cases.length} (Format, Args) pairs as erl does, and fails where erl fails`, () => {
    expect(outcomes).toHaveLength(cases.length);
    // The batch exercises both sides: text and errors.
    expect(outcomes.filter((o) => o.expected === null).length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.expected !== null).length).toBeGreaterThan(500);
    expect(mismatches(otp, outcomes)).toEqual([]);
  });

  it('hands io_lib_pretty the column and line length io_lib_format hands it', () => {
    // [text before the ~p (a format, its args), the ~p's own width and precision]
    const layouts: Array<[string, string, string]> = [
      ['', '[]', ''],
      ['abc ', '[]', ''],
      ['\t', '[]', ''],
      ['ab\tcdefghij\t', '[]', '40'],
      ['x~n  ', '[]', ''],
      ['~s: ', '["key"]', ''],
      ['~10w|~-6.2f|', '[atom, 1.5]', '30'],
      ['é~ts ~c', '[[955, 16#301], $x]', ''],
      ['~s', '["two\\nlines"]', ''],
      ['prefix ', '[]', '.5'],
      ['prefix ', '[]', '50.12'],
    ];
    const answer = erlEval(
      otp,
      `io:format("~w", [[begin F = io_lib:format(P, A), {unicode:characters_to_binary(F), io_lib_format:indentation(F, 0) + 1} end || {P, A} <- [${layouts.map(([p, a]) => `{${erlString(p)}, ${a}}`).join(', ')}]]]), halt().`,
      [],
      30000,
    );
    const expected = (parseTerm(answer) as Tuple[]).map((t) => t.get(1) as number);
    const spy = jest.spyOn(pretty, 'prettyTerm');
    try {
      layouts.forEach(([prefix, args, spec], i) => {
        spy.mockClear();
        ioFormat(`${prefix}~${spec}p`, [...(parseTerm(args) as Term[]), atom('t')]);
        const [width, precision] = spec.split('.');
        expect(spy).toHaveBeenCalledTimes(1);
        const options = spy.mock.calls[0][1] as pretty.PrettyOptions;
        expect({ prefix, spec, lineLength: options.lineLength, column: options.column }).toEqual({
          prefix,
          spec,
          lineLength: width ? Number(width) : 80,
          column: precision ? Number(precision) : expected[i],
        });
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('prints ~p ~P ~W as io_lib_pretty and io_lib:write with a depth do', () => {
    expect(printerOutcomes).toHaveLength(printerCases.length);
    expect(mismatches(otp, printerOutcomes)).toEqual([]);
  });
});
