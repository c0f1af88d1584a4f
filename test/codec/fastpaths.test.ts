/**
 * The codec's fast paths give what the general paths give: the same terms, the same bytes, and
 * the same errors at the same offsets. The expected offsets are those the level-by-level decoder
 * reported before these fast paths existed.
 */
import { Decoder, decode } from '../../codec/decoder';
import { Encoder, encode } from '../../codec/encoder';
import { DecodeError, EncodeError } from '../../codec/errors';
import { ErlMap, map } from '../../codec/erlmap';
import { compare } from '../../codec/compare';
import { formatTerm } from '../../codec/text';
import { atom, float, improperList, Pid, Reference, Term, tuple } from '../../codec/terms';
import { thrownBy } from '../support/thrown';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** k headers of one-element lists (LIST_EXT, length 1), and k NILs. */
const L = (k: number): string => '6c00000001'.repeat(k);
const J = (k: number): string => '6a'.repeat(k);

function outcome(bytes: string, options?: ConstructorParameters<typeof Decoder>[0]): string {
  try {
    return formatTerm(new Decoder(options).decode(hex(bytes)));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return `${e.code}@${e.offset}`;
  }
}

function nest(k: number, inner: Term = []): Term {
  let x = inner;
  for (let i = 0; i < k; i++) x = [x];
  return x;
}

describe('decoding nests of one-element lists around []', () => {
  it.each([
    ['83' + L(1) + J(2), {}, '[[]]'],
    ['83' + L(5) + J(6), {}, '[[[[[[]]]]]]'],
    ['83' + L(5) + J(6), { maxDepth: 5 }, '[[[[[[]]]]]]'],
    ['83' + L(5) + J(6), { maxDepth: 4 }, 'depth_limit@21'],
    ['83' + L(5) + J(5), {}, 'truncated@26'],
    ['83' + L(5) + J(3), {}, 'truncated@26'],
    ['83' + L(5), {}, 'truncated@26'],
    ['83' + L(3) + J(5), {}, 'trailing_bytes@20'],
    ['83' + L(3) + J(3) + '6101', {}, '[[[[]]]|1]'],
    ['83' + L(3) + '6a 6101' + J(2), {}, '[[[[]|1]]]'],
    ['83' + L(3) + J(2) + '6c00000001 6101' + J(2), {}, '[[[[]],1]]'],
    ['83' + L(3) + '6b00020102' + J(3), {}, '[[[[1,2]]]]'],
    ['83' + L(3) + '6101' + J(3), {}, '[[[1]]]'],
    ['83 6802' + L(3) + J(4) + '6101', {}, '{[[[[]]]],1}'],
    ['83 6802' + L(3) + J(4), {}, 'truncated@18'],
    ['83 6803' + L(3) + J(4) + '6a', {}, 'truncated@18'],
    ['83 6c00000002' + L(3) + J(4) + L(2) + J(3) + '6a', {}, '[[[[[]]]],[[[]]]]'],
    ['83 6c00000002' + L(3) + J(4) + L(2) + J(3), {}, 'truncated@35'],
  ])('%s %j', (bytes, options, expected) => {
    expect(outcome(bytes, options)).toBe(expected);
  });

  it('a nest 100,000 deep, and the same nest inside other terms', () => {
    const deep = nest(100_000);
    const bytes = encode(deep);
    expect(bytes.equals(hex('83' + L(100_000) + J(100_001)))).toBe(true);
    // (toEqual recurses: compare by the bytes.)
    expect(encode(decode(bytes)).equals(bytes)).toBe(true);
    expect(decode(encode(nest(100)))).toEqual(nest(100));
    const mixed = tuple(nest(3), [nest(2), 1, nest(4, [atom('x')])], nest(1, improperList([[]], 2)));
    expect(decode(encode(mixed))).toEqual(mixed);
  });

  it('a nest too deep for maxDepth fails where the list too deep begins', () => {
    const bytes = encode(nest(50));
    expect(new Decoder({ maxDepth: 50 }).decode(bytes)).toEqual(nest(50));
    expect(outcome(bytes.toString('hex'), { maxDepth: 49 })).toBe(`depth_limit@${1 + 5 * 49}`);
    // Inside a tuple at depth 1.
    const inTuple = encode(tuple(nest(50)));
    expect(outcome(inTuple.toString('hex'), { maxDepth: 50 })).toBe(`depth_limit@${3 + 5 * 49}`);
  });
});

