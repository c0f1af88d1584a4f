/**
 * SPAWN_REQUEST from other nodes: `erpc:call/cast` (so `rpc:call`, `rpc:cast`, `rpc:multicall`),
 * `spawn(Node, M, F, A)` and `spawn(Node, Fun)`. Each request gets a SPAWN_REPLY with a real pid of
 * this node, then that process runs the registered TypeScript and exits the way BEAM's would. A
 * served function called without a link gets its process only when it needs one (it asks for
 * `this.self`, returns a promise, or crashes): one that returns at once costs a pid and the reply.
 *
 * `spawn(Node, M, F, A)` runs a spawnable body (`registerSpawnable`) when there is one, else the
 * served function `M:F/Arity` as BEAM runs any exported function in a new process: its value is
 * dropped and the process exits `normal`, or with the reason of its exception. A process that
 * dies of an error (`undef` included) or a throw is reported as BEAM reports it ("Error in
 * process ..."), here and on the node of its group leader (the caller's), where erl shows it.
 */
import { Atom, atom, Fun, Pid, Term, tuple } from '../../codec';
import { ControlOp, SpawnReplyFlag, SpawnRequest } from '../dist/control';
import { exitReported, reportsCrash } from '../process/crash-report';
import { Logger } from '../process/logger';
import { CallSite, exitReason, Outcome, outcomeOf } from '../process/outcome';
import { ErlProcess } from '../process/process';
import { ProcessTable } from '../process/table';
import { applyRegistered, sendable, startRegistered } from './apply';
import { ErpcCallContext } from './erpc-call-context';
import { samePid } from '../process/identity';
import { executeCallBadarg, executeCallExit } from './erpc';
import { ModuleRegistry } from './modules';
import { BADARG, ERPC, LINK, MONITOR, NOCONNECTION, UNDEF } from '../process/atoms';
import { ServedCalls } from './served-calls';

const EXECUTE_CALL = atom('execute_call');
const EXECUTE_CAST = atom('execute_cast');
const ERLANG = atom('erlang');
const APPLY = atom('apply');
const BADOPT = atom('badopt');
const EXCEPTION = atom('exception');

/**
 * How erpc:cast's process ends, as `erpc:execute_cast/3` makes it: an error is raised again as
 * `error({exception, {Reason, Stack}})` so that it is reported; a throw or an exit goes on as it is.
 */
function castExitReason(outcome: Outcome): Term {
  if (outcome.kind !== 'error') return exitReason(outcome);
  return tuple(tuple(EXCEPTION, tuple(outcome.reason, outcome.stack)), [tuple(ERPC, EXECUTE_CAST, 3, [])]);
}

/** The link and monitor options of a spawn request; null when the option list is malformed. */
function spawnFlags(options: Term): number | null {
  if (!Array.isArray(options)) return null;
  let flags = 0;
  for (const o of options) {
    if (o === LINK) flags |= SpawnReplyFlag.Link;
    else if (o === MONITOR) flags |= SpawnReplyFlag.Monitor;
  }
  return flags;
}

function listOf(term: Term): Term[] | null {
  return Array.isArray(term) ? term : null;
}

/** Where a SPAWN_REPLY goes: the connection the request came on. */
export interface ReplyChannel {
  readonly isClosed: boolean;
  send(control: Term): unknown;
}

function sendReply(channel: ReplyChannel, request: SpawnRequest, flags: number, result: Term): void {
  if (!channel.isClosed) channel.send(tuple(ControlOp.SpawnReply, request.reqId, request.from, flags, result));
}

/** The exit reason of a served execute_call that ended with `outcome`. */
function executeCallEnd(outcome: Outcome, m: Atom, f: Atom, args: Term[], ref: Term): Term {
  return sendable(outcome, { module: m, function: f, arity: args.length }, executeCallExit, ref).term;
}

export class SpawnService {
  /**
   * The group leader of the last request. Spawns from one erl process, or from one shell, share
   * it: their processes keep this one Pid instead of a decoded copy each.
   */
  private lastGroupLeader: Pid | undefined;

