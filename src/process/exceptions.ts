/**
 * Erlang's three exception classes, for TypeScript code that wants to raise them: a handler that
 * throws `new ErlangError(atom('badarg'))` fails in Erlang exactly like `error(badarg)`.
 * Their messages show the term as erl's shell would (`~tp`, continuation lines aligned after the
 * class).
 */
import { Term } from '../../codec';
import { prettyTerm } from '../../codec/text';

/** `error(Reason)`. */
export class ErlangError extends Error {
  /** The Erlang exception class, as for every class here: `error`, `exit` or `throw`. */
  readonly code: string = 'error';

  constructor(readonly reason: Term) {
    super(`error: ${prettyTerm(reason, { column: 8 })}`);
    this.name = 'ErlangError';
  }
}

/** `exit(Reason)`: also how a TypeScript process ends with a reason of its choosing. */
export class ErlangExit extends Error {
  readonly code = 'exit';

  constructor(readonly reason: Term) {
    super(`exit: ${prettyTerm(reason, { column: 7 })}`);
    this.name = 'ErlangExit';
  }
}

/** `throw(Value)`. */
export class ErlangThrow extends Error {
  readonly code = 'throw';

  constructor(readonly value: Term) {
    super(`throw: ${prettyTerm(value, { column: 8 })}`);
    this.name = 'ErlangThrow';
  }
}

/** A function elsewhere raised `error(Reason)`: `reason` plus the `stacktrace` term it came with. */
export class RemoteError extends ErlangError {
  constructor(
    reason: Term,
    /** `[{M, F, ArityOrArgs, Location}]`, as the function's node gave it. */
    readonly stacktrace: Term,
  ) {
    super(reason);
    this.name = 'RemoteError';
  }
}

/**
 * True for an exception raised in Erlang's terms (`ErlangError`, `ErlangExit`, `ErlangThrow` and
 * their kin), false for a JavaScript error such as a TypeError: a bug, whose stack its author needs.
 */
export function isErlangException(err: unknown): boolean {
  return err instanceof ErlangError || err instanceof ErlangExit || err instanceof ErlangThrow;
}