describe('decoding lists of small integers', () => {
  it.each([
    ['83 6c00000003 6101 6102 6103 6a', '[1,2,3]'],
    ['83 6c00000003 6101 6102 6103 6104', '[1,2,3|4]'],
    ['83 6c00000003 6101 6102 6103', 'truncated@12'],
    ['83 6c00000003 6101 6102 61', 'truncated@11'],
    ['83 6c00000003 6101 64000161 6103 6a', '[1,a,3]'],
    ['83 6c00000003 6101 62ffffffff 6103 6a', '[1,-1,3]'],
    ['83 6c00000002 6101 6102 6c00000002 6103 6104 6a', '[1,2,3,4]'],
    ['83 6c00000002 6101 6102 6b00020304', '[1,2,3,4]'],
    ['83 6802 6c00000002 6101 6102 6a', 'truncated@13'],
    ['83 6c00000004 6101 6102', 'truncated@6'],
  ])('%s', (bytes, expected) => {
    expect(outcome(bytes)).toBe(expected);
  });

  it('limits: depth, as before', () => {
    expect(outcome('83 6c00000001 6101 6a', { maxDepth: 1 })).toBe('[1]');
    expect(outcome('83 6801 6c00000002 6101 6102 6a', { maxDepth: 1 })).toBe('depth_limit@3');
  });

  it('100,000 small integers round-trip', () => {
    const xs: number[] = [];
    for (let i = 0; i < 100_000; i++) xs.push(i % 256);
    expect(decode(encode(xs))).toEqual(xs);
    const mixed = xs.slice(0, 1000).concat([300, -1], xs.slice(0, 1000));
    expect(decode(encode(mixed))).toEqual(mixed);
  });
});

describe('encoding nests of one-element lists', () => {
  it('writes the headers and NILs of each list, whatever is innermost', () => {
    expect(encode(nest(3)).toString('hex')).toBe('83' + L(3) + J(4));
    expect(encode(nest(2, [5])).toString('hex')).toBe('83' + L(2) + '6b000105' + J(2));
    expect(encode(nest(2, [300])).toString('hex')).toBe('83' + L(3) + '620000012c' + J(3));
    expect(encode(nest(2, [atom('a')])).toString('hex')).toBe('83' + L(3) + '770161' + J(3));
    expect(encode(nest(2, [1, 2])).toString('hex')).toBe('83' + L(2) + '6b00020102' + J(2));
    expect(encode(nest(2, improperList([1], 2))).toString('hex')).toBe('83' + L(2) + '6c00000001 6101 6102'.replace(/ /g, '') + J(2));
    expect(encode([nest(2), nest(1)]).toString('hex')).toBe('83 6c00000002'.replace(/ /g, '') + L(2) + J(3) + L(1) + J(2) + '6a');
    expect(encode(tuple(nest(2), 1)).toString('hex')).toBe('836802' + L(2) + J(3) + '6101');
  });

  it('maxDepth counts every list of a nest', () => {
    expect(new Encoder({ maxDepth: 3 }).encode([[[300]]]).toString('hex')).toBe('83' + L(3) + '620000012c' + J(3));
    expect(() => new Encoder({ maxDepth: 2 }).encode([[[300]]])).toThrow(EncodeError);
    expect(new Encoder({ maxDepth: 10 }).encode(nest(10)).toString('hex')).toBe('83' + L(10) + J(11));
    expect(() => new Encoder({ maxDepth: 9 }).encode(nest(10))).toThrow(EncodeError);
    expect(() => new Encoder({ maxDepth: 10 }).encode(tuple(nest(10)))).toThrow(EncodeError);
    expect(new Encoder({ maxDepth: 11 }).encode(tuple(nest(10))).length).toBe(3 + 5 * 10 + 11);
    // Nests next to each other do not add up; nested ones do.
    expect(new Encoder({ maxDepth: 4 }).encode([nest(3), nest(3)]).length).toBeGreaterThan(0);
    expect(() => new Encoder({ maxDepth: 4 }).encode(nest(2, tuple(nest(3))))).toThrow(EncodeError);
    expect(new Encoder({ maxDepth: 6 }).encode(nest(2, tuple(nest(3)))).length).toBeGreaterThan(0);
  });

  it('a list that contains itself is depth_limit, and the encoder works after it', () => {
    const self: Term[] = [];
    self.push(self);
    for (const e of [new Encoder(), new Encoder({ maxDepth: 1000 })]) {
      const thrown = thrownBy(() => e.encode(self));
      expect((thrown as EncodeError).code).toBe('depth_limit');
      expect(e.encode(nest(3)).toString('hex')).toBe('83' + L(3) + J(4));
      expect(() => new Encoder({ maxDepth: 3 }).encode(tuple(nest(2)))).not.toThrow();
    }
  });
});

