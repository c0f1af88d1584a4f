/**
 * The Erlang modules this node serves: TypeScript functions registered under a module name.
 * Nothing else can be called from another node: an unregistered module or function is `undef`,
 * exactly as on an Erlang node where it does not exist.
 */
import { Atom, atom, integersAs, Pid, Term } from '../../codec';
import type { ErlProcess } from '../process/process';
import type { CallContext } from './call-context';
import { CallRejectedError, clausesOf, runClauses } from './clause';

export type { CallContext };

/**
 * A function callable from Erlang. Its arity is its declared parameter count (`fn.length`); use
 * {@link withArity} for functions with rest or default parameters. It may return a Promise.
 * Throw `ErlangError`, `ErlangExit` or `ErlangThrow` for Erlang exceptions; any other error is
 * an `error` whose reason is `{js_error, <<"Message">>}`.
 */
export type ErlFunction = ((...args: Term[]) => unknown) & { erlangArity?: number };

/** A module: function name -> implementation. */
export type ModuleDefinition = Record<string, ErlFunction>;

/** Options of {@link ModuleRegistry.registerModule}. */
export interface ModuleOptions {
  /**
   * How integers in the arguments (and anywhere inside them) arrive: as the term model has them,
   * `number` when safe and `bigint` beyond (`'mixed'`, default); always `bigint`; or always
   * `number`, where an integer beyond ±(2^53 - 1) fails the call with error `system_limit`
   * (stack `[{Module, Function, Args, []}]`) instead of losing precision.
   */
  integers?: 'mixed' | 'bigint' | 'number';
}

const FUNCTION_CLAUSE = atom('function_clause');
const SYSTEM_LIMIT = atom('system_limit');

/**
 * `fn` as `module:name` serves it: integers converted as `options` say, clauses tried with the
 * call's own stack for `function_clause`. A plain function without options is served as it is.
 */
function served(module: Atom, name: Atom, fn: ErlFunction, options: ModuleOptions): ErlFunction {
  const specs = clausesOf(fn);
  const integers = options.integers === 'mixed' ? undefined : options.integers;
  if (specs === undefined && integers === undefined) return fn;
  const serve = function (this: CallContext, ...args: Term[]): unknown {
    let input = args;
    if (integers !== undefined) {
      const converted = integersAs(args, integers);
      if (converted === undefined) throw new CallRejectedError(SYSTEM_LIMIT, module, name, args);
      input = converted as Term[];
    }
    if (specs === undefined) return fn.apply(this, input);
    return runClauses(specs, this, input, () => new CallRejectedError(FUNCTION_CLAUSE, module, name, args));
  };
  return Object.assign(serve, { erlangArity: arityOf(fn) });
}

/** Give `fn` an explicit arity (for rest parameters, defaults, or a context-only function). */
export function withArity<F extends (...args: never[]) => unknown>(arity: number, fn: F): F & { erlangArity: number } {
  return Object.assign(fn, { erlangArity: arity });
}

/** Spawnable process bodies (`spawn(Node, M, F, A)`): they get the new process and the arguments. */
export type SpawnableFunction = (self: ErlProcess, ...args: Term[]) => unknown;

function arityOf(fn: ErlFunction): number {
  return fn.erlangArity ?? fn.length;
}

export class ModuleRegistry {
  /** module -> function -> arity -> implementation: no key is built per call. */
  private readonly modules = new Map<Atom, Map<Atom, Map<number, ErlFunction>>>();
  private readonly spawnables = new Map<string, SpawnableFunction>();
  private readonly funs = new Map<string, SpawnableFunction>();

  /**
   * Serve `definition` as Erlang module `name` (replacing an earlier one of that name). Functions
   * made with `clause`/`clauses` check their arguments; `options` say how integers arrive.
   */
  registerModule(name: string, definition: ModuleDefinition, options: ModuleOptions = {}): void {
    const module = atom(name);
    const functions = new Map<Atom, Map<number, ErlFunction>>();
    for (const [fname, fn] of Object.entries(definition)) {
      const fnName = atom(fname);
      const arities = functions.get(fnName) ?? new Map<number, ErlFunction>();
      arities.set(arityOf(fn), served(module, fnName, fn, options));
      functions.set(fnName, arities);
    }
    this.modules.set(module, functions);
  }

  /** The implementation of `module:function/arity`, or undefined (`undef`). */
  lookup(module: Atom, fn: Atom, arity: number): ErlFunction | undefined {
    return this.modules.get(module)?.get(fn)?.get(arity);
  }

  /**
   * A served function threw `err` (any exception: JavaScript errors and Erlang ones alike); `pid`
   * is the process of the call, if it has one. Nothing here; the node's registry logs JavaScript errors.
   * @internal
   */
  failed(_module: Atom, _fn: Atom, _args: Term[], _pid: Pid | undefined, _err: unknown): void {}

  /** Serve `spawn(Node, Module, Function, Args)` for this function. `arity` defaults to `body.length - 1`. */
  registerSpawnable(module: string, fn: string, body: SpawnableFunction, arity = Math.max(0, body.length - 1)): void {
    this.spawnables.set(`${module}:${fn}/${arity}`, body);
  }

  spawnable(module: Atom, fn: Atom, arity: number): SpawnableFunction | undefined {
    return this.spawnables.get(`${module.name}:${fn.name}/${arity}`);
  }

  /**
   * Serve `spawn(Node, Fun)` for the funs of `module` with this `index` and `arity`, whatever
   * compile of the module made them (the module's md5 is not compared). The fun's free variables
   * are passed as the arguments after the process.
   */
  registerFun(module: string, index: number, arity: number, body: SpawnableFunction): void {
    this.funs.set(`${module}/${index}/${arity}`, body);
  }

  fun(module: Atom, index: number, arity: number): SpawnableFunction | undefined {
    return this.funs.get(`${module.name}/${index}/${arity}`);
  }
}
