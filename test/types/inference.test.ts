/**
 * The types that patterns, tuples and clauses infer. Each `assertType<Equal<A, B>>` below fails to
 * compile (so tsc fails `npm test`) when the inferred type `A` is not exactly `B`; the tests run
 * the same values, so the types are checked against what the code really gives.
 */
import { Atom, atom, bin, ErlMap, map, Matched, P, Pattern, Pid, Term, Tuple, tuple } from '../../codec';
import type { CallContext } from '../../src/rpc/modules';
import { clause, clauses } from '../../src/rpc/clause';

/** True exactly when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
function assertType<T extends true>(value: T): T {
  return value;
}

describe('typed tuples', () => {
  it('tuple(...) is Tuple<[...]>: get(i) and .elements are typed by position, and it is still a Term', () => {
    const t = tuple(atom('ok'), 1, bin('x'));
    assertType<Equal<typeof t, Tuple<[Atom, number, Buffer]>>>(true);
    const n = t.get(1);
    assertType<Equal<typeof n, number>>(true);
    const [tag, count, body] = t.elements;
    assertType<Equal<[typeof tag, typeof count, typeof body], [Atom, number, Buffer]>>(true);
    expect(count).toBe(1);
    const asTerm: Term = t; // a typed tuple is a Term
    const untyped = new Tuple([1, atom('a')] as Term[]);
    const any = untyped.get(0);
    assertType<Equal<typeof any, Term>>(true);
    expect(any).toBe(1);
    expect(n + 1).toBe(2);
    expect(tag.name).toBe('ok');
    expect(body.toString()).toBe('x');
    expect(asTerm).toBe(t);
    expect([...t]).toEqual([atom('ok'), 1, bin('x')]);
  });
});

describe('pattern result types', () => {
  it('follow the pattern', () => {
    const store = P.tuple(P.atom('store'), P.any, P.int);
    assertType<Equal<Matched<typeof store>, [Atom, Term, number]>>(true);
    const person = P.record('person', { name: P.string, age: P.int, tags: P.list(P.atom()) });
    assertType<Equal<Matched<typeof person>, { name: string; age: number; tags: Atom[] }>>(true);
    const config = P.map({ port: P.int, host: P.optional(P.string) });
    assertType<Equal<Matched<typeof config>, { port: number; host: string | undefined }>>(true);
    const timeout = P.oneOf(P.int, P.atom('infinity'));
    assertType<Equal<Matched<typeof timeout>, number | Atom>>(true);
    assertType<Equal<Matched<typeof P.bigint>, bigint>>(true);
    assertType<Equal<Matched<typeof P.integer>, number | bigint>>(true);
    assertType<Equal<Matched<typeof P.float>, number>>(true);
    const from: Pattern<Pid> = P.pid;

    expect(store(tuple(atom('store'), bin('k'), 3))).toEqual([atom('store'), bin('k'), 3]);
    expect(person(tuple(atom('person'), bin('joe'), 42, [atom('a')]))).toEqual({ name: 'joe', age: 42, tags: [atom('a')] });
    expect(config(map({ port: 80 }))).toEqual({ port: 80, host: undefined });
    expect(config(new ErlMap())).toBeUndefined();
    expect(timeout(atom('infinity'))).toBe(atom('infinity'));
    expect(from(atom('x'))).toBeUndefined();
  });
});

describe('clause argument types', () => {
  it('come from the patterns, and `this` is the call context', () => {
    const add = clause([P.bigint, P.bigint], (a, b) => {
      assertType<Equal<[typeof a, typeof b], [bigint, bigint]>>(true);
      return a + b;
    });
    const named = clause([P.record('point', { x: P.number, y: P.number })], ({ x, y }) => Math.hypot(x, y), { returns: 'float' });
    const who = clause([P.any], function (this: CallContext) {
      return this.self.pid;
    });
    const norm = clauses(
      clause([P.atom('up'), P.int], (_, n) => n),
      clause([P.atom('down'), P.int], (_, n) => -n),
    );
    expect(add.erlangArity).toBe(2);
    expect(named.erlangArity).toBe(1);
    expect(who.erlangArity).toBe(1);
    expect(add(1, 2n)).toBe(3n);
    expect(named(tuple(atom('point'), 3, 4))).toEqual({ value: 5 });
    expect(norm(atom('down'), 3)).toBe(-3);
    expect(() => norm(atom('sideways'), 3)).toThrow('function_clause');
  });

  it('clauses() takes one or more clauses of one arity, nothing else', () => {
    expect(() => clauses()).toThrow(TypeError);
    expect(() =>
      clauses(
        clause([P.int], (n) => n),
        clause([P.int, P.int], (a) => a),
      ),
    ).toThrow(TypeError);
    const plain = Object.assign((n: Term) => n, { erlangArity: 1 });
    expect(() =>
      clauses(
        clause([P.int], (n) => n),
        plain as never,
      ),
    ).toThrow(TypeError);
  });
});
