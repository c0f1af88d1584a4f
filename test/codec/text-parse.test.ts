import fc from 'fast-check';
import {
  atom,
  Atom,
  BitBinary,
  equals,
  ErlFloat,
  ErlMap,
  ExportFun,
  float,
  Fun,
  ImproperList,
  improperList,
  map,
  Pid,
  Port,
  Reference,
  Term,
  Tuple,
  tuple,
} from '../../codec';
import { formatTerm, parseTerm, parseTerms, TextParseError } from '../../codec/text';

/** `parseTerm(text)` is `=:=` to `term` (and prints the same, which also tells 1 from 1.0). */
function expectParse(text: string, term: Term): void {
  const parsed = parseTerm(text);
  expect(formatTerm(parsed)).toBe(formatTerm(term));
  expect(equals(parsed, term)).toBe(true);
}

function parseError(text: string): TextParseError {
  try {
    parseTerm(text);
  } catch (e) {
    if (e instanceof TextParseError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('parseTerm', () => {
  it('reads atoms, quoted and with escapes', () => {
    expect(parseTerm('hello')).toBe(atom('hello'));
    expect(parseTerm("'hello world'")).toBe(atom('hello world'));
    expect(parseTerm('a@b_C1')).toBe(atom('a@b_C1'));
    expect(parseTerm('aé')).toBe(atom('aé'));
    expect(parseTerm("'\\x{3BB}'")).toBe(atom('λ'));
    expect(parseTerm("'λ'")).toBe(atom('λ'));
    expect(parseTerm("'\\n'")).toBe(atom('\n'));
    expect(parseTerm("'\\\\'")).toBe(atom('\\'));
    expect(parseTerm("'it\\'s'")).toBe(atom("it's"));
    expect(parseTerm("'\\101\\1012'")).toBe(atom('AA2'));
    expect(parseTerm("'\\^A\\^z'")).toBe(atom('\x01\x1a'));
    expect(parseTerm("'\\x41\\s\\d\\e\\q'")).toBe(atom('A \x7f\x1bq'));
    expect(parseTerm("'and'")).toBe(atom('and'));
    expect(parseTerm('maybe')).toBe(atom('maybe'));
    expect(parseTerm('true')).toBe(true);
    expect(parseTerm("'false'")).toBe(false);
  });

  it('reads strings as charlists, with escapes, and joins adjacent strings', () => {
    expect(parseTerm('"abc"')).toEqual([97, 98, 99]);
    expect(parseTerm('""')).toEqual([]);
    expect(parseTerm('"λ\\x{1F600}\\n\\"\\t"')).toEqual([0x3bb, 0x1f600, 10, 34, 9]);
    expect(parseTerm('"ab"\n  "cd"')).toEqual([97, 98, 99, 100]);
    expect(parseTerm('[a|"bc"]')).toEqual([atom('a'), 98, 99]);
  });

  it('reads characters', () => {
    expect(parseTerm('$a')).toBe(97);
    expect(parseTerm('$\\n')).toBe(10);
    expect(parseTerm('$ ')).toBe(32);
    expect(parseTerm('$λ')).toBe(0x3bb);
    expect(parseTerm('$\\x{1F600}')).toBe(0x1f600);
    expect(parseTerm('$\\^C')).toBe(3);
  });

  it('reads integers in any base, with separators, big ones as bigint', () => {
    expect(parseTerm('42')).toBe(42);
    expect(parseTerm('-42')).toBe(-42);
    expect(parseTerm('- 42')).toBe(-42);
    expect(parseTerm('+7')).toBe(7);
    expect(parseTerm('-0')).toBe(0);
    expect(parseTerm('16#FF')).toBe(255);
    expect(parseTerm('16#ff')).toBe(255);
    expect(parseTerm('2#1010')).toBe(10);
    expect(parseTerm('36#ZZ')).toBe(1295);
    expect(parseTerm('-16#10')).toBe(-16);
    expect(parseTerm('1_000_000')).toBe(1000000);
    expect(parseTerm('16#FF_FF')).toBe(65535);
    expect(parseTerm('9007199254740991')).toBe(9007199254740991);
    expect(parseTerm('9007199254740992')).toBe(9007199254740992n);
    expect(parseTerm('-123456789012345678901234567890')).toBe(-123456789012345678901234567890n);
    expect(parseTerm('16#FFFFFFFFFFFFFFFFFFFF')).toBe(0xffffffffffffffffffffn);
  });

  it('reads floats as ErlFloat', () => {
    expectParse('1.0', float(1));
    expectParse('1.5e-3', float(0.0015));
    expectParse('2.0E10', float(2e10));
    expectParse('1.0e+5', float(1e5));
    expectParse('-0.0', float(-0));
    expectParse('1_000.000_1', float(1000.0001));
    expect(parseTerm('1.0')).toBeInstanceOf(ErlFloat);
  });

  it('reads binaries and bitstrings', () => {
    expect(parseTerm('<<>>')).toEqual(Buffer.alloc(0));
    expect(parseTerm('<<1,2,3>>')).toEqual(Buffer.from([1, 2, 3]));
    expect(parseTerm('<<"abc">>')).toEqual(Buffer.from('abc'));
    expect(parseTerm('<<"λ"/utf8>>')).toEqual(Buffer.from('λ'));
    expect(parseTerm('<<"ab"\n  "c">>')).toEqual(Buffer.from('abc'));
    expect(parseTerm('<<$a, "b", 99>>')).toEqual(Buffer.from('abc'));
    expect(parseTerm('<<-1, 300>>')).toEqual(Buffer.from([255, 44]));
    expect(parseTerm('<<1:16, 2:16/little>>')).toEqual(Buffer.from([0, 1, 2, 0]));
    expect(parseTerm('<<1.5/float, 1:4/unit:8>>')).toEqual(Buffer.from([63, 248, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(parseTerm('<<1.5:32/float>>')).toEqual(Buffer.from([63, 192, 0, 0]));
    expect(parseTerm('<<"ab":16>>')).toEqual(Buffer.from([0, 97, 0, 98]));
    expect(parseTerm('<<16#3BB/utf16, 65/utf32-little>>')).toEqual(Buffer.from([3, 0xbb, 65, 0, 0, 0]));
    const bits = parseTerm('<<1,2:3>>') as BitBinary;
    expect(bits).toBeInstanceOf(BitBinary);
    expect(bits.bits).toBe(3);
    expect(bits.buffer).toEqual(Buffer.from([1, 0b01000000]));
    expectParse('<<5:3, 1:7>>', new BitBinary(Buffer.from([0b10100000, 0b01000000]), 2));
  });

  it('reads tuples, lists and maps', () => {
    expectParse('{}', tuple());
    expectParse('{ok, 1}', tuple(atom('ok'), 1));
    expectParse('[]', []);
    expectParse('[1, 2 | 3]', improperList([1, 2], 3));
    expectParse('[1|[2|[3|[]]]]', [1, 2, 3]);
    expectParse('[1|[2|x]]', improperList([1, 2], atom('x')));
    expectParse('[[1|2]|3]', improperList([improperList([1], 2)], 3));
    expectParse('[1|[]]', [1]);
    expectParse('#{}', map());
    expectParse(
      '#{a => 1, {b} => [2]}',
      map([
        [atom('a'), 1],
        [tuple(atom('b')), [2]],
      ]),
    );
    expect((parseTerm('#{a => 1, a => 2}') as ErlMap).get(atom('a'))).toBe(2);
  });

  it("reads ~p's layout: new lines and indentation", () => {
    const text = '[<<"hello">>,\n {a,#{b => "cd"}},\n  1.0e20]';
    expectParse(text, [Buffer.from('hello'), tuple(atom('a'), map([[atom('b'), [99, 100]]])), float(1e20)]);
  });

  it('reads export funs and this library’s text for pids, ports, references and funs', () => {
    expectParse('fun lists:map/2', new ExportFun(atom('lists'), atom('map'), 2));
    expectParse("fun 'Elixir.Foo':'and'/0", new ExportFun(atom('Elixir.Foo'), atom('and'), 0));
    const pid = parseTerm("#Pid<'a-b@host'.80.1.3>") as Pid;
    expect(pid).toEqual(new Pid(atom('a-b@host'), 80, 1, 3));
    expect(parseTerm('#Port<a@h.6.3>')).toEqual(new Port(atom('a@h'), 6, 3, false));
    expect(parseTerm('#Port<a@h.18446744073709551615.3.v4>')).toEqual(new Port(atom('a@h'), 0xffffffffffffffffn, 3, true));
    expect(parseTerm('#Ref<a@h.3.2.1.9>')).toEqual(new Reference(atom('a@h'), 9, [1, 2, 3]));
    const f = parseTerm('#Fun<m.4.77>{2,<<1,2>>,5,#Pid<a@h.1.2.3>,[x,"y"]}') as Fun;
    expect(f).toEqual(new Fun(atom('m'), 2, Buffer.from([1, 2]), 5, 4, 77, new Pid(atom('a@h'), 1, 2, 3), [atom('x'), [121]]));
    expect((parseTerm('#Fun<m.4.77>{0,<<>>,4,#Pid<a@h.1.2.3>,[],legacy}') as Fun).legacy).toBe(true);
  });

  it('takes an optional final dot, white space and comments', () => {
    expectParse('  {a, b}. % done\n', tuple(atom('a'), atom('b')));
    expectParse('% note\n[1, % one\n 2]', [1, 2]);
  });

  it.each<[string, number, number, RegExp]>([
    ['[1,', 1, 4, /end of input/],
    ['[1,]', 1, 4, /expected a term, found ']'/],
    ['{a b}', 1, 4, /expected ',' or '}'/],
    ['\n  X', 2, 3, /variable/],
    ['end', 1, 1, /reserved word/],
    ["'abc", 1, 1, /unterminated atom/],
    ['"abc', 1, 1, /unterminated string/],
    ['1e5', 1, 2, /after a number/],
    ['1__0', 1, 2, /'_'/],
    ['37#1', 1, 3, /base 37/],
    ['2#102', 1, 5, /base-2 digit/],
    ['1.0e999', 1, 1, /too large/],
    ['<0.80.0>', 1, 1, /#Pid</],
    ['#Ref<0.1.2.3>', 1, 6, /node's name/],
    ['#Pid<a@b.1.2>', 1, 1, /#Pid<Node.Id.Serial.Creation>/],
    ['#Fun<erl_eval.42.3316493>', 1, 1, /lacks the fun's fields/],
    ['#Pid<a@b.1.2.4294967296>', 1, 1, /out of range/],
    ['#{a}', 1, 4, /'=>'/],
    ['<<1.5>>', 1, 3, /\/float/],
    ['<<X>>', 1, 3, /expected a number/],
    ['<<1/binary>>', 1, 5, /unsupported type/],
    ['{a}.b', 1, 4, /unexpected '.'/],
    ['{a} {b}', 1, 5, /after the term/],
    ['"ab\\x{110000}"', 1, 4, /beyond Unicode/],
    ["'" + 'a'.repeat(256) + "'", 1, 259, /at most 255/],
    ['a.b', 1, 2, /unexpected '.'/],
    ['-a', 1, 2, /expected a number after '-'/],
    ['fun lists:map', 1, 14, /'\/'/],
    ['@', 1, 1, /unexpected character '@'/],
  ])('reports %j at line %i, column %i', (text, line, column, message) => {
    const error = parseError(text);
    expect(error.message).toMatch(message);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
  });

  it('parses terms nested 100,000 deep without recursion', () => {
    const depth = 100_000;
    let t = parseTerm('['.repeat(depth) + ']'.repeat(depth));
    for (let i = 0; i < depth - 1; i++) t = (t as Term[])[0];
    expect(t).toEqual([]);
    let u = parseTerm('{'.repeat(depth) + '}'.repeat(depth));
    for (let i = 0; i < depth - 1; i++) u = (u as Tuple).get(0);
    expect(u).toEqual(tuple());
    let m = parseTerm('#{1 => '.repeat(depth) + '#{}' + '}'.repeat(depth));
    for (let i = 0; i < depth; i++) m = (m as ErlMap).get(1) as Term;
    expect(m).toEqual(map());
    const cons = parseTerm('[1|'.repeat(depth) + '[]' + ']'.repeat(depth)) as Term[];
    expect(cons.length).toBe(depth);
  });

  it('parses a list of 100,000 integers quickly', () => {
    const text = formatTerm(Array.from({ length: 100_000 }, (_, i) => i));
    let best = Infinity;
    // CPU time, so that a busy machine does not fail it; the best of a few runs, as the first pay for JIT warm-up.
    for (let run = 0; run < 3; run++) {
      const start = process.cpuUsage();
      expect((parseTerm(text) as Term[]).length).toBe(100_000);
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    expect(best).toBeLessThan(200);
  });

  // A fuzz finding (text-parser): `<<96:100000000>>`, 17 characters, took seconds, in BigInt
  // arithmetic on all 100 million bits and a byte array grown one number at a time.
  it('builds the largest integer segment quickly, its sign repeated', () => {
    const start = process.cpuUsage();
    const negative = parseTerm('<<-2:134217720>>') as Buffer;
    const positive = parseTerm('<<1:1, 5:134217719>>') as Buffer;
    const used = process.cpuUsage(start);
    expect(negative.length).toBe(16_777_215);
    expect([negative[0], negative[16_777_213], negative[16_777_214]]).toEqual([255, 255, 254]);
    expect(positive.length).toBe(16_777_215);
    expect([positive[0], positive[1], positive[16_777_214]]).toEqual([128, 0, 5]);
    expect((used.user + used.system) / 1000).toBeLessThan(1500);
  });
});

describe('parseTerms', () => {
  it('reads a lib_chan config file as file:consult does', () => {
    const config = `%% the book's example
{port, 1234}.
{service, nameServer, password, "ABXy45", mfa, mod_name_server, start_me_up, notUsed}.
`;
    const terms = parseTerms(config);
    expect(terms.map((t) => formatTerm(t))).toEqual([
      '{port,1234}',
      '{service,nameServer,password,[65,66,88,121,52,53],mfa,mod_name_server,start_me_up,notUsed}',
    ]);
    expect(parseTerms('')).toEqual([]);
    expect(parseTerms('a.\nb.')).toEqual([atom('a'), atom('b')]);
  });

  it('needs a dot after every term', () => {
    expect(() => parseTerms('{port, 1234}.\n{a, b}')).toThrow(/line 2, column 7: expected '.' after the term, found end of input/);
  });
});

/** Terms of every kind, for round trips. Atoms named true/false are booleans after parsing, which `equals` accepts. */
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const node = fc.constantFrom('a@host', 'nonode@nohost', 'x-y@h.example.com', 'λ@host').map(atom);
const atomArb = fc
  .oneof(
    fc.constantFrom('ok', 'hello world', 'Abc', '[]', 'and', 'maybe', 'λ', 'a\nb', "it's", '\\', '', 'aé', 'true'),
    fc.string({ unit: 'binary', maxLength: 12 }),
  )
  .map(atom);
const leaf: fc.Arbitrary<Term> = fc.oneof(
  fc.integer(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(float),
  atomArb,
  fc.boolean(),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 7 }))
    .map(([a, bits]) => new BitBinary(Buffer.from(a), bits)),
  fc.string({ maxLength: 6 }),
  fc.tuple(node, u32, u32, u32).map(([n, id, serial, creation]) => new Pid(n, id, serial, creation)),
  fc
    .tuple(node, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), u32, fc.boolean())
    .map(([n, id, creation, v4]) => new Port(n, id, creation, v4)),
  fc.tuple(node, u32, fc.array(u32, { minLength: 1, maxLength: 5 })).map(([n, creation, ids]) => new Reference(n, creation, ids)),
  fc.tuple(atomArb, atomArb, fc.integer({ min: 0, max: 255 })).map(([m, f, a]) => new ExportFun(m, f, a)),
);
const { term } = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('term'), { maxLength: 4 }),
    fc.array(tie('term'), { maxLength: 4 }).map((items) => new Tuple(items)),
    fc.tuple(fc.array(tie('term'), { minLength: 1, maxLength: 3 }), leaf).map(([items, tail]) => new ImproperList(items, tail)),
    fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 4 }).map((entries) => new ErlMap(entries)),
    fc
      .tuple(
        atomArb,
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        u32,
        u32,
        u32,
        tie('term'),
        fc.array(tie('term'), { maxLength: 3 }),
        fc.boolean(),
      )
      .map(
        ([m, arity, uniq, index, oldIndex, oldUniq, pid, free, legacy]) =>
          new Fun(m, arity, Buffer.from(uniq), index, oldIndex, oldUniq, pid, free, legacy),
      ),
  ),
}));

describe('round trip', () => {
  it('parseTerm(formatTerm(t)) =:= t for every kind of term', () => {
    fc.assert(
      fc.property(term, (t) => {
        const text = formatTerm(t);
        const back = parseTerm(text);
        expect(equals(back, t)).toBe(true);
        expect(formatTerm(back)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('also through the {unicode: true} text', () => {
    fc.assert(
      fc.property(term, (t) => {
        expect(equals(parseTerm(formatTerm(t, { unicode: true })), t)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a port’s V4 flag and a fun’s legacy flag', () => {
    const port = parseTerm(formatTerm(new Port(atom('a@h'), 1, 2, true))) as Port;
    expect(port.v4).toBe(true);
    const f = new Fun(atom('m'), 0, Buffer.alloc(0), 1, 1, 2, new Pid(atom('a@h'), 1, 0, 0), [], true);
    expect((parseTerm(formatTerm(f)) as Fun).legacy).toBe(true);
  });

  it('keeps atoms interned', () => {
    expect(parseTerm(formatTerm(atom('x y')))).toBe(Atom.of('x y'));
  });
});
