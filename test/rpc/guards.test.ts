/**
 * The registry's side of clauses and integer forms, without a network: what `lookup` returns is
 * the guarded function itself (so every server that finds functions through it, erpc, rex and
 * spawn alike, gets the guard), and how it fails. What erl sees of it: guards-erl.test.ts.
 */
import { atom, P, Term, tuple } from '../../codec';
import { RemoteError } from '../../src/process/exceptions';
import { clause } from '../../src/rpc/clause';
import type { CallContext } from '../../src/rpc/modules';
import { ModuleRegistry } from '../../src/rpc/modules';

const ctx = {} as CallContext; // no process: these bodies do not use their context

function rejection(call: () => unknown): { reason: Term; stack: Term } | undefined {
  try {
    call();
    return undefined;
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    return { reason: err.reason, stack: err.stacktrace };
  }
}

describe('served functions in the registry', () => {
  it('a plain function without options is served as it is', () => {
    const registry = new ModuleRegistry();
    const echo = (x: Term): Term => x;
    registry.registerModule('m', { echo });
    expect(registry.lookup(atom('m'), atom('echo'), 1)).toBe(echo);
  });

  it("lookup gives the guard: arguments that do not match are function_clause with the call's stack", () => {
    const registry = new ModuleRegistry();
    registry.registerModule('calc', { add: clause([P.int, P.int], (a, b) => a + b) });
    const add = registry.lookup(atom('calc'), atom('add'), 2);
    if (!add) throw new Error('calc:add/2 is not served');
    expect(add.apply(ctx, [1, 2])).toBe(3);
    expect(rejection(() => add.apply(ctx, [1, atom('b')]))).toEqual({
      reason: atom('function_clause'),
      stack: [tuple(atom('calc'), atom('add'), [1, atom('b')], [])],
    });
    expect(registry.lookup(atom('calc'), atom('add'), 1)).toBeUndefined();
  });

  it('integer forms apply before the clauses, which accept either form', () => {
    const registry = new ModuleRegistry();
    const seen: Term[] = [];
    registry.registerModule('b', { f: (x: Term) => seen.push(x), g: clause([P.int], (n) => n + 1) }, { integers: 'bigint' });
    registry.registerModule('n', { f: (x: Term) => seen.push(x) }, { integers: 'number' });
    const call = (m: string, f: string, args: Term[]): unknown => registry.lookup(atom(m), atom(f), args.length)?.apply(ctx, args);
    call('b', 'f', [[1, tuple(2)]]);
    call('n', 'f', [[1n, tuple(2n)]]);
    expect(seen).toEqual([
      [1n, tuple(2n)],
      [1, tuple(2)],
    ]);
    expect(call('b', 'g', [41])).toBe(42);
    expect(rejection(() => call('n', 'f', [[2n ** 53n]]))).toEqual({
      reason: atom('system_limit'),
      stack: [tuple(atom('n'), atom('f'), [[2n ** 53n]], [])],
    });
  });

  it('called directly, a clause still refuses arguments that do not match', () => {
    const add = clause([P.int, P.int], (a, b) => a + b);
    expect(() => add(1, atom('b'))).toThrow('function_clause');
  });
});
