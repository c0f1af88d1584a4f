import { atom, BitBinary, ExportFun, float, Fun, improperList, map, Pid, Port, Reference, Term, tuple } from '../../codec';
import { briefTerm, formatTerm } from '../../codec/text';

// Expected texts are what OTP 25's io:format("~w", [T]) printed for the same terms.
describe('formatTerm', () => {
  it.each<[string, Term, string]>([
    ['small integer', 42, '42'],
    ['negative integer', -1, '-1'],
    ['bigint', 123456789012345678901234567890n, '123456789012345678901234567890'],
    ['true', true, 'true'],
    ['empty list', [], '[]'],
    ['empty tuple', tuple(), '{}'],
    ['charlist as integers', [104, 105], '[104,105]'],
    ['improper list', improperList([1, 2], 3), '[1,2|3]'],
    ['improper list, atom tail', improperList([atom('a')], atom('b')), '[a|b]'],
    ['binary of printable bytes', Buffer.from('abc'), '<<97,98,99>>'],
    ['binary', Buffer.from([1, 2, 3]), '<<1,2,3>>'],
    ['empty binary', Buffer.alloc(0), '<<>>'],
    ['bitstring', new BitBinary(Buffer.from([1, 0b01000000]), 3), '<<1,2:3>>'],
    ['JS string as UTF-8 binary', 'λ', '<<206,187>>'],
    ['nested', tuple(atom('a'), [98], Buffer.from('c')), '{a,[98],<<99>>}'],
    ['export fun', new ExportFun(atom('lists'), atom('map'), 2), 'fun lists:map/2'],
    // The runtime system writes these names: reserved words bare, a@b quoted.
    ['export fun, quoted names', new ExportFun(atom('Elixir.Foo'), atom('and'), 0), "fun 'Elixir.Foo':and/0"],
    ['export fun, erts quoting', new ExportFun(atom('a@b'), atom('λ\x1b\x7f'), 1), "fun 'a@b':'λ\\033\x7f'/1"],
    ['improper list with a list tail', improperList([1], improperList([2], 3)), '[1,2|3]'],
    ['improper list with a [] tail', improperList([1], []), '[1]'],
  ])('%s', (_name, term, text) => {
    expect(formatTerm(term)).toBe(text);
  });

  it.each<[string, string]>([
    ['hello', 'hello'],
    ['hello world', "'hello world'"],
    ['Abc', "'Abc'"],
    ['[]', "'[]'"],
    ['', "''"],
    ['_a', "'_a'"],
    ['a@b', 'a@b'],
    ['a.b', "'a.b'"],
    ['a1_B@', 'a1_B@'],
    ['and', "'and'"],
    ['end', "'end'"],
    ['fun', "'fun'"],
    ['cond', "'cond'"],
    ['maybe', 'maybe'],
    ['query', 'query'],
    ['aé', 'aé'],
    ['é', 'é'],
    ['ß', 'ß'],
    ['Ä', "'Ä'"],
    ['aÄ', 'aÄ'],
    ['a÷', "'a÷'"],
    ['λ', "'\\x{3BB}'"],
    ['a b\u03bb', "'a b\\x{3BB}'"],
    ['q\u{1F600}', "'q\\x{1F600}'"],
    ['a\nb', "'a\\nb'"],
    ["it's", "'it\\'s'"],
    ['\\', "'\\\\'"],
    ['\x7f', "'\\d'"],
    ['\x80', "'\\200'"],
    ['\xa0', "'\xa0'"],
    ['a\x00', "'a\\000'"],
    ['\t\r\v\b\f\x1b', "'\\t\\r\\v\\b\\f\\e'"],
  ])('atom %j', (name, text) => {
    expect(formatTerm(atom(name))).toBe(text);
  });

  it('writes Unicode atoms as they are with {unicode: true}, like ~tw', () => {
    expect(formatTerm(atom('λ'), { unicode: true })).toBe("'λ'");
    expect(formatTerm(atom('a\u{1F600}'), { unicode: true })).toBe("'a\u{1F600}'");
    expect(formatTerm(atom('a\n'), { unicode: true })).toBe("'a\\n'");
  });

  it('quotes maybe and else as OTP 27 and later do', () => {
    expect(formatTerm([atom('maybe'), atom('else')], { otp: 27 })).toBe("['maybe','else']");
    expect(formatTerm([atom('maybe'), atom('else')])).toBe('[maybe,else]');
  });

  it.each<[number, string]>([
    [1, '1.0'],
    [0.1, '0.1'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1e20, '1.0e20'],
    [1e-10, '1.0e-10'],
    [100, '100.0'],
    [1000, '1.0e3'],
    [0.0001, '0.0001'],
    [0.00001, '1.0e-5'],
    [1e15, '1.0e15'],
    [1e16, '1.0e16'],
    [123456789012345680, '1.2345678901234568e17'],
    [12345.678, '12345.678'],
    [123400, '1.234e5'],
    [12340, '12340.0'],
    [1234567890, '1234567890.0'],
    [12345678900, '12345678900.0'],
    [2 ** 53 - 1, '9007199254740991.0'],
    [2 ** 53, '9.007199254740992e15'],
    [5e-324, '5.0e-324'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    [-2.5, '-2.5'],
  ])('float %d', (value, text) => {
    expect(formatTerm(float(value))).toBe(text);
  });

  it('prints a non-integral JS number as a float', () => {
    expect(formatTerm(0.5)).toBe('0.5');
  });

  it('prints map keys in map key order: integers before floats, at any depth', () => {
    const m = map([
      [atom('b'), 1],
      [atom('a'), 2],
      [1, atom('x')],
      [float(1), atom('y')],
    ]);
    expect(formatTerm(m)).toBe('#{1 => x,1.0 => y,a => 2,b => 1}');
    expect(
      formatTerm(
        map([
          [float(0.5), 1],
          [2n ** 70n, 2],
          [-1, 3],
        ]),
      ),
    ).toBe('#{-1 => 3,1180591620717411303424 => 2,0.5 => 1}');
    expect(
      formatTerm(
        map([
          [tuple(float(0.5)), 1],
          [tuple(1), 2],
          [[float(0.5)], 3],
          [[1], 4],
        ]),
      ),
    ).toBe('#{{1} => 2,{0.5} => 1,[1] => 4,[0.5] => 3}');
    expect(
      formatTerm(
        map([
          [map([[float(0.5), 1]]), 1],
          [map([[1, 1]]), 2],
        ]),
      ),
    ).toBe('#{#{1 => 1} => 2,#{0.5 => 1} => 1}');
    expect(formatTerm(map())).toBe('#{}');
    expect(formatTerm(map([[map(), 1]]))).toBe('#{#{} => 1}');
  });

  it('prints pids, ports and references with the node name and creation', () => {
    expect(formatTerm(new Pid(atom('a@host'), 80, 0, 3))).toBe('#Pid<a@host.80.0.3>');
    expect(formatTerm(new Pid(atom('a-b@host.example.com'), 1, 2, 3))).toBe("#Pid<'a-b@host.example.com'.1.2.3>");
    expect(formatTerm(new Port(atom('a@host'), 6, 3))).toBe('#Port<a@host.6.3>');
    expect(formatTerm(new Port(atom('a@host'), 2n ** 40n, 3, true))).toBe('#Port<a@host.1099511627776.3.v4>');
    // erl shows the words most significant first: #Ref<0.1323135413.619970562.238877>
    expect(formatTerm(new Reference(atom('a@host'), 7, [238877, 619970562, 1323135413]))).toBe(
      '#Ref<a@host.1323135413.619970562.238877.7>',
    );
  });

  it("prints a local fun as erl's #Fun<M.OldIndex.OldUniq> and its remaining fields", () => {
    const pid = new Pid(atom('a@host'), 9, 0, 0);
    const uniq = Buffer.alloc(16, 1);
    const f = new Fun(atom('w3'), 1, uniq, 0, 0, 61663132, pid, [1, atom('x')]);
    expect(formatTerm(f)).toBe(`#Fun<w3.0.61663132>{1,<<${uniq.join(',')}>>,0,#Pid<a@host.9.0.0>,[1,x]}`);
    const legacy = new Fun(atom('w3'), 0, Buffer.alloc(0), 2, 2, 5, pid, [], true);
    expect(formatTerm(legacy)).toBe('#Fun<w3.2.5>{0,<<>>,2,#Pid<a@host.9.0.0>,[],legacy}');
  });

  it('rejects what is not a term', () => {
    expect(() => formatTerm(float(NaN))).toThrow(TypeError);
    expect(() => formatTerm(Infinity)).toThrow(TypeError);
    expect(() => formatTerm({} as unknown as Term)).toThrow(TypeError);
  });

  it('prints terms nested 100,000 deep without recursion', () => {
    const depth = 100_000;
    let list: Term = [];
    let tup: Term = tuple();
    let m: Term = map();
    let improper: Term = 0;
    for (let i = 0; i < depth; i++) {
      list = [list];
      tup = tuple(tup);
      m = map([[1, m]]);
      improper = improperList([1], improper);
    }
    expect(formatTerm(list)).toBe('['.repeat(depth) + '[]' + ']'.repeat(depth));
    expect(formatTerm(tup)).toBe('{'.repeat(depth) + '{}' + '}'.repeat(depth));
    expect(formatTerm(m)).toBe('#{1 => '.repeat(depth) + '#{}' + '}'.repeat(depth));
    expect(formatTerm(improper)).toBe('[' + '1,'.repeat(depth - 1) + '1|0]');
  });

  it('prints a list of 100,000 integers in well under 100 ms', () => {
    const list = Array.from({ length: 100_000 }, (_, i) => i);
    let best = Infinity;
    // CPU time, so that a busy machine does not fail it; the best of a few runs, as the first pay for JIT warm-up.
    for (let run = 0; run < 5; run++) {
      const start = process.cpuUsage();
      const text = formatTerm(list);
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1000);
      expect(text.startsWith('[0,1,2,')).toBe(true);
    }
    expect(best).toBeLessThan(100);
  });
});

describe('briefTerm', () => {
  it('is the ~p text on one line up to maxLength characters, then cut with ...', () => {
    const short = tuple(atom('ok'), 1);
    expect(briefTerm(short)).toBe('{ok,1}');
    const long = new Array<number>(1000).fill(7);
    expect(briefTerm(long)).toBe(`${formatTerm(long).slice(0, 200)}...`);
    expect(briefTerm(short, 3)).toBe('{ok...');
    expect(briefTerm(tuple(atom('hello'), [104, 105], Buffer.from('there')))).toBe('{hello,"hi",<<"there">>}');
    expect(briefTerm(new Array<number>(50).fill(1000))).not.toContain('\n');
  });
});
