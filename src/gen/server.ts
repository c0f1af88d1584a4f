/**
 * gen_server for TypeScript: a process that answers `gen_server:call`/`cast` from erl (and from
 * TypeScript through `ErlClient.call`), plain messages, and the `sys` protocol.
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
 * The server object is the state. What Erlang sees of it (`sys:get_state`, `sys:get_status`, crash
 * reports) is {@link GenServer.formatState}'s term, by default a map of the object's own fields
 * that are terms (`#{n => 5}` for the Counter above).
 *
 * `handleCall` returns the reply, or {@link NOREPLY} to answer later with `reply(from, value)`
 * (from any code, at any time). As in gen_server, an `ErlangThrow(V)` out of a callback is taken as
 * its result (for `handleCall`, the reply V). Any other exception ends the server: `terminate(reason)`
 * runs, the process exits with the reason erl would give (`{R, Stack}` for an error, the stack
 * naming the server's class and callback), callers waiting on it get it through their monitors,
 * and gen_server's "Generic server ... terminating" report is logged (not for `normal`,
 * `shutdown` and `{shutdown, _}`, as gen_server).
 *
 * What a callback returns besides its reply, it asks of the {@link GenServerContext}: `stop`,
 * `timeout` (`{reply, R, S, Timeout}`), `hibernate` and `continue` (`{continue, Arg}`).
 *
 * `sys` from erl: `get_state`, `get_status` (gen_server's shape), `suspend`/`resume` (while
 * suspended only system messages are handled), `replace_state` (a fun from erl cannot run here,
 * so it fails as sys reports a failing state fun: `{callback_failed, {gen_server,
 * system_replace_state}, {error, undef}}`; from TypeScript, {@link GenServerHandle.replaceState}),
 * and `terminate` (`sys:terminate`, `gen_server:stop`), which runs `terminate`. Other system
 * messages (`sys:trace`, `sys:log`, ...) are answered `{error, {unknown_system_msg, Msg}}`.
 * sys's `get_state` and `replace_state` answers are `{ok, State}` since OTP 26.1 and the bare
 * state before; each caller gets the form its release expects ({@link GenHost.otpRelease}).
 */
