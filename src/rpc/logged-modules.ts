/**
 * The node's module registry: the served functions of {@link ModuleRegistry}, each call watched
 * for a JavaScript error (a TypeError, say: not an `ErlangError`, `ErlangExit` or `ErlangThrow`).
 * The caller still gets its `{js_error, ...}`; the error, with its JavaScript stack, the
 * function and the arguments, is logged at `error` level for the TypeScript developer.
 */
import { Atom, Pid, Term } from '../../codec';
import { servedErrorEvent } from '../process/crash-report';
import { isErlangException } from '../process/exceptions';
import { Logger } from '../process/logger';
import { ModuleRegistry } from './modules';

export class LoggedModuleRegistry extends ModuleRegistry {
  /** @internal */
  constructor(private readonly logger: Logger) {
    super();
  }

  /** Log a JavaScript error of a served function; Erlang exceptions are the caller's business. @internal */
  override failed(module: Atom, fn: Atom, args: Term[], pid: Pid | undefined, err: unknown): void {
    if (!isErlangException(err)) this.logger.emit(servedErrorEvent({ module, function: fn, args, pid }, err));
  }
}
