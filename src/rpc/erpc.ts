/**
 * erpc's wire form of an outcome, both ways: the exit reason of `erpc:execute_call` that a served
 * call ends with, and what a call from here makes of the one a remote node sends; plus what
 * `rpc:call` (OTP's rpcify) makes of an erpc failure.
 */
import { atom, Reference, Term, Tuple, tuple } from '../../codec';
import { ErlTimeoutError } from '../process/deadline';
import { ErlangError, ErlangExit, ErlangThrow, RemoteError } from '../process/exceptions';
import { isExitTuple, Outcome } from '../process/outcome';
import { sameRef } from '../process/identity';
import { ErpcError } from './errors';
import { BADARG, BADRPC, ERPC, ERROR, EXIT_TAG, NOCONNECTION, NODEDOWN, TIMEOUT } from '../process/atoms';

const RETURN = atom('return');
const THROW = atom('throw');
const EXIT = atom('exit');
const SIGNAL = atom('signal');
const NOTSUP = atom('notsup');

/** The exit reason `erpc:execute_call(Ref, M, F, A)` ends with: `{Ref, return | throw | exit, V}` or `{Ref, error, R, Stack}`. */
export function executeCallExit(outcome: Outcome, ref: Term): Term {
  switch (outcome.kind) {
    case 'return':
      return tuple(ref, RETURN, outcome.value);
    case 'throw':
      return tuple(ref, THROW, outcome.value);
    case 'exit':
      return tuple(ref, EXIT, outcome.reason);
    case 'error':
      return tuple(ref, ERROR, outcome.reason, outcome.stack);
  }
}

/** The exit reason `erpc:execute_call` ends with when its arguments are wrong. */
export function executeCallBadarg(ref: Term): Term {
  return tuple(ref, ERROR, tuple(ERPC, BADARG));
}

/** What `erpc:call` makes of the exit reason of its `execute_call` process: the value, or the exception to raise. */
export function executeCallResult(reason: Term, ref: Reference): { value: Term } | { error: Error } {
  if (reason instanceof Tuple && reason.length >= 3 && reason.get(0) instanceof Reference && sameRef(reason.get(0) as Reference, ref)) {
    const [, cls, r, stack] = reason.elements;
    if (reason.length === 3 && cls === RETURN) return { value: r };
    if (reason.length === 3 && cls === THROW) return { error: new ErlangThrow(r) };
    if (reason.length === 3 && cls === EXIT) return { error: new ErlangExit(r) };
    if (reason.length === 4 && cls === ERROR) return { error: new RemoteError(r, stack) };
    if (reason.length === 3 && cls === ERROR && r instanceof Tuple && r.length === 2 && r.get(0) === ERPC)
      return { error: new ErpcError(r.get(1)) };
  }
  if (reason === NOCONNECTION) return { error: new ErpcError(NOCONNECTION) };
  // The process died some other way (killed, ...): erpc exits with {signal, Reason}.
  return { error: new ErlangExit(tuple(SIGNAL, reason)) };
}

/**
 * What `rpc:call` returns for an erpc exception (OTP's rpcify): the thrown value,
 * `{badrpc, {'EXIT', ...}}`, `{badrpc, nodedown | timeout | notsup}`. erpc's `badarg` is raised,
 * as rpc:call raises it; anything else that is no Erlang exception is rethrown.
 */
export function rpcify(err: unknown): Term {
  if (err instanceof ErlTimeoutError) return tuple(BADRPC, TIMEOUT);
  if (err instanceof ErlangThrow) return isExitTuple(err.value) ? tuple(BADRPC, err.value) : err.value;
  if (err instanceof RemoteError) return tuple(BADRPC, tuple(EXIT_TAG, tuple(err.reason, err.stacktrace)));
  if (err instanceof ErpcError) {
    if (err.why === BADARG) throw new ErlangError(BADARG);
    if (err.why === NOCONNECTION) return tuple(BADRPC, NODEDOWN);
    if (err.why === TIMEOUT || err.why === NOTSUP) return tuple(BADRPC, err.why);
    return tuple(BADRPC, tuple(EXIT_TAG, err.why));
  }
  if (err instanceof ErlangExit) {
    // erpc's exit({exception, R}) and exit({signal, R}) both become {badrpc, {'EXIT', R}}.
    const r = err.reason;
    const inner = r instanceof Tuple && r.length === 2 && r.get(0) === SIGNAL ? r.get(1) : r;
    return tuple(BADRPC, tuple(EXIT_TAG, inner));
  }
  throw err;
}

/** Old `rpc:call`'s result for a value: `{'EXIT', _}` cannot be told from a failure, so it is `{badrpc, {'EXIT', _}}`. */
export function rpcValue(value: Term): Term {
  return isExitTuple(value) ? tuple(BADRPC, value) : value;
}
