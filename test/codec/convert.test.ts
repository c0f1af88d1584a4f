/**
 * toJS / fromJS / integersAs (codec/convert.ts): the rules of the module's tables one by one, and
 * as properties: JSON-like data survives fromJS -> encode -> decode -> toJS; toJS takes every
 * term; integersAs keeps every term =:= to itself.
 */
import fc from 'fast-check';
import {
  atom,
  bin,
  charlist,
  compare,
  decode,
  encode,
  EncodeError,
  ErlFloat,
  ErlMap,
  float,
  fromJS,
  ImproperList,
  improperList,
  integersAs,
  map,
  Pid,
  Term,
  toJS,
  Tuple,
  tuple,
} from '../../codec';
import { termArb } from '../support/arbitrary';

const pid = new Pid(atom('a@b'), 1, 2, 3);

describe('toJS', () => {
  it('follows its table', () => {
    expect(toJS(42)).toBe(42);
    expect(toJS(2n ** 60n)).toBe(2n ** 60n);
    expect(toJS(2n ** 60n, { bigints: 'string' })).toBe('1152921504606846976');
    expect(toJS(2n ** 60n, { bigints: 'number' })).toBe(2 ** 60);
    expect(toJS(5n)).toBe(5); // a small bigint is a number either way
    expect(toJS(float(4))).toBe(4);
    expect(toJS(true)).toBe(true);
    expect(toJS(atom('null'))).toBeNull();
    expect(toJS(atom('undefined'))).toBeNull();
    expect(toJS(atom('ok'))).toBe('ok');
    expect(toJS(bin('hé'))).toEqual(bin('hé'));
    expect(toJS(bin('hé'), { binaries: 'string' })).toBe('hé');
    expect(toJS(charlist('hé'))).toEqual([104, 233]);
    expect(toJS(charlist('hé'), { charlists: 'string' })).toBe('hé');
    expect(toJS([], { charlists: 'string' })).toEqual([]);
    expect(toJS([1, atom('a')], { charlists: 'string' })).toEqual([1, 'a']);
    expect(toJS(tuple(atom('ok'), [1, float(2.5)]))).toEqual(['ok', [1, 2.5]]);
    expect(toJS(map({ name: bin('joe'), tags: [atom('a')] }), { binaries: 'string' })).toEqual({ name: 'joe', tags: ['a'] });
    expect(toJS(new ErlMap([[bin('k'), 1]]))).toEqual({ k: 1 });
    expect(toJS(new ErlMap([[1, atom('one')]]))).toEqual(new Map([[1, 'one']]));
    expect(toJS(pid)).toBe(pid);
    const improper = improperList([1], 2);
    expect(toJS(improper)).toBe(improper);
  });

  it('makes a __proto__ key an own property, not a prototype', () => {
    const o = toJS(new ErlMap([[atom('__proto__'), map({ polluted: true })]])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect((o as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('takes every term', () => {
    fc.assert(fc.property(termArb(), (t) => void toJS(t, { binaries: 'string', charlists: 'string', bigints: 'string' })));
  });
});

describe('fromJS', () => {
  it('follows its table', () => {
    expect(fromJS(42)).toBe(42);
    expect(Object.is(fromJS(-0), 0)).toBe(true);
    expect(fromJS(2 ** 60)).toBe(2n ** 60n);
    expect(fromJS(2.5)).toEqual(float(2.5));
    expect(fromJS(7n)).toBe(7n);
    expect(fromJS(null)).toBe(atom('null'));
    expect(fromJS(undefined)).toBe(atom('undefined'));
    expect(fromJS(false)).toBe(false);
    expect(fromJS('hé')).toEqual(bin('hé'));
    expect(fromJS('hé', { strings: 'charlist' })).toEqual(charlist('hé'));
    expect(fromJS(new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(fromJS([1, 'a', [null]])).toEqual([1, bin('a'), [atom('null')]]);
    const m = fromJS({ name: 'joe', age: 42 }) as ErlMap;
    expect(m.get(atom('name'))).toEqual(bin('joe'));
    expect(m.get(atom('age'))).toBe(42);
    expect((fromJS({ name: 'joe' }, { keys: 'binary' }) as ErlMap).get(bin('name'))).toEqual(bin('joe'));
    expect((fromJS(new Map([[1, 'one']])) as ErlMap).get(1)).toEqual(bin('one'));
    const t = tuple(atom('ok'), 1);
    expect(fromJS([t, pid, atom('x')])).toEqual([t, pid, atom('x')]);
  });

  it('refuses what has no term, with the encoder error codes', () => {
    const code = (v: unknown): string | undefined => {
      try {
        fromJS(v);
        return undefined;
      } catch (err) {
        return err instanceof EncodeError ? err.code : 'other';
      }
    };
    expect(code(NaN)).toBe('bad_float');
    expect(code(Infinity)).toBe('bad_float');
    expect(code(() => 1)).toBe('not_a_term');
    expect(code(Symbol('s'))).toBe('not_a_term');
    expect(code(new Date(0))).toBe('not_a_term');
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(code(cyclic)).toBe('depth_limit');
    const shared = { a: 1 };
    expect(code([shared, shared])).toBeUndefined(); // shared is not cyclic
  });

  it('JSON-like data survives fromJS -> encode -> decode -> toJS', () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(
      fc.property(json, (v) => {
        const back = toJS(decode(encode(fromJS(v))), { binaries: 'string', bigints: 'number' });
        // Key order aside (the encoder sorts map keys as erl does), the same data.
        expect(JSON.parse(JSON.stringify(back))).toEqual(v);
      }),
    );
  });
});

describe('integersAs', () => {
  const integersIn = (t: Term): (number | bigint)[] => {
    if (typeof t === 'bigint' || (typeof t === 'number' && Number.isInteger(t))) return [t];
    if (Array.isArray(t)) return t.flatMap(integersIn);
    if (t instanceof Tuple) return t.elements.flatMap(integersIn);
    if (t instanceof ImproperList) return [...t.elements.flatMap(integersIn), ...integersIn(t.tail)];
    if (t instanceof ErlMap) return t.entries().flatMap(([k, v]) => [...integersIn(k), ...integersIn(v)]);
    return [];
  };

  it('bigint: every integer a bigint, the term =:= to itself', () => {
    fc.assert(
      fc.property(termArb(), (t) => {
        const b = integersAs(t, 'bigint') as Term;
        expect(compare(b, t, true)).toBe(0);
        expect(integersIn(b).every((i) => typeof i === 'bigint')).toBe(true);
      }),
    );
  });

  it('number: every integer a number, or undefined when one does not fit', () => {
    fc.assert(
      fc.property(termArb(), (t) => {
        const n = integersAs(t, 'number');
        const fits = integersIn(t).every((i) => Number.isSafeInteger(Number(i)) && BigInt(Number(i)) === BigInt(i));
        expect(n !== undefined).toBe(fits);
        if (n !== undefined) {
          expect(compare(n, t, true)).toBe(0);
          expect(integersIn(n).every((i) => typeof i === 'number')).toBe(true);
        }
      }),
    );
    expect(integersAs([1, float(2), tuple(2n ** 60n)], 'number')).toBeUndefined();
    expect(integersAs([1n, new ErlFloat(2)], 'number')).toEqual([1, new ErlFloat(2)]);
  });
});
