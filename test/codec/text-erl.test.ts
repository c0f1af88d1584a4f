/**
 * Conformance of the Erlang text layer with real erl. For a few hundred terms, one erl run per OTP
 * variant gets each term as term_to_binary hex plus our text for it, and answers with:
 * (a) its `~w` text, to compare with formatTerm byte for byte;
 * (b) whether erl_parse:parse_term of our text is =:= the term;
 * (c) its `~w`, `~p` and `~tp` texts, which parseTerm must read back as the term.
 *
 * Maps: OTP 26+ prints small maps in an internal order (atom keys by atom index), so on those
 * releases (a) compares with `~kw`, which prints map key order; OTP 25 has no `k` modifier and
 * prints maps of more than 32 keys in hash order, so (a) skips those there.
 *
 * External funs: erl writes `fun M:F/A` with the runtime system's atom quoting, which leaves
 * reserved words bare, so erl_parse cannot read those back and (b) skips them; and it writes each
 * UTF-8 byte of a non-ASCII name as a Latin-1 character (on every release), which we do not copy
 * (the text would not read back), so (a) and (c) skip those.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import {
  atom,
  BitBinary,
  equals,
  ErlFloat,
  ErlMap,
  ExportFun,
  float,
  ImproperList,
  improperList,
  map,
  Term,
  Tuple,
  tuple,
} from '../../codec';
import { encode } from '../../codec/encoder';
import { formatTerm, parseTerm } from '../../codec/text';
import { describeOtp, erlEval, Otp, stageFile } from '../support/otp';

// prettier-ignore
const RESERVED = [
  'after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case', 'catch',
  'cond', 'div', 'end', 'fun', 'if', 'let', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try',
  'when', 'xor', 'maybe', 'else', 'query', 'spec', 'true', 'false',
];

// prettier-ignore
const TRICKY_ATOMS = [
  'ok', 'hello world', 'Abc', '[]', '{}', '', '_a', 'a@b', 'a.b', 'a-b', 'aé', 'é', 'ß', 'ÿ', 'Ä', 'aÄ',
  'a×', 'a÷', '÷', 'λ', 'aλ', 'a\u{1F600}', 'a\nb', "it's", '\\', '"', '\x7f', '\x80', '\x9f', '\xa0',
  'a\x00', '\t\r\v\b\f\x1b', 'a b c', 'Elixir.Foo', 'node@host.example.com', 'ÀÞ', 'aÀÞ', 'a1_@Z',
  '\u0100', '\u00ff\u0100', '\u{10FFFF}', 'x'.repeat(255),
];

// prettier-ignore
const TRICKY_FLOATS = [
  0, -0, 1, -1, 0.1, 0.2, 0.3, 1 / 3, 100, 1000, 0.0001, 0.00001, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22,
  1e23, 1e-10, 123456789012345680, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 5e-324,
  2.2250738585072014e-308, 1.7976931348623157e308, 12345.678, 123400, 12340, 1234567890,
  12345678900, 9.999999999999999e22, 0.000123, 1.5e300, -2.5e-5,
];

// prettier-ignore
const TRICKY_INTEGERS: Array<number | bigint> = [
  0, 1, -1, 255, 256, -256, 2 ** 27 - 1, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER, 2n ** 53n, 2n ** 64n, -(2n ** 64n), 123456789012345678901234567890n, -(2n ** 2040n),
];

/** Hand-picked terms that exercise each printing rule. */
function trickyTerms(): Term[] {
  const terms: Term[] = [];
  for (const name of [...RESERVED, ...TRICKY_ATOMS]) terms.push(atom(name));
  for (const f of TRICKY_FLOATS) terms.push(float(f), float(-f));
  for (const name of [...TRICKY_ATOMS, 'and', 'fun', 'maybe', 'true', 'a\x1b', 'a\x7f\x9f'])
    terms.push(new ExportFun(atom(name), atom(name), 3));
  terms.push(...TRICKY_INTEGERS);
  terms.push(
    [],
    tuple(),
    map(),
    Buffer.alloc(0),
    Buffer.from('abc'),
    Buffer.from([0, 1, 255]),
    Buffer.from('λ'),
    'a JS string',
    new BitBinary(Buffer.from([1, 0b01000000]), 3),
    new BitBinary(Buffer.from([0xff]), 1),
    new BitBinary(Buffer.from([0xab, 0xcd, 0xfe]), 7),
    [104, 105],
    [955, 120],
    [0, 1, 2],
    [10, 13, 9],
    improperList([1, 2], 3),
    improperList([atom('a')], atom('b')),
    improperList([[]], Buffer.from('x')),
    improperList([1], improperList([2], 3)),
    tuple(atom('a'), [98], Buffer.from('c')),
    map([
      [atom('b'), 1],
      [atom('a'), 2],
      [1, atom('x')],
      [float(1), atom('y')],
      [[115], 1],
      [Buffer.from('b'), 2],
      [tuple(atom('t')), 3],
    ]),
    map([
      [map(), 1],
      [map([[1, 2]]), map([[atom('deep'), map([[atom('er'), []]])]])],
    ]),
    map([
      [2, 1],
      [1n, 2],
      [-1, 3],
      [float(0.5), 4],
      [2n ** 70n, 5],
      [atom('z'), 6],
      [tuple(), 7],
      [[], 8],
    ]),
    new ExportFun(atom('lists'), atom('map'), 2),
    new ExportFun(atom('Elixir.Foo'), atom('and'), 0),
    tuple(float(-0), [float(-0)], map([[atom('z'), float(-0)]])),
    Array.from({ length: 300 }, (_, i) => i),
    new Tuple(Array.from({ length: 260 }, (_, i) => atom(`k${i}`))),
    // More than 32 keys: a hashmap on the BEAM.
    new ErlMap(Array.from({ length: 40 }, (_, i): [Term, Term] => [i % 2 ? atom(`k${i}`) : i, i])),
  );
  return terms;
}

