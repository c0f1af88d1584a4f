/**
 * Running a registered function the way erpc runs a call: the outcome is one of Erlang's four
 * (return, throw, exit, error with a stack), never a JavaScript exception.
 */
import { Atom, EncodeError, Pid, Term, tuple } from '../../codec';
import { encodeOnce } from '../dist/encoded';
import { CallSite, Outcome, outcomeOf } from '../process/outcome';
import { CallContext, ModuleRegistry } from './modules';
import { OK, UNDEF } from '../process/atoms';

function returned(value: unknown): Outcome {
  return { kind: 'return', value: value === undefined ? OK : (value as Term) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Start `module:fn(args...)` if the program registered it: its outcome now when the function
 * returned or threw synchronously (no promise, so a served call can end in the turn it came
 * in), else a promise of it. A function that returns nothing (`undefined`) returns `ok`, as a
 * side-effect-only Erlang function would. `pid` is the call's process for the failure report
 * (undefined: `ctx.self`'s). Whoever sends the result makes it {@link sendable}.
 */
export function startRegistered(
  registry: ModuleRegistry,
  module: Atom,
  fn: Atom,
  args: Term[],
  ctx: CallContext,
  pid?: Pid,
): Outcome | Promise<Outcome> {
  const impl = registry.lookup(module, fn, args.length);
  if (!impl) return { kind: 'error', reason: UNDEF, stack: [tuple(module, fn, args, [])] };
  let value: unknown;
  try {
    value = impl.apply(ctx, args);
  } catch (err) {
    return failed(registry, module, fn, args, ctx, pid, err);
  }
  if (!isThenable(value)) return returned(value);
  return Promise.resolve(value).then(returned, (err: unknown) => failed(registry, module, fn, args, ctx, pid, err));
}

function failed(
  registry: ModuleRegistry,
  module: Atom,
  fn: Atom,
  args: Term[],
  ctx: CallContext,
  pid: Pid | undefined,
  err: unknown,
): Outcome {
  registry.failed(module, fn, args, pid ?? ctx.self?.pid, err);
  return outcomeOf(err, { module, function: fn, arity: args.length });
}

/** {@link startRegistered}, always as a promise. */
export async function applyRegistered(registry: ModuleRegistry, module: Atom, fn: Atom, args: Term[], ctx: CallContext): Promise<Outcome> {
  return startRegistered(registry, module, fn, args, ctx);
}

/**
 * What `build` makes of `outcome` (the reply or exit reason that carries it; `extra` is passed on),
 * encoded now, once: connections send those bytes. A result with no encoding (a JavaScript
 * object that is no term) is an error of the call at `site` instead, as the function had raised it.
 */
export function sendable<X>(
  outcome: Outcome,
  site: CallSite,
  build: (outcome: Outcome, extra: X) => Term,
  extra?: X,
): { outcome: Outcome; term: Term } {
  try {
    return { outcome, term: encodeOnce(build(outcome, extra as X)) };
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    const failed = outcomeOf(err, site);
    return { outcome: failed, term: encodeOnce(build(failed, extra as X)) };
  }
}
