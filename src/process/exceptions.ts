/**
 * Erlang's three exception classes, for TypeScript code that wants to raise them: a handler that
 * throws `new ErlangError(atom('badarg'))` fails in Erlang exactly like `error(badarg)`.
 */
import { atom, bin, Term, tuple } from '../../codec';
import { formatTerm } from '../../codec/text';

/** `error(Reason)`. */
export class ErlangError extends Error {
  constructor(readonly reason: Term) {
    super(`error: ${formatTerm(reason)}`);
    this.name = 'ErlangError';
  }
}

/** `exit(Reason)`: also how a TypeScript process ends with a reason of its choosing. */
export class ErlangExit extends Error {
  constructor(readonly reason: Term) {
    super(`exit: ${formatTerm(reason)}`);
    this.name = 'ErlangExit';
  }
}

/** `throw(Value)`. */
export class ErlangThrow extends Error {
  constructor(readonly value: Term) {
    super(`throw: ${formatTerm(value)}`);
    this.name = 'ErlangThrow';
  }
}

/** A plain JavaScript error as an Erlang term: `{js_error, <<"Message">>}`. */
export function jsErrorReason(err: unknown): Term {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return tuple(atom('js_error'), bin(text));
}

/** The exit reason of a process body that threw `err`. */
export function exitReasonOf(err: unknown): Term {
  if (err instanceof ErlangExit) return err.reason;
  if (err instanceof ErlangError) return tuple(err.reason, []);
  if (err instanceof ErlangThrow) return tuple(atom('nocatch'), err.value);
  return jsErrorReason(err);
}
