/**
 * Running a registered function the way erpc runs a call: the outcome is one of Erlang's four
 * (return, throw, exit, error with a stack), never a JavaScript exception.
 */
import { Atom, atom, encode, Term, tuple } from '../../codec';
import { Outcome, outcomeOf } from '../process/outcome';
import { CallContext, ModuleRegistry } from './modules';

const UNDEF = atom('undef');
const OK = atom('ok');

/**
 * Call `module:fn(args...)` if the program registered it. A function that returns nothing
 * (`undefined`) returns `ok`, as a side-effect-only Erlang function would.
 */
export async function applyRegistered(registry: ModuleRegistry, module: Atom, fn: Atom, args: Term[], ctx: CallContext): Promise<Outcome> {
  const impl = registry.lookup(module, fn, args.length);
  if (!impl) return { kind: 'error', reason: UNDEF, stack: [tuple(module, fn, args, [])] };
  try {
    const value = (await impl.apply(ctx, args)) as Term | undefined;
    const result = value === undefined ? OK : value;
    encode(result); // a value that is not a term fails here, as an error of the call
    return { kind: 'return', value: result };
  } catch (err) {
    return outcomeOf(err, { module, function: fn, arity: args.length });
  }
}