describe('encoding small maps in map key order', () => {
  /** The bytes of `m` with its keys inserted in sorted order (no reordering needed). */
  function sortedCopy(m: ErlMap): ErlMap {
    const keys = m.keys().sort((a, b) => compare(a, b, true));
    return new ErlMap(keys.map((k) => [k, m.get(k) as Term] as const));
  }

  it('maps of one shape, and of shapes that differ only in order, each in key order', () => {
    const e = new Encoder();
    const maps = [
      map({ id: 1, name: 2, score: 3, active: true }),
      map({ id: 2, name: 3, score: 4, active: false }),
      map({ name: 1, id: 2, score: 3, active: 4 }),
      map({ active: 1, score: 2, name: 3, id: 4 }),
      map({ id: 1, name: 2, score: 3 }),
      map({ id: 1, name: 2, score: 3, active: 4, extra: 5 }),
      map([
        [1, 'a'],
        [atom('z'), 'b'],
        [float(0.5), 'c'],
        [[1], 'd'],
        [tuple(), 'e'],
        [true, 'f'],
      ]),
      map([
        [1, 'a'],
        [atom('z'), 'b'],
        [float(0.5), 'c'],
        [[1], 'd'],
        [tuple(), 'e'],
        [true, 'f'],
      ]),
      map([
        [2, 'a'],
        [1, 'b'],
        [-5, 'c'],
        [atom('a'), 'd'],
      ]),
      map([
        [2, 'a'],
        [1, 'b'],
        [-5, 'c'],
        [atom('a'), 'd'],
      ]),
      map([
        [2, 'a'],
        [1, 'b'],
        [atom('a'), 'd'],
        [-5, 'c'],
      ]),
    ];
    for (const m of maps) {
      expect(e.encode(m).toString('hex')).toBe(new Encoder().encode(sortedCopy(m)).toString('hex'));
      expect(e.encode([m, m, tuple(m)]).toString('hex')).toBe(
        new Encoder().encode([sortedCopy(m), sortedCopy(m), tuple(sortedCopy(m))]).toString('hex'),
      );
    }
    // Maps inside maps, each sorted on its own.
    const inner = map({ b: 1, a: 2 });
    const outer = map([
      [atom('y'), inner],
      [atom('x'), map({ d: inner, c: 1 })],
    ]);
    expect(decode(e.encode(outer))).toEqual(decode(encode(sortedCopy(outer))));
    expect(formatTerm(decode(e.encode(outer)))).toBe('#{x => #{c => 1,d => #{a => 2,b => 1}},y => #{a => 2,b => 1}}');
  });

  it('maps of one shape write the bytes the general path writes, whatever their values', () => {
    // A map as decoded keeps its entries' order: written by the general loop, not the small-map one.
    const asDecoded = (m: ErlMap): ErlMap => ErlMap.fromWire(sortedCopy(m).entries().flat()) as ErlMap;
    const e = new Encoder();
    const node = atom('n@h');
    const values: Term[] = [
      0,
      255,
      256,
      -1,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      2 ** 53,
      0.5,
      float(1),
      float(-0),
      float(1e300),
      Buffer.alloc(0),
      Buffer.from('user 1'),
      Buffer.alloc(27, 7),
      Buffer.alloc(28, 8),
      new Uint8Array([1, 2]) as Buffer,
      true,
      false,
      atom('ok'),
      atom('é'.repeat(200)),
      'text',
      12n,
      [],
      [1, 2],
      [atom('a')],
      tuple(),
      tuple(1, [2]),
      map({ a: 1 }),
      new Pid(node, 1, 2, 3),
      new Reference(node, 1, [2, 3]),
    ];
    for (const v of values) {
      for (const m of [map({ id: v, name: v, score: v, active: v }), map({ active: v, é: v, z: 1 })]) {
        const general = asDecoded(m);
        expect(e.encode([m, m, tuple(m)]).toString('hex')).toBe(new Encoder().encode([general, general, tuple(general)]).toString('hex'));
      }
    }
  });

  it('the encoder keeps no reference to an encoded map', () => {
    const e = new Encoder();
    const m = map({ b: [1, 2, 3], a: tuple(1) });
    e.encode([m]);
    const levels = (e as unknown as { levels: Array<{ own: Term[] }> }).levels;
    for (const level of levels) for (const x of level.own) expect(x).toBeUndefined();
  });
});
