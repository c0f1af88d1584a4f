/**
 * Running a registered function the way erpc runs a call: the outcome is one of Erlang's four
 * (return, throw, exit, error with a stack), never a JavaScript exception.
 */
import { Atom, EncodeError, Term, tuple } from '../../codec';
import { encodeOnce } from '../dist/encoded';
import { CallSite, Outcome, outcomeOf } from '../process/outcome';
import { CallContext, ModuleRegistry } from './modules';
import { OK, UNDEF } from '../process/atoms';

/**
 * Call `module:fn(args...)` if the program registered it. A function that returns nothing
 * (`undefined`) returns `ok`, as a side-effect-only Erlang function would. Whoever sends the
 * result makes it {@link sendable}.
 */
export async function applyRegistered(registry: ModuleRegistry, module: Atom, fn: Atom, args: Term[], ctx: CallContext): Promise<Outcome> {
  const impl = registry.lookup(module, fn, args.length);
  if (!impl) return { kind: 'error', reason: UNDEF, stack: [tuple(module, fn, args, [])] };
  try {
    const value = (await impl.apply(ctx, args)) as Term | undefined;
    return { kind: 'return', value: value === undefined ? OK : value };
  } catch (err) {
    return outcomeOf(err, { module, function: fn, arity: args.length });
  }
}

/**
 * What `build` makes of `outcome` (the reply or exit reason that carries it), encoded now, once:
 * connections send those bytes. A result with no encoding (a JavaScript object that is no term)
 * is an error of the call at `site` instead, as the function had raised it.
 */
export function sendable(outcome: Outcome, site: CallSite, build: (outcome: Outcome) => Term): { outcome: Outcome; term: Term } {
  try {
    return { outcome, term: encodeOnce(build(outcome)) };
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    const failed = outcomeOf(err, site);
    return { outcome: failed, term: encodeOnce(build(failed)) };
  }
}
