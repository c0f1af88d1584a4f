/**
 * The node's module registry: the served functions of {@link ModuleRegistry}, each call watched
 * for a JavaScript error (a TypeError, say: not an `ErlangError`, `ErlangExit` or `ErlangThrow`).
 * The caller still gets its `{js_error, ...}`; the error, with its JavaScript stack, the
 * function and the arguments, is logged at `error` level for the TypeScript developer.
 */
import { Atom, Term } from '../../codec';
import { servedErrorEvent } from '../process/crash-report';
import { isErlangException } from '../process/exceptions';
import { Logger } from '../process/logger';
import { CallContext, ErlFunction, ModuleRegistry } from './modules';

export class LoggedModuleRegistry extends ModuleRegistry {
  /** @internal */
  constructor(private readonly logger: Logger) {
    super();
  }

  /** The implementation of `module:function/arity`, its JavaScript errors logged; undefined (`undef`) when there is none. */
  override lookup(module: Atom, fn: Atom, arity: number): ErlFunction | undefined {
    const impl = super.lookup(module, fn, arity);
    if (impl === undefined) return undefined;
    const logger = this.logger;
    const report = (self: CallContext['self'] | undefined, args: Term[], err: unknown): void => {
      if (!isErlangException(err)) logger.emit(servedErrorEvent({ module, function: fn, args, pid: self?.pid }, err));
    };
    return function (this: CallContext | undefined, ...args: Term[]) {
      try {
        const result = impl.apply(this, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((err: unknown) => {
          report(this?.self, args, err);
          throw err;
        });
      } catch (err) {
        report(this?.self, args, err);
        throw err;
      }
    };
  }
}