  constructor(
    private readonly table: ProcessTable,
    private readonly registry: ModuleRegistry,
    private readonly logger: Logger,
    /** Calls going on, and whether the node still takes new ones. */
    private readonly calls = new ServedCalls(),
  ) {}

  /**
   * Serve one request; its SPAWN_REPLY goes on `channel`, the connection it came from. A node
   * that is stopping ({@link ServedCalls.closed}) answers `noconnection`, what a caller gets from
   * a node that has gone: erpc raises `{erpc, noconnection}`, rpc:call returns `{badrpc, nodedown}`.
   */
  handle(request: SpawnRequest, channel: ReplyChannel): void {
    if (this.calls.closed) {
      sendReply(channel, request, 0, NOCONNECTION);
      return;
    }
    const flags = spawnFlags(request.options);
    const args = listOf(request.args);
    if (flags === null || args === null || args.length !== request.arity) {
      sendReply(channel, request, 0, BADOPT);
      return;
    }
    const last = this.lastGroupLeader;
    if (last !== undefined && samePid(last, request.groupLeader)) request.groupLeader = last;
    else this.lastGroupLeader = request.groupLeader;
    if (request.module === ERPC && request.function === EXECUTE_CALL && args.length === 4 && !(flags & SpawnReplyFlag.Link)) {
      this.executeCall(request, flags, args, channel);
      return;
    }
    if (!(flags & SpawnReplyFlag.Link) && this.isServedCall(request, args)) {
      this.spawnServed(request, flags, args, channel);
      return;
    }
    const proc = this.table.create();
    proc.groupLeader = request.groupLeader;
    // The reply goes out before anything the process does, so erl sees it before the exit.
    sendReply(channel, request, flags, proc.pid);
    if (flags & SpawnReplyFlag.Link) this.table.remoteLinked(request.from, proc.pid);
    if (flags & SpawnReplyFlag.Monitor) this.table.remoteMonitor(request.from, proc.pid, request.reqId);
    void this.run(proc, request, args);
  }

  /**
   * `erpc:execute_call(Ref, M, F, A)` without a link (erpc's `rpc:call`): a process only if the
   * function needs one (see {@link ErpcCallContext}), and no promise when it returns at once.
   */
  private executeCall(request: SpawnRequest, flags: number, args: Term[], channel: ReplyChannel): void {
    const monitored = (flags & SpawnReplyFlag.Monitor) !== 0;
    const call = new ErpcCallContext(this.table, request.from, monitored ? request.reqId : undefined, request.groupLeader);
    sendReply(channel, request, flags, call.pid);
    const [ref, m, f, a] = args;
    const callArgs = listOf(a);
    if (!(m instanceof Atom) || !(f instanceof Atom) || callArgs === null) return call.end(executeCallBadarg(ref));
    const started = startRegistered(this.registry, m, f, callArgs, call, call.pid);
    if (!(started instanceof Promise)) return call.end(executeCallEnd(started, m, f, callArgs, ref));
    // The call goes on: from now on it is a process, which signals can reach.
    void call.self;
    this.calls.track(started.then((outcome) => call.end(executeCallEnd(outcome, m, f, callArgs, ref))));
  }

  /** True when the request runs a served function (or undef), not erpc's, a fun or a spawnable body. */
  private isServedCall({ module, function: fn }: SpawnRequest, args: Term[]): boolean {
    if (module === ERPC && (fn === EXECUTE_CALL || fn === EXECUTE_CAST)) return false;
    if (module === ERLANG && fn === APPLY) return false;
    return this.registry.spawnable(module, fn, args.length) === undefined;
  }

