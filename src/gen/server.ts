/**
 * gen_server for TypeScript: a process that answers `gen_server:call`/`cast` from erl (and from
 * TypeScript through `ErlClient.call`), plain messages, and `gen_server:stop`/`sys:terminate`.
 *
 * ```ts
 * class Counter implements GenServer {
 *   n = 0;
 *   handleCall(req: Term) { return ++this.n; }          // gen_server:call({counter, Ts}, inc) -> 1
 *   handleCast(req: Term) { this.n = 0; }
 * }
 * const server = await startGenServer(node, new Counter(), { name: 'counter' });
 * ```
 *
 * `gen_server:stop` and `sys:terminate` run `terminate`; other `sys` requests are answered
 * `{error, {unknown_system_msg, Msg}}`. The state is the object itself. `handleCall` returns the
 * reply, or {@link NOREPLY} to answer later with `reply(from, value)` (from any code, at any time).
 * As in gen_server, an `ErlangThrow(V)` out of a callback is taken as its result (for `handleCall`,
 * the reply V). Any other exception ends the server: `terminate(reason)` runs, then the process
 * exits with the reason erl would give (`{R, Stack}` for an error, the stack naming the server's
 * class and callback), and callers waiting on it get it through their monitors.
 */
import { Atom, atom, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { WaitOptions } from '../process/deadline';
import { ErlangExit, ErlangThrow } from '../process/exceptions';
import { CallSite, exitReasonOf } from '../process/outcome';
import { ErlProcess } from '../process/process';
import { genCall } from './call';
import { genReply } from './reply';
import { ERROR, GEN_CALL, GEN_CAST, NORMAL, OK } from '../process/atoms';

/** What a gen_server needs of the node it runs on (an `ErlNode` is one). */
export interface GenHost {
  readonly name: string;
  spawn(body?: (self: ErlProcess) => unknown, options?: { name?: string; trapExit?: boolean; link?: ErlProcess }): ErlProcess;
  whereis(name: string): ErlProcess | undefined;
  makeRef(): Reference;
}

/** Returned by `handleCall` to answer later with {@link reply}. */
export const NOREPLY: unique symbol = Symbol('noreply');

/** What `handleCall` may return: the reply (`undefined` replies `ok`), or {@link NOREPLY}. */
export type CallResult = Term | undefined | typeof NOREPLY;

const SYSTEM = atom('system');
const TERMINATE = atom('terminate');
const BAD_CALL = atom('bad_call');
const BAD_CAST = atom('bad_cast');
const UNKNOWN_SYSTEM_MSG = atom('unknown_system_msg');

/** Whom to answer: the caller's pid and its reply tag (`{Pid, Tag}` in Erlang). */
export class From {
  constructor(
    readonly pid: Pid,
    readonly tag: Term,
    /** The server process the reply is sent from. */
    readonly sender: ErlProcess,
  ) {}

  /** `{Pid, Tag}`, as Erlang code sees it. */
  get term(): Tuple {
    return tuple(this.pid, this.tag);
  }
}

/**
 * `gen_server:reply(From, Reply)`: `{Tag, Reply}` to the alias in the tag (ALIAS_SEND) when there
 * is one, else to the caller's pid.
 */
export function reply(from: From, value: Term): void {
  genReply(from.sender, from.pid, from.tag, value);
}

/** What a callback can do besides returning. */
export interface GenServerContext {
  readonly self: ErlProcess;
  readonly node: GenHost;
  /** Stop once this callback returns: `terminate(reason)` runs, then the process exits with `reason` (default `normal`). */
  stop(this: void, reason?: Term): void;
}

/** The callbacks; all optional. `this` is the server's state. */
export interface GenServer {
  /** Runs in the new process before any message; throwing fails {@link startGenServer}. */
  init?(ctx: GenServerContext): void | Promise<void>;
  /**
   * A `gen_server:call`. Missing: the server exits `{bad_call, Request}`. As in gen_server, a
   * thrown `ErlangThrow(V)` is taken as the callback's result: `V` is the reply.
   */
  handleCall?(request: Term, from: From, ctx: GenServerContext): CallResult | Promise<CallResult>;
  /** A `gen_server:cast`. Missing: the server exits `{bad_cast, Request}`. */
  handleCast?(request: Term, ctx: GenServerContext): void | Promise<void>;
  /** Any other message (`{Name, Node} ! Msg`, `{'EXIT', ...}` when trapping exits, DOWN, ...). Missing: dropped. */
  handleInfo?(message: Term, ctx: GenServerContext): void | Promise<void>;
  /** Runs once when the server stops (not when it is killed). */
  terminate?(reason: Term, ctx: GenServerContext): void | Promise<void>;
}

export interface StartGenServerOptions {
  /** Register the server under this name (`{local, Name}`). */
  name?: string;
  /** `process_flag(trap_exit, true)`: exit signals arrive at `handleInfo` as `{'EXIT', From, Reason}`. */
  trapExit?: boolean;
  /** Link the server to this process (`start_link`). */
  link?: ErlProcess;
}

/** A running server. */
export interface GenServerHandle {
  readonly pid: Pid;
  readonly process: ErlProcess;
  /** `gen_server:call` to this server from TypeScript. */
  call(request: Term, options?: WaitOptions): Promise<Term>;
  /** `gen_server:cast` to this server. */
  cast(request: Term): void;
  /** `gen_server:stop`: `terminate(reason)` runs after the messages already queued; resolves when the process is gone. */
  stop(reason?: Term): Promise<void>;
}

/** A `{Pid, Tag}` from, else undefined. */
function fromOf(t: Term, sender: ErlProcess): From | undefined {
  return t instanceof Tuple && t.length === 2 && t.get(0) instanceof Pid ? new From(t.get(0) as Pid, t.get(1), sender) : undefined;
}

/** What init threw, wrapped: a throw of anything at all (even undefined) is a failure. */
interface InitFailure {
  thrown: unknown;
}

/** `gen_server:start({local, Name}, ...)`: resolves once `init` has run. */
export async function startGenServer(node: GenHost, impl: GenServer, options: StartGenServerOptions = {}): Promise<GenServerHandle> {
  if (options.name !== undefined) {
    const other = node.whereis(options.name);
    if (other) throw new ErlangExit(tuple(atom('already_started'), other.pid));
  }
  // Settled by serve once init has run: rejected with whatever init threw, as it is.
  let initialized!: (failure?: InitFailure) => void;
  const ready = new Promise<void>((resolve, reject) => (initialized = (failure) => (failure ? reject(failure.thrown) : resolve())));
  const site = callbackSite(impl, options.name);
  const proc = node.spawn((self) => serve(node, self, impl, site, initialized), {
    name: options.name,
    trapExit: options.trapExit,
    link: options.link,
  });
  await ready;
  return {
    pid: proc.pid,
    process: proc,
    call: async (request, callOptions) => {
      const caller = node.spawn();
      try {
        return await genCall(caller, proc.pid, request, callOptions);
      } finally {
        caller.exit();
      }
    },
    cast: (request) => proc.deliver(tuple(GEN_CAST, request)),
    stop: async (reason: Term = NORMAL) => {
      if (proc.alive) proc.deliver(tuple(SYSTEM, tuple(proc.pid, node.makeRef()), tuple(TERMINATE, reason)));
      await proc.done;
    },
  };
}

/** The module a crash's stack names: the server's class, else its registered name. */
function callbackSite(impl: GenServer, name: string | undefined): (fn: string, arity: number) => CallSite {
  const className = impl.constructor !== Object ? impl.constructor.name : '';
  const module: Atom = atom(className || name || 'gen_server');
  return (fn, arity) => ({ module, function: atom(fn), arity });
}

async function serve(
  node: GenHost,
  self: ErlProcess,
  impl: GenServer,
  site: (fn: string, arity: number) => CallSite,
  initialized: (failure?: InitFailure) => void,
): Promise<void> {
  let stopping: Term | undefined;
  const ctx: GenServerContext = {
    self,
    node,
    stop: (reason: Term = NORMAL) => {
      stopping = reason;
    },
  };
  try {
    await impl.init?.(ctx);
  } catch (err) {
    initialized({ thrown: err });
    throw err;
  }
  initialized();
  for (;;) {
    const message = await self.receive();
    try {
      await handle(impl, ctx, self, message);
    } catch (err) {
      stopping = exitReasonOf(err, site(...callbackOf(message)));
    }
    if (stopping !== undefined) {
      try {
        await impl.terminate?.(stopping, ctx);
      } catch (err) {
        // As in gen_server: a crash in terminate replaces the reason.
        stopping = exitReasonOf(err, site('terminate', 2));
      }
      throw new ErlangExit(stopping);
    }
  }
}

/** gen_server's `try_dispatch`/`try_handle_call`: a throw out of a callback is its result. */
async function thrownAsResult(callback: () => CallResult | void | Promise<CallResult | void>): Promise<CallResult | void> {
  try {
    return await callback();
  } catch (err) {
    if (err instanceof ErlangThrow) return err.value;
    throw err;
  }
}

/** The callback a message goes to and its arity, for the stack of a crash in it. */
function callbackOf(message: Term): [string, number] {
  if (message instanceof Tuple && message.get(0) === GEN_CALL) return ['handle_call', 3];
  if (message instanceof Tuple && message.get(0) === GEN_CAST) return ['handle_cast', 2];
  return ['handle_info', 2];
}

async function handle(impl: GenServer, ctx: GenServerContext, self: ErlProcess, message: Term): Promise<void> {
  const stop = ctx.stop;
  if (message instanceof Tuple) {
    const [kind, a, b] = message.elements;
    if (kind === GEN_CALL && message.length === 3) {
      const from = fromOf(a, self);
      if (from) {
        if (!impl.handleCall) return stop(tuple(BAD_CALL, b));
        const result = await thrownAsResult(() => impl.handleCall?.(b, from, ctx));
        if (result !== NOREPLY) reply(from, result === undefined ? OK : result);
        return;
      }
    }
    if (kind === GEN_CAST && message.length === 2) {
      if (!impl.handleCast) return stop(tuple(BAD_CAST, a));
      await thrownAsResult(() => impl.handleCast?.(a, ctx));
      return;
    }
    // System messages (sys.erl): terminate (sys:terminate, gen_server:stop) is answered `ok`,
    // then the server terminates; anything else is answered as an unknown system message.
    const sysFrom = kind === SYSTEM && message.length === 3 ? fromOf(a, self) : undefined;
    if (sysFrom) {
      if (b instanceof Tuple && b.length === 2 && b.get(0) === TERMINATE) {
        reply(sysFrom, OK);
        return stop(b.get(1));
      }
      return reply(sysFrom, tuple(ERROR, tuple(UNKNOWN_SYSTEM_MSG, b)));
    }
  }
  await thrownAsResult(() => impl.handleInfo?.(message, ctx));
}