/** Random terms erl can read and write as text: no pids, ports, references or local funs. */
function randomTerms(count: number): Term[] {
  const atomArb = fc.oneof(fc.constantFrom(...RESERVED, ...TRICKY_ATOMS), fc.string({ unit: 'binary', maxLength: 8 })).map(atom);
  // erl garbles non-ASCII names of external funs (see the file comment), so these stay ASCII.
  const asciiAtomArb = fc
    .oneof(
      { arbitrary: fc.constantFrom(...RESERVED), weight: 1 },
      { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }).map((n) => n.replace(/[\x80-\xff]/g, 'x')), weight: 6 },
    )
    .map(atom);
  const leaf: fc.Arbitrary<Term> = fc.oneof(
    fc.integer(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => float(d === 0 ? 0 : d)),
    atomArb,
    fc.boolean(),
    fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 7 })).map(([a, bits]) => {
      const buf = Buffer.from(a);
      buf[buf.length - 1] &= (0xff << (8 - bits)) & 0xff; // BEAM keeps unused bits zero
      return new BitBinary(buf, bits);
    }),
    fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 6 }),
    fc.tuple(asciiAtomArb, asciiAtomArb, fc.integer({ min: 0, max: 255 })).map(([m, f, a]) => new ExportFun(m, f, a)),
  );
  const { term } = fc.letrec<{ term: Term }>((tie) => ({
    term: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      leaf,
      fc.array(tie('term'), { maxLength: 4 }),
      fc.array(tie('term'), { maxLength: 4 }).map((items) => new Tuple(items)),
      fc
        .tuple(fc.array(tie('term'), { minLength: 1, maxLength: 3 }), leaf)
        .filter(([, tail]) => !Array.isArray(tail))
        .map(([items, tail]) => new ImproperList(items, tail)),
      fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 5 }).map((entries) => new ErlMap(entries)),
    ),
  }));
  return fc.sample(term, { seed: 20251126, numRuns: count });
}

/** Whether some part of `t` is a map or an external fun for which `test` holds. */
function contains(t: Term, test: (x: ErlMap | ExportFun) => boolean): boolean {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop() as Term;
    if (x instanceof ErlMap) {
      if (test(x)) return true;
      for (const [k, v] of x) stack.push(k, v);
    } else if (x instanceof ExportFun) {
      if (test(x)) return true;
    } else if (Array.isArray(x)) stack.push(...x);
    else if (x instanceof Tuple) stack.push(...x.elements);
    else if (x instanceof ImproperList) stack.push(...x.elements, x.tail);
  }
  return false;
}

const RESERVED_IN_ALL = new Set(RESERVED.filter((w) => !['maybe', 'else', 'query', 'spec', 'true', 'false'].includes(w)));

const hasLargeMap = (t: Term): boolean => contains(t, (x) => x instanceof ErlMap && x.size > 32);
const hasNonAsciiFun = (t: Term): boolean =>
  contains(t, (x) => x instanceof ExportFun && /[^\p{ASCII}]/u.test(x.module.name + x.function.name));
const hasReservedFun = (t: Term, release: number): boolean =>
  contains(
    t,
    (x) =>
      x instanceof ExportFun &&
      [x.module.name, x.function.name].some((n) => RESERVED_IN_ALL.has(n) || (release >= 27 && (n === 'maybe' || n === 'else'))),
  );

/**
 * Per input line `EtfHex TextHex`, one output line `KwHex PHex TpHex WHex TkwHex Verdict`: the
 * term's `~kw` (`~w` before OTP 26), `~p`, `~tp`, `~w` and `~tkw` (`~tw`) as UTF-8 hex, and what
 * parse_term made of our text: `same`, `different` or the error.
 */
