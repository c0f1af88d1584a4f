/**
 * TypeScript calling into Erlang: `rpc` (erpc), `rpcCall` (what `rpc:call` returns), gen_server
 * `call`/`cast`, `send`, remote `spawn`, all Promise-based with timeouts and an AbortSignal.
 *
 * Every operation that waits for an answer runs in a short-lived process of its own, so concurrent
 * operations never see each other's replies, and that process exits when the operation settles
 * (which also drops its monitors and aliases).
 *
 * ```ts
 * const erl = new ErlClient(node);
 * await erl.rpc('bilbo@host', 'kvs', 'lookup', [atom('weather')], { timeout: 5000 }); // {ok, fine}
 * await erl.call(['echo_gs', 'bilbo@host'], atom('ping'));                           // gen_server:call
 * ```
 */
import { Atom, atom, ImproperList, improperList, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import type { ErlNode } from '../node/node';
import { ErlangError, ErlangExit, ErlangThrow } from '../process/exceptions';
import { ProcessExitedError, ReceiveTimeoutError } from '../process/mailbox';
import { Destination, ErlProcess, refKey } from '../process/process';
import { applyRegistered } from './apply';

/** Options of every waiting operation. */
export interface CallOptions {
  /** Milliseconds to wait for the answer. Default: forever for `rpc`/`spawn`, 5000 for `call` (as gen_server). */
  timeout?: number;
  /** Abandon the operation: it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of {@link ErlClient.rpc} and {@link ErlClient.rpcCall}. */
export interface RpcOptions extends CallOptions {
  /**
   * Ask the node's `rex` server (`{rex, Node} ! {self(), {call, M, F, A, GL}}`, answered with
   * `{rex, Result}`) instead of erpc. rex has no exception classes: the result is what old
   * `rpc:call` returned, the value or `{badrpc, Reason}`, and it always resolves.
   */
  rex?: boolean;
  /** The group leader of the remote call (where its output goes). Default: this node's, which prints. */
  groupLeader?: Pid;
}

/** Options of {@link ErlClient.spawn}. */
export interface RemoteSpawnOptions extends CallOptions {
  /**
   * The process the spawn is made as: it gets the link (and, for `spawnMonitor`, the DOWN
   * message). Required for `link`. Do not run a receive-anything loop in it while spawning.
   */
  from?: ErlProcess;
  /** `spawn_link`: link the new process to `from`. */
  link?: boolean;
}

/** No answer in time. The operation was abandoned (its monitor dropped, its process ended). */
export class ErlTimeoutError extends Error {
  constructor(
    /** `rpc`, `call`, `spawn`, ... */
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer within ${timeoutMs} ms`);
    this.name = 'ErlTimeoutError';
  }
}

/**
 * erpc could not run the call: `{erpc, Code}`, as erpc raises it. `code` is `noconnection` (node
 * down or unreachable), `notsup` (the node cannot spawn for others), `badarg`, or what the remote
 * node's spawn failed with (`system_limit`, ...).
 */
export class ErpcError extends ErlangError {
  constructor(readonly code: Term) {
    super(tuple(atom('erpc'), code));
    this.name = 'ErpcError';
  }
}

/** The remote function raised `error(Reason)`: `reason` plus the remote `stacktrace` term. */
export class RemoteError extends ErlangError {
  constructor(
    reason: Term,
    /** `[{M, F, ArityOrArgs, Location}]`, as the remote node gave it. */
    readonly stacktrace: Term,
  ) {
    super(reason);
    this.name = 'RemoteError';
  }
}

/**
 * gen_server:call failed the way erl's does: `reason` is `{Why, {gen_server, call, [Dest, Request,
 * Timeout]}}`, `why` is `noproc`, `{nodedown, Node}`, or the server's exit reason.
 */
export class GenCallError extends ErlangExit {
  constructor(
    readonly why: Term,
    reason: Term,
  ) {
    super(reason);
    this.name = 'GenCallError';
  }
}

/** A remote `spawn` failed: `reason` is the atom the node answered (`badopt`, `notsup`, `noconnection`, ...). */
export class SpawnError extends ErlangError {
  constructor(reason: Term) {
    super(reason);
    this.name = 'SpawnError';
  }
}

const SPAWN_REPLY = atom('spawn_reply');
const DOWN = atom('DOWN');
const OK = atom('ok');
const RETURN = atom('return');
const THROW = atom('throw');
const EXIT = atom('exit');
const ERROR = atom('error');
const ERPC = atom('erpc');
const NOCONNECTION = atom('noconnection');
const REX = atom('rex');
const CALL = atom('call');
const BADRPC = atom('badrpc');
const EXIT_TAG = atom('EXIT');
const NODEDOWN = atom('nodedown');
const TIMEOUT = atom('timeout');
const NOTSUP = atom('notsup');
const BADARG = atom('badarg');
const SIGNAL = atom('signal');
const ALIAS = atom('alias');
const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const GEN_SERVER = atom('gen_server');
const INFINITY = atom('infinity');
const ABANDONED = atom('abandoned');

function toAtom(a: string | Atom): Atom {
  return typeof a === 'string' ? atom(a) : a;
}

function nodeName(n: string | Atom): string {
  return typeof n === 'string' ? n : n.name;
}

function sameRef(t: Term, key: string): boolean {
  return t instanceof Reference && refKey(t) === key;
}

/** `{spawn_reply, ReqId, ok | error, X}` for this request: [ok, X], else undefined. */
function spawnReplyOf(m: Term, key: string): [boolean, Term] | undefined {
  if (m instanceof Tuple && m.length === 4 && m.get(0) === SPAWN_REPLY && sameRef(m.get(1), key)) return [m.get(2) === OK, m.get(3)];
  return undefined;
}

/** `{'DOWN', Ref, process, _, Reason}` for this monitor: the reason, else undefined. */
function downOf(m: Term, key: string): { reason: Term } | undefined {
  if (m instanceof Tuple && m.length === 5 && m.get(0) === DOWN && sameRef(m.get(1), key)) return { reason: m.get(4) };
  return undefined;
}

/** A deadline shared by the receives of one operation. */
class Deadline {
  private readonly end: number;
  constructor(
    readonly operation: string,
    readonly ms: number | undefined,
  ) {
    if (ms !== undefined && !(ms >= 0)) throw new RangeError(`${operation}: timeout must be a non-negative number of ms, got ${ms}`);
    this.end = ms === undefined || ms === Infinity ? Infinity : Date.now() + ms;
  }

  /** `work` until the deadline or the signal; a timeout becomes {@link ErlTimeoutError}. */
  race<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const timer = this.end === Infinity ? undefined : setTimeout(() => done(() => reject(new ErlTimeoutError(this.operation, this.ms as number))), Math.max(0, this.end - Date.now()));
      const onAbort = () => done(() => reject(signal?.reason));
      const done = (settle: () => void) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => done(() => resolve(v)),
        (e) => done(() => reject(e)),
      );
    });
  }

  /** Receive in `proc` until the deadline; a timeout becomes {@link ErlTimeoutError}. */
  async receive<T>(proc: ErlProcess, match: (m: Term) => T | undefined, signal?: AbortSignal): Promise<T> {
    const left = this.end === Infinity ? undefined : Math.max(0, this.end - Date.now());
    try {
      return await proc.receive(match, { timeout: left, signal });
    } catch (err) {
      if (err instanceof ReceiveTimeoutError) throw new ErlTimeoutError(this.operation, this.ms as number);
      throw err;
    }
  }
}

/** The Erlang term of a destination, as gen_server's exit reasons name it. */
function destinationTerm(dest: Destination): Term {
  if (dest instanceof Pid || dest instanceof Reference || dest instanceof Atom) return dest;
  if (typeof dest === 'string') return atom(dest);
  return tuple(toAtom(dest[0]), toAtom(dest[1]));
}

/** The node of a destination, or undefined for a local name. */
function destinationNode(dest: Destination, local: string): string {
  if (dest instanceof Pid || dest instanceof Reference) return dest.node.name;
  if (typeof dest === 'string' || dest instanceof Atom) return local;
  return nodeName(dest[1]);
}

/** What erpc's `execute_call` exit reason means: resolve with the value or reject with the class. */
function erpcResult(reason: Term, resKey: string): { value: Term } | { error: Error } {
  if (reason instanceof Tuple && reason.length >= 3 && sameRef(reason.get(0), resKey)) {
    const [, cls, r, stack] = reason.elements;
    if (reason.length === 3 && cls === RETURN) return { value: r };
    if (reason.length === 3 && cls === THROW) return { error: new ErlangThrow(r) };
    if (reason.length === 3 && cls === EXIT) return { error: new ErlangExit(r) };
    if (reason.length === 4 && cls === ERROR) return { error: new RemoteError(r, stack) };
    if (reason.length === 3 && cls === ERROR && r instanceof Tuple && r.length === 2 && r.get(0) === ERPC) return { error: new ErpcError(r.get(1)) };
  }
  if (reason === NOCONNECTION) return { error: new ErpcError(NOCONNECTION) };
  // The process died some other way (killed, ...): erpc exits with {signal, Reason}.
  return { error: new ErlangExit(tuple(SIGNAL, reason)) };
}

/**
 * What `rpc:call` returns for an erpc outcome (OTP's rpcify): the value, the thrown value,
 * `{badrpc, {'EXIT', ...}}`, `{badrpc, nodedown | timeout | notsup}`. erpc's `badarg` is raised, as
 * rpc:call raises it.
 */
export function rpcifyError(err: unknown): Term {
  if (err instanceof ErlTimeoutError) return tuple(BADRPC, TIMEOUT);
  if (err instanceof ErlangThrow) {
    const v = err.value;
    return v instanceof Tuple && v.length === 2 && v.get(0) === EXIT_TAG ? tuple(BADRPC, v) : v;
  }
  if (err instanceof RemoteError) return tuple(BADRPC, tuple(EXIT_TAG, tuple(err.reason, err.stacktrace)));
  if (err instanceof ErpcError) {
    if (err.code === BADARG) throw new ErlangError(BADARG);
    if (err.code === NOCONNECTION) return tuple(BADRPC, NODEDOWN);
    if (err.code === TIMEOUT) return tuple(BADRPC, TIMEOUT);
    if (err.code === NOTSUP) return tuple(BADRPC, NOTSUP);
    return tuple(BADRPC, tuple(EXIT_TAG, err.code));
  }
  if (err instanceof ErlangExit) {
    // erpc's exit({exception, R}) and exit({signal, R}) both become {badrpc, {'EXIT', R}}.
    const r = err.reason;
    const inner = r instanceof Tuple && r.length === 2 && r.get(0) === SIGNAL ? r.get(1) : r;
    return tuple(BADRPC, tuple(EXIT_TAG, inner));
  }
  throw err;
}

/** Calls from this node into other nodes (and into its own processes). */
export class ErlClient {
  constructor(readonly node: ErlNode) {}

  /** Run `body` in a fresh process that exits afterwards, whatever happens. */
  private async withProcess<T>(body: (proc: ErlProcess) => Promise<T>): Promise<T> {
    const proc = this.node.processes.create();
    try {
      return await body(proc);
    } finally {
      proc.exit();
    }
  }

  /**
   * `erpc:call(Node, M, F, Args)`: resolves with the value; rejects with {@link ErlangThrow},
   * {@link ErlangExit} (reason as the remote exited), {@link RemoteError} (error with its
   * stacktrace), {@link ErpcError} (`noconnection`, `notsup`, ...), {@link ErlTimeoutError}, or
   * `signal.reason`.
   */
  async rpc(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RpcOptions = {}): Promise<Term> {
    if (nodeName(node) === this.node.name) return this.localCall(toAtom(module), toAtom(fn), args, options);
    if (options.rex) return this.rexCall(nodeName(node), toAtom(module), toAtom(fn), args, options);
    const deadline = new Deadline('rpc', options.timeout);
    return this.withProcess(async (proc) => {
      const res = this.node.processes.makeRef();
      const resKey = refKey(res);
      const reqId = this.node.spawnRequest(proc, nodeName(node), 'erpc', 'execute_call', [res, toAtom(module), toAtom(fn), args], {
        monitor: true,
        groupLeader: options.groupLeader,
      });
      const key = refKey(reqId);
      // Like erpc's {reply, error_only}: a successful spawn_reply is not what we wait for.
      const outcome = await deadline.receive(
        proc,
        (m): { value: Term } | { error: Error } | undefined => {
          const reply = spawnReplyOf(m, key);
          if (reply && !reply[0]) return { error: new ErpcError(reply[1]) };
          const down = downOf(m, key);
          return down ? erpcResult(down.reason, resKey) : undefined;
        },
        options.signal,
      );
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    });
  }

  /**
   * `rpc:call(Node, M, F, Args)`: never rejects for what happened remotely; failures are
   * `{badrpc, Reason}` results, as in Erlang (`{badrpc, nodedown}`, `{badrpc, timeout}`,
   * `{badrpc, {'EXIT', {Reason, Stack}}}`, ...). Rejects only with `signal.reason` or for erpc's
   * `badarg` (an `ErlangError`, as rpc:call raises it).
   */
  async rpcCall(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RpcOptions = {}): Promise<Term> {
    try {
      const value = await this.rpc(node, module, fn, args, options);
      if (!options.rex && value instanceof Tuple && value.length === 2 && value.get(0) === EXIT_TAG) return tuple(BADRPC, value);
      return value;
    } catch (err) {
      if (options.signal?.aborted && err === options.signal.reason) throw err;
      return rpcifyError(err);
    }
  }

  /** `erpc:call(node(), ...)`: this node's own registry, in a process of its own, with the same outcomes. */
  private localCall(module: Atom, fn: Atom, args: Term[], options: RpcOptions): Promise<Term> {
    const deadline = new Deadline('rpc', options.timeout);
    return this.withProcess(async (proc) => {
      const groupLeader = options.groupLeader ?? this.node.groupLeader.pid;
      proc.groupLeader = groupLeader;
      const outcome = await deadline.race(applyRegistered(this.node.modules, module, fn, args, { self: proc, groupLeader }), options.signal);
      switch (outcome.kind) {
        case 'return':
          return options.rex && outcome.value instanceof Tuple && outcome.value.length === 2 && outcome.value.get(0) === EXIT_TAG ? tuple(BADRPC, outcome.value) : outcome.value;
        case 'throw':
          if (options.rex) return outcome.value;
          throw new ErlangThrow(outcome.value);
        case 'exit':
          if (options.rex) return tuple(BADRPC, tuple(EXIT_TAG, outcome.reason));
          throw new ErlangExit(outcome.reason);
        case 'error':
          if (options.rex) return tuple(BADRPC, tuple(EXIT_TAG, tuple(outcome.reason, outcome.stack)));
          throw new RemoteError(outcome.reason, outcome.stack);
      }
    });
  }

  private rexCall(node: string, module: Atom, fn: Atom, args: Term[], options: RpcOptions): Promise<Term> {
    const deadline = new Deadline('rpc', options.timeout);
    return this.withProcess(async (proc) => {
      // A monitor on rex turns a lost node into an answer instead of a hang.
      const mref = proc.monitor([REX, node]);
      const key = refKey(mref);
      proc.send([REX, node], tuple(proc.pid, tuple(CALL, module, fn, args, options.groupLeader ?? this.node.groupLeader.pid)));
      try {
        return await deadline.receive(
          proc,
          (m) => {
            if (m instanceof Tuple && m.length === 2 && m.get(0) === REX) return { value: m.get(1) };
            const down = downOf(m, key);
            if (down) return { value: tuple(BADRPC, down.reason === NOCONNECTION ? NODEDOWN : tuple(EXIT_TAG, down.reason)) };
            return undefined;
          },
          options.signal,
        ).then((r) => r.value);
      } catch (err) {
        if (err instanceof ErlTimeoutError) return tuple(BADRPC, TIMEOUT);
        throw err;
      }
    });
  }

  /**
   * `gen_server:call(Dest, Request, Timeout)`: monitors the server, sends `{'$gen_call', {Self,
   * [alias|Alias]}, Request}`, and resolves with the reply. Rejects with {@link GenCallError}
   * (`noproc`, `{nodedown, Node}`, the server's exit reason), {@link ErlTimeoutError} (default
   * timeout 5000 ms, as gen_server), or `signal.reason`.
   */
  async call(dest: Destination, request: Term, options: CallOptions = {}): Promise<Term> {
    const timeout = options.timeout ?? 5000;
    const deadline = new Deadline('call', timeout);
    const fail = (why: Term) =>
      new GenCallError(why, tuple(why, tuple(GEN_SERVER, CALL, [destinationTerm(dest), request, timeout === Infinity ? INFINITY : timeout])));
    return this.withProcess(async (proc) => {
      const target = dest instanceof Reference ? undefined : dest;
      const mref = target === undefined ? undefined : proc.monitor(target);
      const mkey = mref && refKey(mref);
      const alias = proc.alias();
      const akey = refKey(alias);
      const tag = improperList([ALIAS], alias);
      try {
        proc.send(dest, tuple(GEN_CALL, tuple(proc.pid, tag), request));
      } catch {
        // A local name nobody has: the monitor already said noproc.
      }
      const answer = await deadline.receive(
        proc,
        (m): { reply: Term } | { down: Term } | undefined => {
          if (m instanceof Tuple && m.length === 2) {
            const t = m.get(0);
            if (t instanceof ImproperList && t.elements.length === 1 && t.elements[0] === ALIAS && sameRef(t.tail, akey)) return { reply: m.get(1) };
          }
          const down = mkey === undefined ? undefined : downOf(m, mkey);
          return down ? { down: down.reason } : undefined;
        },
        options.signal,
      );
      if ('reply' in answer) return answer.reply;
      const why = answer.down === NOCONNECTION ? tuple(NODEDOWN, atom(destinationNode(dest, this.node.name))) : answer.down;
      throw fail(why);
    });
  }

  /** `gen_server:cast(Dest, Request)`: sends `{'$gen_cast', Request}`; never fails (like cast). */
  cast(dest: Destination, request: Term): void {
    this.send(dest, tuple(GEN_CAST, request));
  }

  /** `Dest ! Message` from the node, connecting when needed. A local name nobody has is dropped. */
  send(dest: Destination, message: Term): void {
    try {
      this.node.send(dest, message);
    } catch {
      // Sending to an unregistered local name is badarg in Erlang; cast semantics: ignore.
    }
  }

  /**
   * `spawn(Node, M, F, Args)` (or `spawn_link` with `link`): resolves with the new pid once the
   * node answered. Rejects with {@link SpawnError} (`noconnection`, `notsup`, `badopt`, ...),
   * {@link ErlTimeoutError} or `signal.reason`. An unknown function still gives a pid: it
   * exits with `undef`, as in Erlang.
   */
  async spawn(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RemoteSpawnOptions = {}): Promise<Pid> {
    return (await this.spawnAs(node, module, fn, args, options, false)).pid;
  }

  /**
   * `spawn_monitor(Node, M, F, Args)`: the DOWN message `{'DOWN', Ref, process, Pid, Reason}`
   * goes to `options.from`, which is required.
   */
  async spawnMonitor(
    node: string | Atom,
    module: string | Atom,
    fn: string | Atom,
    args: Term[],
    options: RemoteSpawnOptions & { from: ErlProcess },
  ): Promise<{ pid: Pid; ref: Reference }> {
    return this.spawnAs(node, module, fn, args, options, true);
  }

  private async spawnAs(
    node: string | Atom,
    module: string | Atom,
    fn: string | Atom,
    args: Term[],
    options: RemoteSpawnOptions,
    keepMonitor: boolean,
  ): Promise<{ pid: Pid; ref: Reference }> {
    if ((options.link || keepMonitor) && !options.from) throw new TypeError('spawn: link and monitor need the process they belong to (options.from)');
    const deadline = new Deadline('spawn', options.timeout);
    const run = async (proc: ErlProcess) => {
      // A monitor while waiting, so a node lost before the reply ends the wait (noconnection).
      const reqId = this.node.spawnRequest(proc, nodeName(node), nameOf(module), nameOf(fn), args, { link: options.link, monitor: true });
      const key = refKey(reqId);
      let answer: { reply: [boolean, Term] } | { down: Term };
      try {
        answer = await deadline.receive(
          proc,
          (m): { reply: [boolean, Term] } | { down: Term } | undefined => {
            const reply = spawnReplyOf(m, key);
            if (reply) return { reply };
            const down = downOf(m, key);
            return down ? { down: down.reason } : undefined;
          },
          options.signal,
        );
      } catch (err) {
        // A helper process just ends; a long-lived `from` must undo a reply that still comes.
        if (proc === options.from) abandon(proc, key, reqId, options.link === true);
        throw err;
      }
      if ('down' in answer) throw new SpawnError(answer.down);
      const [ok, result] = answer.reply;
      if (!ok) throw new SpawnError(result);
      if (!keepMonitor) {
        proc.demonitor(reqId);
        // A DOWN that came in before the demonitor is not the caller's business.
        proc.receive((m) => downOf(m, key), { timeout: 0 }).catch(() => undefined);
      }
      return { pid: result as Pid, ref: reqId };
    };
    return options.from ? run(options.from) : this.withProcess(run);
  }

  /** `net_adm:ping(Node)`. */
  ping(node: string | Atom, timeoutMs?: number): Promise<'pong' | 'pang'> {
    return this.node.ping(nodeName(node), timeoutMs);
  }
}

/**
 * A spawn request of a long-lived process that we stopped waiting for: when the reply still
 * comes, undo it as BEAM's spawn_request_abandon does (unlink and exit `abandoned`, demonitor).
 */
function abandon(proc: ErlProcess, key: string, reqId: Reference, linked: boolean): void {
  proc
    .receive((m): [boolean, Term] | undefined => spawnReplyOf(m, key) ?? (downOf(m, key) ? [false, NOCONNECTION] : undefined))
    .then(([ok, pid]) => {
      proc.demonitor(reqId);
      if (ok && pid instanceof Pid && linked) {
        proc.unlink(pid);
        proc.exitOther(pid, ABANDONED);
      }
    })
    .catch((err) => {
      if (!(err instanceof ProcessExitedError)) throw err;
    });
}

function nameOf(a: string | Atom): string {
  return typeof a === 'string' ? a : a.name;
}
