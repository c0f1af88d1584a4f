/**
 * The one mapping between how a call ends and the Erlang terms that tell of it, as OTP has it in
 * `erpc:execute_call` and in the exit reasons of crashed processes. Every server of the node
 * (erpc, rex, spawned processes, gen_server, dist_demo) and the client side use these functions,
 * so a return, throw, exit or error looks on the wire exactly as erl shows it.
 */
import { Atom, atom, bin, charlist, Term, Tuple, tuple } from '../../codec';
import { ErlangError, ErlangExit, ErlangThrow, RemoteError } from './exceptions';
import { EXIT_TAG, NORMAL } from './atoms';

/** How a call ended: one of Erlang's four outcomes, never a JavaScript exception. */
export type Outcome =
  | { kind: 'return'; value: Term }
  | { kind: 'throw'; value: Term; /** Where it was thrown, for the exit reason of a process it ends. */ stack: Term }
  | { kind: 'exit'; reason: Term }
  | { kind: 'error'; reason: Term; stack: Term };

/** The function a stack frame names: `{Module, Function, ArityOrArgs}`. */
export interface CallSite {
  module: Atom;
  function: Atom;
  /** The arity, or the argument list (as erl gives it for `undef` and `function_clause`). */
  arity: number | Term[];
}

const NOCATCH = atom('nocatch');
const FILE = atom('file');
const LINE = atom('line');
const JS_ERROR = atom('js_error');

/** A plain JavaScript error as an Erlang reason: `{js_error, <<"TypeError: message">>}`. */
export function jsErrorReason(err: unknown): Term {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return tuple(JS_ERROR, bin(text));
}

/** `[{M, F, ArityOrArgs, Location}]` for `site`, with the JavaScript file and line when `err` has them; `[]` without a site. */
function stackOf(site: CallSite | undefined, err?: unknown): Term {
  if (site === undefined) return [];
  const location: Term[] = [];
  const frame = err instanceof Error ? /\(?([^\s()]+):(\d+):\d+\)?\s*$/m.exec(err.stack?.split('\n')[1] ?? '') : null;
  if (frame) location.push(tuple(FILE, charlist(frame[1])), tuple(LINE, Number(frame[2])));
  return [tuple(site.module, site.function, site.arity, location)];
}

/** The outcome of a thrown JavaScript value, as Erlang classifies exceptions; `site` names the function for the stack. */
export function outcomeOf(err: unknown, site?: CallSite): Outcome {
  if (err instanceof ErlangThrow) return { kind: 'throw', value: err.value, stack: stackOf(site, err) };
  if (err instanceof ErlangExit) return { kind: 'exit', reason: err.reason };
  if (err instanceof RemoteError) return { kind: 'error', reason: err.reason, stack: err.stacktrace };
  const reason = err instanceof ErlangError ? err.reason : jsErrorReason(err);
  return { kind: 'error', reason, stack: stackOf(site, err) };
}

/** The JavaScript exception of an outcome that is not a return (a return gives its value). */
export function raise(outcome: Outcome): Term {
  switch (outcome.kind) {
    case 'return':
      return outcome.value;
    case 'throw':
      throw new ErlangThrow(outcome.value);
    case 'exit':
      throw new ErlangExit(outcome.reason);
    case 'error':
      throw new RemoteError(outcome.reason, outcome.stack);
  }
}

/** How a process that ran to this outcome ends, as a BEAM process does: `normal`, `{{nocatch, V}, Stack}`, `R`, `{R, Stack}`. */
export function exitReason(outcome: Outcome): Term {
  switch (outcome.kind) {
    case 'return':
      return NORMAL;
    case 'throw':
      return tuple(tuple(NOCATCH, outcome.value), outcome.stack);
    case 'exit':
      return outcome.reason;
    case 'error':
      return tuple(outcome.reason, outcome.stack);
  }
}

/** The exit reason of a process body that threw `err` (the body of `site`, when it has one). */
export function exitReasonOf(err: unknown, site?: CallSite): Term {
  return exitReason(outcomeOf(err, site));
}

/** `catch Expr`: the value or the thrown value, `{'EXIT', R}` for an exit, `{'EXIT', {R, Stack}}` for an error. */
export function caught(outcome: Outcome): Term {
  switch (outcome.kind) {
    case 'return':
    case 'throw':
      return outcome.value;
    case 'exit':
      return tuple(EXIT_TAG, outcome.reason);
    case 'error':
      return tuple(EXIT_TAG, tuple(outcome.reason, outcome.stack));
  }
}

/** True for `{'EXIT', _}`, which old `rpc:call` could not tell from a failure. */
export function isExitTuple(t: Term): t is Tuple {
  return t instanceof Tuple && t.length === 2 && t.get(0) === EXIT_TAG;
}
