/**
 * Patterns (codec/pattern.ts): what each matches and gives, on every form the term model allows
 * for a value (checked over random terms, and over terms that went through encode/decode, which is
 * how they arrive from erl), and that a pattern is a receive matcher as it is.
 */
import fc from 'fast-check';
import { Atom, atom, bin, charlist, decode, encode, equals, ErlMap, float, map, P, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { Mailbox } from '../../src/process/mailbox';
import { integerArb, pidArb, referenceArb, termArb } from '../support/arbitrary';

const isInteger = (t: Term): boolean => typeof t === 'bigint' || (typeof t === 'number' && Number.isInteger(t));
const arrived = (t: Term): Term => decode(encode(t));

describe('patterns on single values', () => {
  it('any gives every term as it is', () => {
    fc.assert(fc.property(termArb(), (t) => P.any(t) === t));
  });

  it('integers: int within 2^53 as number, bigint always as bigint, integer as it is', () => {
    fc.assert(
      fc.property(integerArb, (i) => {
        const big = BigInt(i);
        expect(P.bigint(i)).toBe(big);
        expect(P.integer(i)).toBe(i);
        const safe = big >= -BigInt(Number.MAX_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(P.int(i)).toBe(safe ? Number(big) : undefined);
        // However it is held (a small bigint, or after a trip through the codec), the same result.
        expect(P.int(big)).toBe(P.int(i));
        expect(P.bigint(arrived(i))).toBe(big);
      }),
    );
  });

  it('integer patterns match integers only (no floats, even integral ones)', () => {
    fc.assert(
      fc.property(termArb(), (t) => {
        expect(P.integer(t) !== undefined).toBe(isInteger(t));
        expect(P.bigint(t) !== undefined).toBe(isInteger(t));
      }),
    );
    expect(P.int(float(1))).toBeUndefined();
    expect(P.int(1.5)).toBeUndefined();
  });

  it('float takes an ErlFloat or a non-integral number and gives a number; number takes both kinds', () => {
    expect(P.float(float(4))).toBe(4);
    expect(P.float(2.5)).toBe(2.5);
    expect(P.float(4)).toBeUndefined();
    expect(P.float(arrived(float(-0)))).toBe(-0);
    expect(P.number(4)).toBe(4);
    expect(P.number(float(4))).toBe(4);
    expect(P.number(2n ** 60n)).toBeUndefined();
    expect(P.number(atom('4'))).toBeUndefined();
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => P.float(arrived(float(d))) === d));
  });

  it('atom() is any atom, true and false included; atom(name) only that one', () => {
    expect(P.atom()(atom('ok'))).toBe(atom('ok'));
    expect(P.atom()(true)).toBe(atom('true'));
    expect(P.atom('false')(false)).toBe(atom('false'));
    expect(P.atom('ok')(atom('error'))).toBeUndefined();
    expect(P.atom()(bin('ok'))).toBeUndefined();
    expect(P.boolean(atom('true'))).toBe(true);
    expect(P.boolean(false)).toBe(false);
    expect(P.boolean(atom('yes'))).toBeUndefined();
    fc.assert(fc.property(termArb(), (t) => (P.atom()(t) !== undefined) === (t instanceof Atom || typeof t === 'boolean')));
  });

  it('text: string takes a UTF-8 binary or a charlist; charlist only the list; binary only whole bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(P.string(arrived(bin(s)))).toBe(s);
        expect(P.string(arrived(charlist(s)))).toBe(s);
        expect(P.charlist(arrived(charlist(s)))).toBe(s);
        expect(P.binary(arrived(bin(s)))).toEqual(bin(s));
        if (s !== '') expect(P.charlist(bin(s))).toBeUndefined();
      }),
    );
    expect(P.string(Buffer.from([0xff, 0xfe]))).toBeUndefined(); // not UTF-8
    expect(P.string([0xd800])).toBeUndefined(); // a surrogate is no character
    expect(P.string([97, atom('b')])).toBeUndefined();
    expect(P.string([])).toBe('');
    expect(P.binary('é')).toEqual(Buffer.from('é'));
    expect(P.string(atom('abc'))).toBeUndefined();
  });

  it('pid, ref, port match only their kind', () => {
    fc.assert(
      fc.property(pidArb, referenceArb, (p, r) => {
        expect(P.pid(p)).toBe(p);
        expect(P.ref(r)).toBe(r);
        expect(P.pid(r)).toBeUndefined();
        expect(P.ref(p)).toBeUndefined();
        expect(P.port(p)).toBeUndefined();
      }),
    );
  });

  it('literal(v) matches exactly the terms =:= to v', () => {
    fc.assert(
      fc.property(termArb(), termArb(), (a, b) => {
        expect(P.literal(a)(arrived(a))).toBe(a);
        expect(P.literal(a)(b) !== undefined).toBe(equals(a, b));
      }),
    );
    expect(P.literal(1)(float(1))).toBeUndefined(); // 1 =/= 1.0, as =:= says
  });
});

