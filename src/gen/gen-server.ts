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
 * `{error, {unknown_system_msg, Msg}}`. The state is the object itself. `handleCall` returns the reply, or {@link NOREPLY} to answer
 * later with `reply(from, value)` (from any code, at any time). A callback that throws ends the
 * server: `terminate(reason)` runs, then the process exits with that reason (callers waiting on it
 * get it through their monitors, as in Erlang).
 */
import { atom, Pid, Term, Tuple, tuple } from '../../codec';
import type { ErlNode } from '../node/node';
import { ErlangExit, exitReasonOf } from '../process/exceptions';
import { ErlProcess } from '../process/process';
import { CallOptions, ErlClient } from '../rpc/client';
import { genReply, replyAlias } from '../process/gen-reply';

export { replyAlias };

/** Returned by `handleCall` to answer later with {@link reply}. */
export const NOREPLY: unique symbol = Symbol('noreply');

/** What `handleCall` may return: the reply (`undefined` replies `ok`), or {@link NOREPLY}. */
export type CallResult = Term | undefined | typeof NOREPLY;

const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const SYSTEM = atom('system');
const TERMINATE = atom('terminate');
const OK = atom('ok');
const NORMAL = atom('normal');
const BAD_CALL = atom('bad_call');
const BAD_CAST = atom('bad_cast');
const ERROR = atom('error');
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
  readonly node: ErlNode;
  /** Stop once this callback returns: `terminate(reason)` runs, then the process exits with `reason` (default `normal`). */
  stop(reason?: Term): void;
}

/** The callbacks; all optional. `this` is the server's state. */
export interface GenServer {
  /** Runs in the new process before any message; throwing fails {@link startGenServer}. */
  init?(ctx: GenServerContext): void | Promise<void>;
  /** A `gen_server:call`. Missing: the server exits `{bad_call, Request}`. */
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
  call(request: Term, options?: CallOptions): Promise<Term>;
  /** `gen_server:cast` to this server. */
  cast(request: Term): void;
  /** `gen_server:stop`: `terminate(reason)` runs after the messages already queued; resolves when the process is gone. */
  stop(reason?: Term): Promise<void>;
}

/** A `{Pid, Tag}` from, else undefined. */
function fromOf(t: Term, sender: ErlProcess): From | undefined {
  return t instanceof Tuple && t.length === 2 && t.get(0) instanceof Pid ? new From(t.get(0) as Pid, t.get(1), sender) : undefined;
}

/** `gen_server:start({local, Name}, ...)`: resolves once `init` has run. */
export async function startGenServer(node: ErlNode, impl: GenServer, options: StartGenServerOptions = {}): Promise<GenServerHandle> {
  if (options.name !== undefined) {
    const other = node.whereis(options.name);
    if (other) throw new ErlangExit(tuple(atom('already_started'), other.pid));
  }
  let initialized!: (err?: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => (initialized = (err) => (err === undefined ? resolve() : reject(err))));
  const proc = node.spawn((self) => serve(node, self, impl, initialized), { name: options.name, trapExit: options.trapExit, link: options.link });
  await ready;
  const client = new ErlClient(node);
  return {
    pid: proc.pid,
    process: proc,
    call: (request, callOptions) => client.call(proc.pid, request, callOptions),
    cast: (request) => client.cast(proc.pid, request),
    stop: async (reason: Term = NORMAL) => {
      if (proc.alive) proc.deliver(tuple(SYSTEM, tuple(proc.pid, node.processes.makeRef()), tuple(TERMINATE, reason)));
      await proc.done;
    },
  };
}

async function serve(node: ErlNode, self: ErlProcess, impl: GenServer, initialized: (err?: unknown) => void): Promise<void> {
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
    initialized(err);
    throw err;
  }
  initialized();
  for (;;) {
    const message = await self.receive();
    try {
      await handle(impl, ctx, self, message);
    } catch (err) {
      stopping = exitReasonOf(err);
    }
    if (stopping !== undefined) {
      try {
        await impl.terminate?.(stopping, ctx);
      } catch (err) {
        // As in gen_server: a crash in terminate replaces the reason.
        stopping = exitReasonOf(err);
      }
      throw new ErlangExit(stopping);
    }
  }
}

async function handle(impl: GenServer, ctx: GenServerContext, self: ErlProcess, message: Term): Promise<void> {
  const stop = ctx.stop;
  if (message instanceof Tuple) {
    const [kind, a, b] = message.elements;
    if (kind === GEN_CALL && message.length === 3) {
      const from = fromOf(a, self);
      if (from) {
        if (!impl.handleCall) return stop(tuple(BAD_CALL, b));
        const result = await impl.handleCall(b, from, ctx);
        if (result !== NOREPLY) reply(from, result === undefined ? OK : result);
        return;
      }
    }
    if (kind === GEN_CAST && message.length === 2) {
      if (!impl.handleCast) return stop(tuple(BAD_CAST, a));
      await impl.handleCast(a, ctx);
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
  await impl.handleInfo?.(message, ctx);
}
