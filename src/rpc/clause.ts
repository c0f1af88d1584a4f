/**
 * Served functions with argument patterns, as Erlang function clauses: `clause([P.int, P.int],
 * (a, b) => a + b)` runs only for two integers, given as `number`s; any other arguments fail the
 * call with `function_clause`, exactly as an Erlang function whose clauses do not match.
 */
import { atom, ErlFloat, fromJS, MatchedAll, Pattern, Term, tuple } from '../../codec';
import { ErlangError, RemoteError } from '../process/exceptions';
import type { CallContext } from './call-context';

const FUNCTION_CLAUSE = atom('function_clause');

/** Options of {@link clause}. */
export interface ClauseOptions {
  /**
   * What the body's result becomes: the term it is (`'term'`, default); for `'float'`, a JS
   * `number` is sent as a float (`4.0`, where `'term'` would send the integer `4`); for `'js'`,
   * the result goes through `fromJS` (plain objects to maps, strings to binaries, ...).
   */
  returns?: 'term' | 'float' | 'js';
}

/** One clause, ready to try: its argument patterns and its body. */
interface ClauseSpec {
  patterns: readonly Pattern<unknown>[];
  body: (this: CallContext, ...args: never[]) => unknown;
  returns: ClauseOptions['returns'];
}

const CLAUSES = Symbol('erlbridge.clauses');

/** A served function made of clauses (see {@link clause}, {@link clauses}). */
export type ClauseFunction = ((...args: Term[]) => unknown) & {
  erlangArity: number;
  /** @internal */
  readonly [CLAUSES]: readonly ClauseSpec[];
};

/**
 * The clauses of a served function, or undefined when it is a plain function.
 * @internal
 */
export function clausesOf(fn: (...args: Term[]) => unknown): readonly ClauseSpec[] | undefined {
  return (fn as Partial<ClauseFunction>)[CLAUSES];
}

function result(value: unknown, returns: ClauseOptions['returns']): unknown {
  if (returns === 'float' && typeof value === 'number') return new ErlFloat(value);
  if (returns === 'js') return fromJS(value);
  return value;
}

/** What `patterns` give for `args`, position by position; undefined when one does not match. */
function matchArgs(patterns: readonly Pattern<unknown>[], args: Term[]): unknown[] | undefined {
  if (patterns.length !== args.length) return undefined;
  const matched: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const r = patterns[i](args[i]);
    if (r === undefined) return undefined;
    matched.push(r);
  }
  return matched;
}

/**
 * Run the first of `specs` whose patterns match `args` (with the values they give); `noMatch()`
 * makes the exception when none does. The result is converted as the clause says, once it settles.
 * @internal
 */
export function runClauses(specs: readonly ClauseSpec[], ctx: CallContext, args: Term[], noMatch: () => Error): unknown {
  for (const spec of specs) {
    const matched = matchArgs(spec.patterns, args);
    if (matched === undefined) continue;
    const value = spec.body.apply(ctx, matched as never[]);
    return value instanceof Promise ? value.then((v) => result(v, spec.returns)) : result(value, spec.returns);
  }
  throw noMatch();
}

function clauseFunction(specs: readonly ClauseSpec[]): ClauseFunction {
  // Called directly (not through a module registry, which names the call in the stack itself).
  const fn = function (this: CallContext, ...args: Term[]): unknown {
    return runClauses(specs, this, args, () => new ErlangError(FUNCTION_CLAUSE));
  };
  return Object.assign(fn, { erlangArity: specs[0].patterns.length, [CLAUSES]: specs });
}

/**
 * A served function whose arguments must match `args` (patterns of `codec`'s `P`: `P.int`,
 * `P.float`, `P.string`, `P.list(P.atom())`, `P.tuple(...)`, ...); `body` gets what they give,
 * typed. Arguments that do not match fail the call as Erlang does: error `function_clause`, the
 * stack `[{Module, Function, Args, []}]`. `this` in `body` is the call's {@link CallContext}.
 *
 * @example
 * node.modules.registerModule('calc', {
 *   add: clause([P.int, P.int], (a, b) => a + b),
 *   fadd: clause([P.number, P.number], (a, b) => a + b, { returns: 'float' }), // fadd(1.5, 2.5) -> 4.0
 * });
 */
export function clause<const Ps extends readonly Pattern<unknown>[]>(
  args: Ps,
  body: (this: CallContext, ...args: MatchedAll<Ps>) => unknown,
  options: ClauseOptions = {},
): ClauseFunction {
  return clauseFunction([{ patterns: args, body: body as ClauseSpec['body'], returns: options.returns }]);
}

/**
 * One served function of several clauses, tried in order, as an Erlang function's: the first whose
 * patterns match runs; none matching is `function_clause`. All must have the same arity.
 *
 * @example
 * add: clauses(clause([P.int, P.int], (a, b) => a + b), clause([P.number, P.number], (a, b) => a + b, { returns: 'float' }))
 */
export function clauses(...fns: ClauseFunction[]): ClauseFunction {
  const specs = fns.flatMap((f) => clausesOf(f) ?? []);
  if (
    specs.length === 0 ||
    fns.some((f) => clausesOf(f) === undefined) ||
    specs.some((s) => s.patterns.length !== specs[0].patterns.length)
  ) {
    throw new TypeError('clauses: give one or more clauses (made by clause()) of the same arity');
  }
  return clauseFunction(specs);
}

/**
 * `error(Reason)` raised by the call itself, before its body runs (`function_clause`, a
 * `system_limit` argument): the stack is the call, `[{Module, Function, Args, []}]`, as BEAM gives
 * it for a function_clause.
 */
export class CallRejectedError extends RemoteError {
  constructor(reason: Term, module: Term, fn: Term, args: Term[]) {
    super(reason, [tuple(module, fn, args, [])]);
    this.name = 'CallRejectedError';
  }
}