import { Atom, atom, charlist, encode, map, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { genServerCrashEvent } from '../process/crash-report';
import { WaitOptions } from '../process/deadline';
import { ErlangError, ErlangExit, ErlangThrow } from '../process/exceptions';
import { Logger } from '../process/logger';
import { ReceiveTimeoutError } from '../process/mailbox';
import { CallSite, exitReasonOf, outcomeOf } from '../process/outcome';
import { ErlProcess, refKey } from '../process/process';
import { genCall } from './call';
import { genReply } from './reply';
import { ERROR, GEN_CALL, GEN_CAST, NORMAL, OK, TIMEOUT, UNDEF } from '../process/atoms';

/** What a gen_server needs of the node it runs on (an `ErlNode` is one). */
export interface GenHost {
  readonly name: string;
  /** Where the server's crash report goes. */
  readonly logger: Logger;
  spawn(body?: (self: ErlProcess) => unknown, options?: { name?: string; trapExit?: boolean; link?: ErlProcess }): ErlProcess;
  whereis(name: string): ErlProcess | undefined;
  makeRef(): Reference;
  /** The OTP release of a peer node, for the form of sys's answers (default: the current form). */
  otpRelease?(peer: string): Promise<number | undefined>;
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
const GET_STATE = atom('get_state');
const GET_STATUS = atom('get_status');
const REPLACE_STATE = atom('replace_state');
const SUSPEND = atom('suspend');
const RESUME = atom('resume');
const STATUS = atom('status');
const MODULE = atom('module');
const GEN_SERVER = atom('gen_server');
const RUNNING = atom('running');
const SUSPENDED = atom('suspended');
const HEADER = atom('header');
const DATA = atom('data');
const INITIAL_CALL = atom('$initial_call');
const ANCESTORS = atom('$ancestors');
const INIT = atom('init');
const CALLBACK_FAILED = atom('callback_failed');
const SYSTEM_REPLACE_STATE = atom('system_replace_state');
const CONTINUE = atom('continue');
const HANDLE_CONTINUE = atom('handle_continue');
const SHUTDOWN = atom('shutdown');

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

/**
 * What a callback can do besides returning. Of `timeout`, `hibernate` and `continue`, the last one
 * a callback asks for counts, as a callback returns one of them in Erlang.
 */
export interface GenServerContext {
  readonly self: ErlProcess;
  readonly node: GenHost;
  /** Stop once this callback returns: `terminate(reason)` runs, then the process exits with `reason` (default `normal`). */
  stop(this: void, reason?: Term): void;
  /**
   * gen_server's `Timeout` (`{reply, R, S, 500}`): when no message comes within `ms` after this
   * callback, `handleInfo` gets the atom `timeout`. Any message (system messages aside) cancels it.
   * `Infinity` is erl's `infinity`: no timeout.
   */
  timeout(this: void, ms: number): void;
  /**
   * gen_server's `hibernate`: accepted, and nothing observable follows. A JavaScript process has no
   * heap of its own to compact, so there is nothing to give back; the server waits as ever.
   */
  hibernate(this: void): void;
  /** gen_server's `{continue, Arg}`: `handleContinue(arg)` runs once this callback returns, before any other message. */
  continue(this: void, arg: Term): void;
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
  /**
   * Any other message (`{Name, Node} ! Msg`, `{'EXIT', ...}` when trapping exits, DOWN, the atom
   * `timeout` after {@link GenServerContext.timeout}, ...). Missing: dropped.
   */
  handleInfo?(message: Term, ctx: GenServerContext): void | Promise<void>;
  /** After {@link GenServerContext.continue}. Missing: the server crashes with `undef`, as gen_server does. */
  handleContinue?(arg: Term, ctx: GenServerContext): void | Promise<void>;
  /** Runs once when the server stops (not when it is killed). */
  terminate?(reason: Term, ctx: GenServerContext): void | Promise<void>;
  /**
   * The state as Erlang sees it: what `sys:get_state` returns, `sys:get_status` and crash reports
   * show. Default: a map of the object's own enumerable fields whose values are terms, keys as atoms.
   */
  formatState?(): Term;
}

export interface StartGenServerOptions {
  /** Register the server under this name (`{local, Name}`). */
  name?: string;
  /** `process_flag(trap_exit, true)`: exit signals arrive at `handleInfo` as `{'EXIT', From, Reason}`. */
  trapExit?: boolean;
  /** Link the server to this process (`start_link`); it is then the server's parent in `sys:get_status`. */
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
  /**
   * `sys:replace_state` from TypeScript: `update` runs in the server between two messages (a
   * suspended server too) and may change it; resolves with the new {@link GenServer.formatState}.
   * Rejects with the `{callback_failed, ...}` error, as sys, when `update` throws.
   */
  replaceState(update: (server: GenServer) => void | Promise<void>, options?: WaitOptions): Promise<Term>;
}

/** A `{Pid, Tag}` from, else undefined. */
function fromOf(t: Term, sender: ErlProcess): From | undefined {
  return t instanceof Tuple && t.length === 2 && t.get(0) instanceof Pid ? new From(t.get(0) as Pid, t.get(1), sender) : undefined;
}

/** What init threw, wrapped: a throw of anything at all (even undefined) is a failure. */
interface InitFailure {
  thrown: unknown;
}

/** Where {@link GenServerHandle.replaceState} leaves its updates for the server, by the reference it sends in their place. */
type Updates = Map<string, (server: GenServer) => void | Promise<void>>;

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
  const updates: Updates = new Map();
  const proc = node.spawn((self) => new Server(node, self, impl, site, updates, options.link?.pid ?? self.pid).serve(initialized), {
    name: options.name,
    trapExit: options.trapExit,
    link: options.link,
  });
  await ready;
  const call = async (request: Term, callOptions: WaitOptions | undefined, label?: Atom) => {
    const caller = node.spawn();
    try {
      return await genCall(caller, proc.pid, request, callOptions, label);
    } finally {
      caller.exit();
    }
  };
  return {
    pid: proc.pid,
    process: proc,
    call: (request, callOptions) => call(request, callOptions),
    cast: (request) => proc.deliver(tuple(GEN_CAST, request)),
    stop: async (reason: Term = NORMAL) => {
      if (proc.alive) proc.deliver(tuple(SYSTEM, tuple(proc.pid, node.makeRef()), tuple(TERMINATE, reason)));
      await proc.done;
    },
    replaceState: async (update, callOptions) => {
      const ref = node.makeRef();
      updates.set(refKey(ref), update);
      try {
        const answer = await call(tuple(REPLACE_STATE, ref), callOptions, SYSTEM);
        // sys:replace_state's rule (OTP 26.1 on): {error, Reason} is a failure, raised as error(Reason); {ok, State}.
        if (!(answer instanceof Tuple) || answer.length !== 2) throw new ErlangError(tuple(atom('bad_reply'), answer));
        if (answer.get(0) === ERROR) throw new ErlangError(answer.get(1));
        return answer.get(1);
      } finally {
        updates.delete(refKey(ref));
      }
    },
  };
}

/** The module a crash's stack names: the server's class, else its registered name. */
function callbackSite(impl: GenServer, name: string | undefined): (fn: string, arity: number) => CallSite {
  const className = impl.constructor !== Object ? impl.constructor.name : '';
  const module: Atom = atom(className || name || 'gen_server');
  return (fn, arity) => ({ module, function: atom(fn), arity });
}

/** True for a value the codec can send: the default state keeps only these fields. */
function isTerm(value: unknown): value is Term {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  try {
    encode(value as Term);
    return true;
  } catch {
    return false;
  }
}

/** gen_server reports no crash for these reasons. */
function isNormalStop(reason: Term): boolean {
  return reason === NORMAL || reason === SHUTDOWN || (reason instanceof Tuple && reason.length === 2 && reason.get(0) === SHUTDOWN);
}

/** What to do after a callback: gen_server's `Timeout | hibernate | {continue, Arg}`. */
type Next = { timeout: number } | { continue: Term } | undefined;

/** One running server: its loop, its system messages, its end. */
class Server {
  private stopping: Term | undefined;
  private next: Next;
  private suspended = false;
  /** What gen_server's report calls the last message: the request of a call, the whole message otherwise. */
  private lastMessage: Term | undefined;
  private client: From | undefined;
  private thrown: unknown;
  private readonly ctx: GenServerContext;

  constructor(
    node: GenHost,
    private readonly self: ErlProcess,
    private readonly impl: GenServer,
    private readonly site: (fn: string, arity: number) => CallSite,
    private readonly updates: Updates,
    private readonly parent: Pid,
  ) {
    this.ctx = {
      self,
      node,
      stop: (reason: Term = NORMAL) => {
        this.stopping = reason;
      },
      timeout: (ms: number) => {
        if (Number.isNaN(ms) || ms < 0) throw new TypeError(`gen_server timeout must be a number of ms >= 0 or Infinity, not ${ms}`);
        this.next = ms === Infinity ? undefined : { timeout: ms };
      },
      hibernate: () => {
        this.next = undefined;
      },
      continue: (arg: Term) => {
        this.next = { continue: arg };
      },
    };
  }

  /** The process body: init, then messages until a stop. */
  async serve(initialized: (failure?: InitFailure) => void): Promise<void> {
    try {
      await this.impl.init?.(this.ctx);
    } catch (err) {
      initialized({ thrown: err });
      throw err;
    }
    initialized();
    for (;;) {
      const next = this.next;
      this.next = undefined;
      let callback: [string, number] = ['handle_info', 2];
      try {
        if (next !== undefined && 'continue' in next) {
          callback = ['handle_continue', 2];
          await this.handleContinue(next.continue);
        } else {
          const message = await this.receive(next?.timeout);
          callback = callbackOf(message);
          if (!(await this.handle(message))) this.next = next;
        }
      } catch (err) {
        this.stopping = exitReasonOf(err, this.site(...callback));
        this.thrown = err;
      }
      if (this.stopping !== undefined) await this.terminate(this.stopping);
    }
  }

  /** The next message to handle (only system messages while suspended); `timeout` when `ms` pass without one. */
  private async receive(ms: number | undefined): Promise<Term> {
    const match = this.suspended ? (m: Term) => (isSystem(m) ? m : undefined) : undefined;
    // A suspended server's timeout waits for the resume, as sys's suspended loop does.
    if (ms === undefined || this.suspended) return this.self.receive(match);
    try {
      return await this.self.receive(match, { timeout: ms });
    } catch (err) {
      if (err instanceof ReceiveTimeoutError) return TIMEOUT;
      throw err;
    }
  }

  private async handleContinue(arg: Term): Promise<void> {
    this.lastMessage = tuple(CONTINUE, arg);
    this.client = undefined;
    const { impl } = this;
    if (!impl.handleContinue) {
      throw new ErlangExit(tuple(UNDEF, [tuple(this.site('handle_continue', 2).module, HANDLE_CONTINUE, [arg, this.state()], [])]));
    }
    await thrownAsResult(() => impl.handleContinue?.(arg, this.ctx));
  }

  /** Handle one message; false for a system message that leaves the server's timeout running. */
  private async handle(message: Term): Promise<boolean> {
    const { impl, ctx, self } = this;
    this.lastMessage = message;
    this.client = undefined;
    if (message instanceof Tuple) {
      const [kind, a, b] = message.elements;
      if (kind === GEN_CALL && message.length === 3) {
        const from = fromOf(a, self);
        if (from) {
          this.lastMessage = b;
          this.client = from;
          if (!impl.handleCall) {
            ctx.stop(tuple(BAD_CALL, b));
            return true;
          }
          const result = await thrownAsResult(() => impl.handleCall?.(b, from, ctx));
          if (result !== NOREPLY) reply(from, result === undefined ? OK : result);
          return true;
        }
      }
      if (kind === GEN_CAST && message.length === 2) {
        if (!impl.handleCast) {
          ctx.stop(tuple(BAD_CAST, a));
          return true;
        }
        await thrownAsResult(() => impl.handleCast?.(a, ctx));
        return true;
      }
      const sysFrom = kind === SYSTEM && message.length === 3 ? fromOf(a, self) : undefined;
      if (sysFrom) return this.system(sysFrom, b);
    }
    await thrownAsResult(() => impl.handleInfo?.(message, ctx));
    return true;
  }

  /** A `sys` request, answered as sys.erl and gen_server answer it; false when the server's timeout goes on running. */
  private async system(from: From, request: Term): Promise<boolean> {
    if (request === GET_STATE) reply(from, await this.sysReply(from, this.state()));
    else if (request === GET_STATUS) reply(from, this.status());
    else if (request === SUSPEND || request === RESUME) {
      this.suspended = request === SUSPEND;
      reply(from, OK);
    } else if (request instanceof Tuple && request.length === 2 && request.get(0) === REPLACE_STATE) {
      const answer = await this.replaceState(request.get(1));
      reply(from, isError(answer) ? answer : await this.sysReply(from, answer));
    } else if (request instanceof Tuple && request.length === 2 && request.get(0) === TERMINATE) {
      reply(from, OK);
      this.ctx.stop(request.get(1));
      return true;
    } else reply(from, tuple(ERROR, tuple(UNKNOWN_SYSTEM_MSG, request)));
    return false;
  }

  /** The new state, or sys's `{error, {callback_failed, ...}}`: an erl fun cannot run here, so it fails as `undef`. */
  private async replaceState(stateFun: Term): Promise<Term> {
    const update = stateFun instanceof Reference ? this.updates.get(refKey(stateFun)) : undefined;
    const failed = (cls: Atom, reason: Term) =>
      tuple(ERROR, tuple(CALLBACK_FAILED, tuple(GEN_SERVER, SYSTEM_REPLACE_STATE), tuple(cls, reason)));
    if (update === undefined) return failed(ERROR, UNDEF);
    try {
      await update(this.impl);
    } catch (err) {
      // The class and reason of what it raised, as sys's `{Class, Reason}`.
      const outcome = outcomeOf(err);
      return 'value' in outcome ? failed(atom(outcome.kind), outcome.value) : failed(atom(outcome.kind), outcome.reason);
    }
    return this.state();
  }

  /**
   * A state as sys:get_state and sys:replace_state take it from the server: `{ok, State}` since
   * OTP 26.1, the state itself before (a caller of OTP 25 would return `{ok, State}` as the state).
   */
  private async sysReply(from: From, state: Term): Promise<Term> {
    const peer = from.pid.node.name;
    const release = peer === this.self.pid.node.name ? undefined : await this.ctx.node.otpRelease?.(peer);
    return release !== undefined && release < 26 ? state : tuple(OK, state);
  }

  /** The state as Erlang sees it ({@link GenServer.formatState}, or the fields that are terms). */
  private state(): Term {
    const { impl } = this;
    if (impl.formatState) return impl.formatState();
    return map(Object.fromEntries(Object.entries(impl).filter((entry): entry is [string, Term] => isTerm(entry[1]))));
  }

  /** `sys:get_status`'s reply, in gen_server's shape. */
  private status(): Term {
    const { self, parent } = this;
    const name = self.registeredName?.name ?? `<0.${self.pid.id}.${self.pid.serial}>`;
    const status = this.suspended ? SUSPENDED : RUNNING;
    const pdict = [tuple(INITIAL_CALL, tuple(this.site('init', 1).module, INIT, 1)), tuple(ANCESTORS, parent === self.pid ? [] : [parent])];
    const misc = [
      tuple(HEADER, charlist(`Status for generic server ${name}`)),
      tuple(DATA, [tuple(charlist('Status'), status), tuple(charlist('Parent'), parent), tuple(charlist('Logged events'), [])]),
      tuple(DATA, [tuple(charlist('State'), this.state())]),
    ];
    return tuple(STATUS, self.pid, tuple(MODULE, GEN_SERVER), [pdict, status, parent, [], misc]);
  }

  /** terminate, gen_server's report when the reason is not a normal one, then the exit. */
  private async terminate(reason: Term): Promise<never> {
    const { impl, ctx, self } = this;
    try {
      await impl.terminate?.(reason, ctx);
    } catch (err) {
      // As in gen_server: a crash in terminate replaces the reason.
      reason = exitReasonOf(err, this.site('terminate', 2));
      this.thrown = err;
    }
    if (!isNormalStop(reason)) {
      const crash = {
        proc: self,
        name: self.registeredName ?? self.pid,
        lastMessage: this.lastMessage,
        state: this.safeState(),
        reason,
        client: this.client && { pid: this.client.pid },
        thrown: this.thrown,
      };
      ctx.node.logger.emit(genServerCrashEvent(crash, self.pid.node.name));
    }
    throw new ErlangExit(reason);
  }

  /** The state for a report: a formatState that throws must not hide the crash being reported. */
  private safeState(): Term {
    try {
      return this.state();
    } catch {
      return atom('undefined');
    }
  }
}

/** True for `{error, Reason}`. */
function isError(t: Term): boolean {
  return t instanceof Tuple && t.length === 2 && t.get(0) === ERROR;
}

/** True for `{system, From, Request}`. */
function isSystem(m: Term): boolean {
  return m instanceof Tuple && m.length === 3 && m.get(0) === SYSTEM;
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
