/**
 * Running a registered function the way erpc runs a call: the outcome is one of Erlang's four
 * (return, throw, exit, error with a stack), never a JavaScript exception.
 */
import { Atom, atom, charlist, encode, Term, tuple } from '../../codec';
import { ErlangError, ErlangExit, ErlangThrow, jsErrorReason } from '../process/exceptions';
import { CallContext, ModuleRegistry } from './modules';

export type Outcome =
  | { kind: 'return'; value: Term }
  | { kind: 'throw'; value: Term }
  | { kind: 'exit'; reason: Term }
  | { kind: 'error'; reason: Term; stack: Term };

const UNDEF = atom('undef');
const OK = atom('ok');

/** `[{M, F, ArityOrArgs, Location}]`, with the JavaScript file and line when the stack has them. */
function stackOf(module: Atom, fn: Atom, arityOrArgs: Term, err?: unknown): Term {
  const location: Term[] = [];
  const frame = err instanceof Error ? /\(?([^\s()]+):(\d+):\d+\)?\s*$/m.exec(err.stack?.split('\n')[1] ?? '') : null;
  if (frame) location.push(tuple(atom('file'), charlist(frame[1])), tuple(atom('line'), Number(frame[2])));
  return [tuple(module, fn, arityOrArgs, location)];
}

/** The outcome of a thrown value, as Erlang classifies exceptions. */
export function outcomeOfError(err: unknown, module: Atom, fn: Atom, arity: number): Outcome {
  if (err instanceof ErlangThrow) return { kind: 'throw', value: err.value };
  if (err instanceof ErlangExit) return { kind: 'exit', reason: err.reason };
  const reason = err instanceof ErlangError ? err.reason : jsErrorReason(err);
  return { kind: 'error', reason, stack: stackOf(module, fn, arity, err) };
}

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
    return outcomeOfError(err, module, fn, args.length);
  }
}