function erlProgram(input: string, output: string): string {
  return String.raw`
{ok, Bin} = file:read_file("${input}"),
Lines = binary:split(Bin, <<"\n">>, [global, trim_all]),
Hex = fun(Chars) -> binary:encode_hex(unicode:characters_to_binary(Chars)) end,
{Kw, Tkw} = case erlang:system_info(otp_release) >= "26" of true -> {"~kw", "~tkw"}; false -> {"~w", "~tw"} end,
Out = [begin
  [EtfHex, TextHex] = binary:split(L, <<" ">>),
  T = binary_to_term(binary:decode_hex(EtfHex)),
  Text = unicode:characters_to_list(binary:decode_hex(TextHex)),
  Verdict = try
    {ok, Toks, _} = erl_scan:string(Text ++ "."),
    {ok, P} = erl_parse:parse_term(Toks),
    case P =:= T of true -> "same"; false -> "different" end
  catch C:R -> io_lib:format("~w:~w", [C, R]) end,
  [Hex(io_lib:format(Kw, [T])), $\s, Hex(io_lib:format("~p", [T])), $\s, Hex(io_lib:format("~tp", [T])), $\s,
   Hex(io_lib:format("~w", [T])), $\s, Hex(io_lib:format(Tkw, [T])), $\s, Verdict, $\n]
end || L <- Lines],
ok = file:write_file("${output}", Out),
halt().
`;
}

interface Answer {
  kw: string;
  p: string;
  tp: string;
  w: string;
  tkw: string;
  verdict: string;
}

function askErl(otp: Otp, terms: Term[], release: number): Answer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlbridge-text-'));
  try {
    const input = path.join(dir, 'terms.txt');
    const lines = terms.map((t) => `${encode(t).toString('hex')} ${Buffer.from(formatTerm(t, { otp: release })).toString('hex')}`);
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const inside = stageFile(otp, input);
    const outInside = path.join(path.dirname(inside), 'answers.txt');
    erlEval(otp, erlProgram(inside, outInside), [], 20000);
    const outHost = otp.root === null ? outInside : path.join(otp.root, outInside);
    const text = fs.readFileSync(outHost, 'utf8');
    if (otp.root !== null) for (const f of [inside, outInside]) fs.rmSync(path.join(otp.root, f), { force: true });
    const utf8 = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [kw, p, tp, w, tkw, ...verdict] = l.split(' ');
        return { kw: utf8(kw), p: utf8(p), tp: utf8(tp), w: utf8(w), tkw: utf8(tkw), verdict: verdict.join(' ') };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TERMS = [...trickyTerms(), ...randomTerms(300)];

describeOtp('Erlang text', (otp) => {
  const release = Number(otp.release);
  let answers: Answer[] = [];

  beforeAll(() => {
    answers = askErl(otp, TERMS, release);
  }, 20000);

  it('erl answered for every term', () => {
    expect(answers.length).toBe(TERMS.length);
    // The skips below leave most terms compared.
    expect(TERMS.filter((t) => hasNonAsciiFun(t) || hasReservedFun(t, release)).length).toBeLessThan(TERMS.length / 4);
  });

  it("(a) formatTerm prints exactly what erl's ~w prints", () => {
    const differences: string[] = [];
    TERMS.forEach((t, i) => {
      if ((release < 26 && hasLargeMap(t)) || hasNonAsciiFun(t)) return;
      const ours = formatTerm(t, { otp: release });
      if (ours !== answers[i].kw) differences.push(`ours ${ours}\nerl  ${answers[i].kw}`);
    });
    expect(differences).toEqual([]);
  });

  it("(a) with {unicode: true}, formatTerm prints what erl's ~tw prints", () => {
    const differences: string[] = [];
    TERMS.forEach((t, i) => {
      if ((release < 26 && hasLargeMap(t)) || hasNonAsciiFun(t)) return;
      const ours = formatTerm(t, { otp: release, unicode: true });
      if (ours !== answers[i].tkw) differences.push(`ours ${ours}\nerl  ${answers[i].tkw}`);
    });
    expect(differences).toEqual([]);
  });

  it('(b) erl_parse reads our text as the same term', () => {
    const failures: string[] = [];
    TERMS.forEach((t, i) => {
      if (hasReservedFun(t, release)) return;
      if (answers[i].verdict !== 'same') failures.push(`${formatTerm(t, { otp: release })}: ${answers[i].verdict}`);
    });
    expect(failures).toEqual([]);
  });

  it("(c) parseTerm reads erl's ~w, ~p and ~tp text as the same term", () => {
    const failures: string[] = [];
    TERMS.forEach((t, i) => {
      if (hasNonAsciiFun(t)) return;
      for (const text of [answers[i].w, answers[i].p, answers[i].tp]) {
        try {
          if (!equals(parseTerm(text), t)) failures.push(`${text}: parsed as a different term`);
        } catch (e) {
          failures.push(`${text}: ${(e as Error).message}`);
        }
      }
    });
    expect(failures).toEqual([]);
  });

  it('keeps -0.0 and integral floats apart from integers', () => {
    const i = TERMS.findIndex((t) => t instanceof ErlFloat && Object.is(t.value, -0));
    expect(answers[i].w).toBe('-0.0');
  });
});
