import { atom, BitBinary, ErlFloat, ExportFun, float, ImproperList, Pid, Port, Reference, Term, tuple } from '../../codec/terms';
import { compare, compareAtomNames, equals } from '../../codec/compare';
import { ErlMap, map } from '../../codec/erlmap';
import { hashTerm } from '../../codec/hash';

const node = atom('a@b');
const pid = (id: number, serial: number) => new Pid(node, id, serial, 1);

describe('compare: Erlang term order', () => {
  it('orders the kinds: number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring', () => {
    const ordered: Term[] = [
      42,
      atom('a'),
      new Reference(node, 1, [1, 2, 3]),
      new ExportFun(atom('lists'), atom('map'), 2),
      new Port(node, 1, 1),
      pid(1, 0),
      tuple(),
      new ErlMap(),
      [],
      [1],
      Buffer.alloc(0),
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compare(ordered[i], ordered[i + 1])).toBe(-1);
      expect(compare(ordered[i + 1], ordered[i])).toBe(1);
    }
  });

  it('standard order compares numbers by value; exact order puts every integer before every float', () => {
    expect(compare(1, float(1.0))).toBe(0);
    expect(compare(2, float(1.5))).toBe(1);
    expect(compare(float(0.5), 1)).toBe(-1);
    expect(equals(1, float(1.0))).toBe(false);
    // erl: maps:keys(#{1.0=>a, 1=>b, 2=>c, 0.5=>d}) -> [1,2,0.5,1.0] on OTP 25
    const keys = [float(1.0), 1, 2, float(0.5)].sort((a, b) => compare(a, b, true));
    expect(keys).toEqual([1, 2, float(0.5), float(1.0)]);
    expect(compare(tuple(2), tuple(float(1.0)), true)).toBe(-1);
    expect(compare(tuple(2), tuple(float(1.0)))).toBe(1);
  });

  it('compares bigints with numbers and floats exactly', () => {
    expect(equals(5n, 5)).toBe(true);
    expect(compare(2n ** 64n, 2 ** 53)).toBe(1);
    expect(compare(2n ** 64n, float(2 ** 64))).toBe(0);
    expect(compare(2n ** 64n + 1n, float(2 ** 64))).toBe(1);
    expect(compare(2n ** 64n - 1n, float(2 ** 64))).toBe(-1);
    expect(compare(-(2n ** 70n), float(-Infinity))).toBe(1);
  });

  it('treats booleans as the atoms true and false', () => {
    expect(equals(true, atom('true'))).toBe(true);
    expect(compare(false, true)).toBe(-1);
    expect(compare(atom('tru'), true)).toBe(-1);
  });

  it('orders atoms by code point, not by UTF-16 unit', () => {
    // U+FF5E (one UTF-16 unit, 0xFF5E) sorts before U+1F600 (surrogates 0xD83D...) by code point.
    expect(compareAtomNames('\uFF5E', '\u{1F600}')).toBe(-1);
    expect(compareAtomNames('ab', 'abc')).toBe(-1);
  });

  it('orders pids by serial before id, as BEAM does', () => {
    // erl: lists:sort([c:pid(0,2,1), c:pid(0,1,2), c:pid(0,3,0)]) -> [<0.3.0>,<0.2.1>,<0.1.2>]
    const sorted = [pid(2, 1), pid(1, 2), pid(3, 0)].sort((a, b) => compare(a, b));
    expect(sorted.map((p) => `${p.id}.${p.serial}`)).toEqual(['3.0', '2.1', '1.2']);
    // erl, external pids of a@b as {Id, Serial, Creation}: (1,0,5) (1,0,3) (2,0,1) (0,1,1) sort as
    // (1,0,3) (1,0,5) (2,0,1) (0,1,1): creation counts last.
    const ext = (id: number, serial: number, cr: number) => new Pid(atom('a@b'), id, serial, cr);
    const byErl = [ext(1, 0, 5), ext(1, 0, 3), ext(2, 0, 1), ext(0, 1, 1)].sort((a, b) => compare(a, b));
    expect(byErl.map((p) => `${p.id}.${p.serial}.${p.creation}`)).toEqual(['1.0.3', '1.0.5', '2.0.1', '0.1.1']);
    // erl: lists:sort([<a@b.1.0>, <zzz@b.1.0>, <0.9.0>]) puts the local <0.9.0> last: serial and
    // id before the node name.
    const local = new Pid(atom('mm@vm'), 9, 0, 1);
    const mixed = [local, new Pid(atom('zzz@b'), 1, 0, 1), new Pid(atom('a@b'), 1, 0, 1)].sort((a, b) => compare(a, b));
    expect(mixed.map((p) => p.node.name)).toEqual(['a@b', 'zzz@b', 'mm@vm']);
  });

  it('orders bitstrings bit by bit, a prefix first', () => {
    // erl: lists:sort([<<1:3>>, <<1>>, <<0:1>>, <<>>, <<32:6>>]) -> [<<>>,<<0:1>>,<<1>>,<<1:3>>,<<32:6>>]
    const b = (v: number, bits: number) => new BitBinary(Buffer.from([v << (8 - bits)]), bits);
    const sorted = [b(1, 3), Buffer.from([1]), b(0, 1), Buffer.alloc(0), b(32, 6)].sort((x, y) => compare(x, y));
    expect(sorted).toEqual([Buffer.alloc(0), b(0, 1), Buffer.from([1]), b(1, 3), b(32, 6)]);
  });

  it('compares lists element-wise, then by what follows', () => {
    expect(compare([1, 2], [1, 2, 3])).toBe(-1);
    expect(compare([1, 3], [1, 2, 3])).toBe(1);
    expect(compare(new ImproperList([1], 2), [1, 2])).toBe(-1); // tail 2 (number) < [2] (list)
    expect(equals(new ImproperList([1, 2], 3), new ImproperList([1, 2], 3))).toBe(true);
    expect(compare('ab', Buffer.from('ab'))).toBe(0);
  });

  it('compares tuples by size first', () => {
    expect(compare(tuple(9), tuple(1, 1))).toBe(-1);
    expect(compare(tuple(1, 2), tuple(1, 3))).toBe(-1);
  });

  it('compares maps by size, then keys in key order, then values', () => {
    expect(compare(map({ a: 1 }), map({ a: 1, b: 2 }))).toBe(-1);
    expect(compare(map({ a: 2 }), map({ b: 1 }))).toBe(-1);
    expect(compare(map({ a: 2 }), map({ a: 1 }))).toBe(1);
    expect(
      equals(
        map([
          [1, 'x'],
          [2, 'y'],
        ]),
        map([
          [2, 'y'],
          [1, 'x'],
        ]),
      ),
    ).toBe(true);
  });

  it('does not overflow the stack on 100,000-deep nesting', () => {
    let a: Term = [];
    let b: Term = [];
    for (let i = 0; i < 100000; i++) {
      a = [a];
      b = [b];
    }
    expect(equals(a, b)).toBe(true);
    expect(hashTerm(a)).toBe(hashTerm(b));
  });
});