  /**
   * `spawn(Node, M, F, A)` of a served function without a link: as for {@link executeCall}, a
   * process only if the function needs one, and none of the promises when it returns at once
   * (the common `noop`: its pid goes back, then nothing, as erl sends nothing when such a process
   * exits normal). A crash still gets its process, for the report BEAM gives.
   */
  private spawnServed(request: SpawnRequest, flags: number, args: Term[], channel: ReplyChannel): void {
    const monitored = (flags & SpawnReplyFlag.Monitor) !== 0;
    const call = new ErpcCallContext(this.table, request.from, monitored ? request.reqId : undefined, request.groupLeader);
    sendReply(channel, request, flags, call.pid);
    const started = startRegistered(this.registry, request.module, request.function, args, call, call.pid);
    if (!(started instanceof Promise)) return this.endServed(call, started);
    // The function goes on: from now on it is a process, which signals can reach.
    const proc = call.self;
    void started.then((outcome) => this.end(proc, outcome));
  }

  /** A served function that returned or raised at once: its call ends as its process would. */
  private endServed(call: ErpcCallContext, outcome: Outcome): void {
    if (reportsCrash(outcome)) this.end(call.self, outcome);
    else call.end(exitReason(outcome));
  }

  private async run(proc: ErlProcess, request: SpawnRequest, args: Term[]): Promise<void> {
    const { module, function: fn } = request;
    const ctx = { self: proc, groupLeader: request.groupLeader };
    if (module === ERPC && fn === EXECUTE_CALL && args.length === 4) {
      const [ref, m, f, a] = args;
      const callArgs = listOf(a);
      if (!(m instanceof Atom) || !(f instanceof Atom) || callArgs === null) {
        return proc.exit(executeCallBadarg(ref));
      }
      const answered = applyRegistered(this.registry, m, f, callArgs, ctx);
      this.calls.track(answered);
      return proc.exit(executeCallEnd(await answered, m, f, callArgs, ref));
    }
    if (module === ERPC && fn === EXECUTE_CAST && args.length === 3) {
      const [m, f, a] = args;
      const callArgs = listOf(a);
      if (!(m instanceof Atom) || !(f instanceof Atom) || callArgs === null) return proc.exit(BADARG);
      const outcome = await applyRegistered(this.registry, m, f, callArgs, ctx);
      const sent = sendable(outcome, { module: m, function: f, arity: callArgs.length }, castExitReason);
      return this.end(proc, sent.outcome, undefined, sent.term);
    }
    if (module === ERLANG && fn === APPLY && args.length === 2 && args[0] instanceof Fun) {
      return this.runFun(proc, args[0], listOf(args[1]) ?? []);
    }
    const body = this.registry.spawnable(module, fn, args.length);
    if (body) return this.runBody(proc, () => body(proc, ...args), { module, function: fn, arity: args.length });
    // A served function (or undef when there is none), its value dropped.
    const outcome = await applyRegistered(this.registry, module, fn, args, ctx);
    this.end(proc, outcome);
  }

  /** `spawn(Node, Fun)`: the TypeScript registered for that fun (module, index, arity). */
  private async runFun(proc: ErlProcess, fun: Fun, callArgs: Term[]): Promise<void> {
    const body = this.registry.fun(fun.module, fun.index, fun.arity);
    if (!body || callArgs.length !== fun.arity) {
      // BEAM: the fun's code is not loaded here.
      const stack = [tuple(fun.module, atom(`-fun-${fun.index}-`), callArgs.length, [])];
      return this.end(proc, { kind: 'error', reason: UNDEF, stack });
    }
    await this.runBody(proc, () => body(proc, ...fun.free, ...callArgs), {
      module: fun.module,
      function: atom(`-fun-${fun.index}-`),
      arity: fun.arity,
    });
  }

  /** Run a process body to its end: `normal`, or the reason its exception gives, as BEAM's would. */
  private async runBody(proc: ErlProcess, body: () => unknown, site: CallSite): Promise<void> {
    try {
      await body();
      proc.exit();
    } catch (err) {
      this.end(proc, outcomeOf(err, site), err);
    }
  }

  /** End a spawned process as its outcome says (with `reason`, by default BEAM's), reporting an error or a throw as BEAM does. */
  private end(proc: ErlProcess, outcome: Outcome, thrown?: unknown, reason?: Term): void {
    exitReported(proc, this.logger, this.table.nodeName.name, outcome, thrown, reason);
  }
}
