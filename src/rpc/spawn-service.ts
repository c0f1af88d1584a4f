/**
 * SPAWN_REQUEST from other nodes: `erpc:call/cast` (so `rpc:call`, `rpc:cast`, `rpc:multicall`),
 * `spawn(Node, M, F, A)` and `spawn(Node, Fun)`. Each request gets a SPAWN_REPLY with a real pid of
 * this node, then that process runs the registered TypeScript and exits the way BEAM's would.
 */
import { Atom, atom, Fun, Term, tuple } from '../../codec';
import { exitReasonOf } from '../process/exceptions';
import { ErlProcess } from '../process/process';
import { ProcessTable } from '../process/table';
import { SpawnRequest } from '../node/dispatch';
import { applyRegistered, Outcome } from './apply';
import { ModuleRegistry } from './modules';

const ERPC = atom('erpc');
const EXECUTE_CALL = atom('execute_call');
const EXECUTE_CAST = atom('execute_cast');
const ERLANG = atom('erlang');
const APPLY = atom('apply');
const LINK = atom('link');
const MONITOR = atom('monitor');
const RETURN = atom('return');
const THROW = atom('throw');
const EXIT = atom('exit');
const ERROR = atom('error');
const UNDEF = atom('undef');
const BADOPT = atom('badopt');

const enum ReplyFlag {
  Link = 1,
  Monitor = 2,
}

/** The link and monitor options of a spawn request; null when the option list is malformed. */
function spawnFlags(options: Term): number | null {
  if (!Array.isArray(options)) return null;
  let flags = 0;
  for (const o of options) {
    if (o === LINK) flags |= ReplyFlag.Link;
    else if (o === MONITOR) flags |= ReplyFlag.Monitor;
  }
  return flags;
}

function listOf(term: Term): Term[] | null {
  return Array.isArray(term) ? term : null;
}

/** The exit reason erpc's `execute_call` ends with for an outcome. */
function erpcExitReason(ref: Term, outcome: Outcome): Term {
  switch (outcome.kind) {
    case 'return':
      return tuple(ref, RETURN, outcome.value);
    case 'throw':
      return tuple(ref, THROW, outcome.value);
    case 'exit':
      return tuple(ref, EXIT, outcome.reason);
    case 'error':
      return tuple(ref, ERROR, outcome.reason, outcome.stack);
  }
}

/** How a process that ran a call ends, as a BEAM process would: normal, or the crash reason. */
function crashReason(outcome: Outcome): Term {
  switch (outcome.kind) {
    case 'return':
      return atom('normal');
    case 'throw':
      return tuple(tuple(atom('nocatch'), outcome.value), []);
    case 'exit':
      return outcome.reason;
    case 'error':
      return tuple(outcome.reason, outcome.stack);
  }
}

export class SpawnService {
  constructor(
    private readonly table: ProcessTable,
    private readonly registry: ModuleRegistry,
  ) {}

  /** Serve one request; `reply` sends SPAWN_REPLY on the connection it came from. */
  handle(request: SpawnRequest, reply: (flags: number, result: Term) => void): void {
    const flags = spawnFlags(request.options);
    const args = listOf(request.args);
    if (flags === null || args === null || args.length !== request.arity) {
      reply(0, BADOPT);
      return;
    }
    const proc = this.table.create();
    proc.groupLeader = request.groupLeader;
    // The reply goes out before anything the process does, so erl sees it before the exit.
    reply(flags, proc.pid);
    if (flags & ReplyFlag.Link) this.table.remoteLinked(request.from, proc.pid);
    if (flags & ReplyFlag.Monitor) this.table.remoteMonitor(request.from, proc.pid, request.reqId);
    void this.run(proc, request, args);
  }

  private async run(proc: ErlProcess, request: SpawnRequest, args: Term[]): Promise<void> {
    const { module, function: fn } = request;
    const ctx = { self: proc, groupLeader: request.groupLeader };
    if (module === ERPC && fn === EXECUTE_CALL && args.length === 4) {
      const [ref, m, f, a] = args;
      const callArgs = listOf(a);
      if (!(m instanceof Atom) || !(f instanceof Atom) || callArgs === null) {
        return proc.exit(tuple(ref, ERROR, tuple(ERPC, atom('badarg'))));
      }
      return proc.exit(erpcExitReason(ref, await applyRegistered(this.registry, m, f, callArgs, ctx)));
    }
    if (module === ERPC && fn === EXECUTE_CAST && args.length === 3) {
      const [m, f, a] = args;
      const callArgs = listOf(a);
      if (!(m instanceof Atom) || !(f instanceof Atom) || callArgs === null) return proc.exit(atom('badarg'));
      return proc.exit(crashReason(await applyRegistered(this.registry, m, f, callArgs, ctx)));
    }
    if (module === ERLANG && fn === APPLY && args.length === 2 && args[0] instanceof Fun) {
      return this.runFun(proc, args[0], listOf(args[1]) ?? []);
    }
    const body = this.registry.spawnable(module, fn, args.length);
    if (!body) return proc.exit(tuple(UNDEF, [tuple(module, fn, args, [])]));
    try {
      await body(proc, ...args);
      proc.exit();
    } catch (err) {
      proc.exit(exitReasonOf(err));
    }
  }

  /** `spawn(Node, Fun)`: the TypeScript registered for that fun (module, index, arity). */
  private async runFun(proc: ErlProcess, fun: Fun, callArgs: Term[]): Promise<void> {
    const body = this.registry.fun(fun.module, fun.index, fun.arity);
    if (!body || callArgs.length !== fun.arity) {
      // BEAM: the fun's code is not loaded here.
      return proc.exit(tuple(UNDEF, [tuple(fun.module, atom(`-fun-${fun.index}-`), callArgs.length, [])]));
    }
    try {
      await body(proc, ...fun.free, ...callArgs);
      proc.exit();
    } catch (err) {
      proc.exit(exitReasonOf(err));
    }
  }
}