describe('patterns of structures', () => {
  it('tuple matches its size element by element and gives the results as an array', () => {
    const store = P.tuple(P.atom('store'), P.any, P.int);
    expect(store(tuple(atom('store'), bin('k'), 3))).toEqual([atom('store'), bin('k'), 3]);
    expect(store(tuple(atom('store'), bin('k'), 3n))).toEqual([atom('store'), bin('k'), 3]);
    expect(store(tuple(atom('store'), bin('k'), atom('x')))).toBeUndefined();
    expect(store(tuple(atom('store'), bin('k')))).toBeUndefined();
    expect(store([atom('store'), bin('k'), 3])).toBeUndefined(); // a list is no tuple
    fc.assert(
      fc.property(fc.array(termArb({ maxDepth: 2 }), { maxLength: 6 }), (elements) => {
        const anys = elements.map(() => P.any);
        expect(P.tuple(...anys)(new Tuple(elements))).toEqual(elements);
        expect(P.tuple(...anys, P.any)(new Tuple(elements))).toBeUndefined();
      }),
    );
  });

  it('list(p) needs every element to match, and gives their results', () => {
    expect(P.list(P.int)([1, 2n, 3])).toEqual([1, 2, 3]);
    expect(P.list(P.int)([1, atom('x')])).toBeUndefined();
    expect(P.list(P.string)([bin('a'), charlist('b')])).toEqual(['a', 'b']);
    expect(P.list()([])).toEqual([]);
    expect(P.list()(tuple())).toBeUndefined();
    fc.assert(fc.property(fc.array(integerArb), (l) => expect(P.list(P.bigint)(arrived(l))).toEqual(l.map((i) => BigInt(i)))));
  });

  it('record(tag, fields) matches {tag, F1, ...} in field order and gives the fields by name', () => {
    const person = P.record('person', { name: P.string, age: P.int });
    expect(person(tuple(atom('person'), bin('joe'), 42))).toEqual({ name: 'joe', age: 42 });
    expect(person(tuple(atom('person'), 42, bin('joe')))).toBeUndefined();
    expect(person(tuple(atom('animal'), bin('joe'), 42))).toBeUndefined();
    expect(person(tuple(atom('person'), bin('joe')))).toBeUndefined();
  });

  it('map({...}) needs the keys (atoms, or binaries on request), allows others, optional() may be missing', () => {
    const m = map({ name: bin('joe'), age: 42, extra: true });
    expect(P.map({ name: P.string, age: P.int })(m)).toEqual({ name: 'joe', age: 42 });
    expect(P.map({ name: P.string, email: P.string })(m)).toBeUndefined();
    expect(P.map({ name: P.string, email: P.optional(P.string) })(m)).toEqual({ name: 'joe', email: undefined });
    expect(P.map({ age: P.optional(P.string) })(m)).toBeUndefined(); // present, so it must match
    const json = new ErlMap([[bin('name'), bin('joe')]]);
    expect(P.map({ name: P.string }, { keys: 'binary' })(json)).toEqual({ name: 'joe' });
    expect(P.map({ name: P.string })(json)).toBeUndefined();
    expect(P.map({})(tuple())).toBeUndefined();
  });

  it('oneOf gives the first alternative that matches; when adds a guard', () => {
    const timeout = P.oneOf(P.int, P.atom('infinity'));
    expect(timeout(5)).toBe(5);
    expect(timeout(atom('infinity'))).toBe(atom('infinity'));
    expect(timeout(atom('never'))).toBeUndefined();
    const positive = P.when(P.int, (n) => n > 0);
    expect(positive(3)).toBe(3);
    expect(positive(0)).toBeUndefined();
    expect(positive(atom('x'))).toBeUndefined();
  });

  it('false is a result, not a failure to match', () => {
    expect(P.tuple(P.boolean)(tuple(false))).toEqual([false]);
    expect(P.boolean(false)).toBe(false);
  });

  it('js gives toJS of any term', () => {
    expect(P.js()(map({ a: [1, float(2)] }))).toEqual({ a: [1, 2] });
    expect(P.js({ binaries: 'string' })(tuple(atom('ok'), bin('x')))).toEqual(['ok', 'x']);
    expect(P.js()(atom('undefined'))).toBeNull(); // matches: null is a value
  });
});

describe('a pattern is a receive matcher', () => {
  it('receive takes the first message the pattern matches, typed, and leaves the others', async () => {
    const box = new Mailbox();
    const from = new Pid(atom('a@b'), 1, 0, 1);
    box.deliver(tuple(atom('lookup'), atom('k')));
    box.deliver(tuple(atom('store'), atom('k'), 7));
    const [, key, value] = await box.receive(P.tuple(P.atom('store'), P.atom(), P.int));
    expect(key.name).toBe('k');
    expect(value + 1).toBe(8);
    expect(box.size).toBe(1);
    // A message yet to come, matched by a bound reference (Erlang's bound variable).
    const ref = new Reference(atom('a@b'), 1, [1, 2, 3]);
    const reply = box.receive(P.record('reply', { ref: P.literal(ref), from: P.pid, body: P.string }), { timeout: 1000 });
    box.deliver(tuple(atom('reply'), new Reference(atom('a@b'), 1, [9, 9, 9]), from, bin('no')));
    box.deliver(tuple(atom('reply'), ref, from, bin('yes')));
    expect(await reply).toEqual({ ref, from, body: 'yes' });
    expect(box.size).toBe(2);
  });
});