describe('ErlMap', () => {
  it('finds keys structurally: tuples, lists, maps, binaries', () => {
    const m = new ErlMap();
    m.set(tuple(atom('location'), atom('joe')), 'Stockholm');
    m.set([1, 2], 'list');
    m.set(map({ k: 1 }), 'map');
    m.set(Buffer.from('bin'), 'binary');
    expect(m.get(tuple(atom('location'), atom('joe')))).toBe('Stockholm');
    expect(m.get([1, 2])).toBe('list');
    expect(m.get(map({ k: 1 }))).toBe('map');
    expect(m.get('bin')).toBe('binary');
    expect(m.get(tuple(atom('location'), atom('jane')))).toBeUndefined();
  });

  it('keeps 1 and 1.0 apart, and 5 and 5n together', () => {
    const m = new ErlMap([
      [1, 'int'],
      [float(1.0), 'float'],
    ]);
    expect(m.size).toBe(2);
    expect(m.get(1n)).toBe('int');
    expect(m.get(new ErlFloat(1))).toBe('float');
  });

  it('indexes large maps and still replaces in place', () => {
    const m = new ErlMap();
    for (let i = 0; i < 1000; i++) m.set(tuple(i, atom('k')), i);
    for (let i = 0; i < 1000; i++) m.set(i, -i);
    expect(m.size).toBe(2000);
    expect(m.get(tuple(500, atom('k')))).toBe(500);
    expect(m.get(999)).toBe(-999);
    m.set(tuple(500, atom('k')), 'replaced');
    expect(m.size).toBe(2000);
    expect(m.keys()[500]).toEqual(tuple(500, atom('k')));
    expect(m.delete(tuple(500, atom('k')))).toBe(true);
    expect(m.has(tuple(500, atom('k')))).toBe(false);
    expect(m.get(tuple(501, atom('k')))).toBe(501);
  });

  it('refuses a duplicate through addNew and tracks wire order', () => {
    const m = new ErlMap();
    m.wireOrder = true;
    expect(m.addNew(atom('b'), 1)).toBe(true);
    expect(m.addNew(atom('a'), 2)).toBe(true);
    expect(m.addNew(atom('b'), 3)).toBe(false);
    expect(m.wireOrder).toBe(true);
    m.set(atom('c'), 3);
    expect(m.wireOrder).toBe(false);
    expect(m.sortedKeys()).toEqual([atom('a'), atom('b'), atom('c')]);
  });

  it('builds decoded maps in wire order and refuses duplicate keys, small and large', () => {
    const kv = (keys: Term[]) => keys.flatMap((k, i) => [k, i]);
    expect(ErlMap.fromWire(kv([atom('b'), atom('a')]))?.keys()).toEqual([atom('b'), atom('a')]);
    expect(ErlMap.fromWire(kv([atom('a'), 1, atom('a')]))).toBeNull();
    expect(ErlMap.fromWire(kv([tuple(1), tuple(1)]))).toBeNull();
    const many = Array.from({ length: 40 }, (_, i) => tuple(atom('k'), i));
    const big = ErlMap.fromWire(kv(many));
    expect(big?.get(tuple(atom('k'), 39))).toBe(39);
    expect(big?.wireOrder).toBe(true);
    expect(ErlMap.fromWire(kv([...many, tuple(atom('k'), 7)]))).toBeNull();
    expect(ErlMap.fromWire(kv([...Array.from({ length: 20 }, (_, i) => i), 5]))).toBeNull();
  });

  it('converts from and to plain objects', () => {
    const m = ErlMap.fromObject({ weather: 'fine', n: 1 });
    expect(m.get(atom('weather'))).toBe('fine');
    expect(m.toObject()).toEqual({ weather: 'fine', n: 1 });
    expect(() => new ErlMap([[tuple(1), 1]]).toObject()).toThrow(TypeError);
  });
});
