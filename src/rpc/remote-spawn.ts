/**
 * The requesting side of remote spawn (`spawn_request/5`, and through it erpc, `spawn/4` and
 * `spawn_link/4` to other nodes): SPAWN_REQUEST out, SPAWN_REPLY in, delivered to the requester
 * as `{spawn_reply, ReqId, ok | error, PidOrReason}` the way BEAM delivers it.
 */
import { atom, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { ControlOp, SpawnReplyFlag } from '../dist/control';
import { Deadline, WaitOptions } from '../process/deadline';
import { ProcessExitedError } from '../process/mailbox';
import { ErlProcess } from '../process/process';
import { samePid, sameRef } from '../process/identity';
import { RefMap } from '../process/ref-map';
import { ProcessTable, RemoteSignals } from '../process/table';
import { downReasonOf } from '../process/down';
import { SpawnError } from './errors';
import { ERROR, LINK, MONITOR, NOCONNECTION, OK, SPAWN_REPLY } from '../process/atoms';

const ABANDONED = atom('abandoned');

/** Sends a control message and payload to a node, connecting when needed; `onNoConnection` when it cannot. */
export type ControlSender = (node: string, control: Term, payload: Term, onNoConnection: () => void) => void;

/** Options of a spawn request. */
export interface SpawnRequestOptions {
  /** Link the new process to the requester. */
  link?: boolean;
  /** Monitor the new process; the DOWN message carries the request id as its reference. */
  monitor?: boolean;
  /** The group leader of the new process. Default: the node's. */
  groupLeader?: Pid;
  /** More spawn options, passed as they are (`{priority, high}`, ...). */
  extra?: Term[];
}

interface Pending {
  proc: ErlProcess;
  reqId: Reference;
  node: string;
}

/** The spawn requests of this node's processes that still wait for their SPAWN_REPLY. */
export class RemoteSpawns {
  private readonly pending = new RefMap<Pending>();

  constructor(
    private readonly table: ProcessTable,
    private readonly send: ControlSender,
    private readonly remote: RemoteSignals,
    private readonly defaultGroupLeader: () => Pid,
  ) {}

  /**
   * `spawn_request(Node, M, F, Args, Opts)` from `proc`; the answer arrives in its mailbox (an
   * unreachable node answers `{spawn_reply, ReqId, error, noconnection}`).
   */
  request(
    proc: ErlProcess,
    node: string,
    mfa: { module: string; function: string; args: Term[] },
    options: SpawnRequestOptions = {},
  ): Reference {
    const reqId = this.table.makeRef();
    const opts: Term[] = [...(options.link ? [LINK] : []), ...(options.monitor ? [MONITOR] : []), ...(options.extra ?? [])];
    const gl = options.groupLeader ?? this.defaultGroupLeader();
    const control = tuple(ControlOp.SpawnRequest, reqId, proc.pid, gl, tuple(atom(mfa.module), atom(mfa.function), mfa.args.length), opts);
    this.pending.set(reqId, { proc, reqId, node });
    this.send(node, control, mfa.args, () => this.failed(reqId, NOCONNECTION));
    return reqId;
  }

  /**
   * A SPAWN_REPLY: `{spawn_reply, ReqId, ok | error, PidOrReason}` to the requester. When the
   * requester is gone the new process is abandoned: its monitor is taken back and its link broken
   * with `abandoned`.
   */
  reply(reqId: Reference, to: Pid, flags: number, result: Term): void {
    // Only the answer to a request of ours, for the process that made it, naming a process of the
    // node asked: anything else would link or monitor a local process at a peer's word. BEAM
    // drops it too (the request id is the monitor it looks the reply up by).
    const asked = this.pending.get(reqId);
    if (!asked || !samePid(asked.proc.pid, to) || (result instanceof Pid && result.node.name !== asked.node)) return;
    this.pending.delete(reqId);
    const proc = this.table.get(to);
    if (!(result instanceof Pid)) {
      proc?.deliver(tuple(SPAWN_REPLY, reqId, ERROR, result));
      return;
    }
    if (!proc || !proc.alive) {
      if (flags & SpawnReplyFlag.Monitor) this.remote.demonitor(to, result, result.node.name, reqId);
      if (flags & SpawnReplyFlag.Link) this.remote.exit(to, result, ABANDONED, false);
      return;
    }
    if (flags & SpawnReplyFlag.Link) this.table.linkSpawned(proc, result);
    if (flags & SpawnReplyFlag.Monitor) proc.holdMonitor(reqId, result);
    proc.deliver(tuple(SPAWN_REPLY, reqId, OK, result));
  }

  /** The connection to `node` is gone: its requests can no longer be answered. */
  nodeDown(node: string): void {
    for (const [reqId, p] of this.pending.entries()) if (p.node === node) this.failed(reqId, NOCONNECTION);
  }

  private failed(reqId: Reference, reason: Term): void {
    const p = this.pending.take(reqId);
    if (!p) return;
    p.proc.deliver(tuple(SPAWN_REPLY, p.reqId, ERROR, reason));
  }
}

/** `{spawn_reply, ReqId, ok | error, X}` for the request `reqId`: [ok, X], else undefined. */
export function spawnReplyOf(m: Term, reqId: Reference): [boolean, Term] | undefined {
  if (
    m instanceof Tuple &&
    m.length === 4 &&
    m.get(0) === SPAWN_REPLY &&
    m.get(1) instanceof Reference &&
    sameRef(m.get(1) as Reference, reqId)
  ) {
    return [m.get(2) === OK, m.get(3)];
  }
  return undefined;
}

/**
 * `spawn(Node, M, F, A)` made by `proc`, waiting for the reply: resolves with the pid and the
 * request id (the monitor's reference when `keepMonitor`). Rejects with {@link SpawnError},
 * `ErlTimeoutError` or `signal.reason`; a reply that still comes after that is undone.
 */
export async function spawnAndWait(
  spawns: RemoteSpawns,
  proc: ErlProcess,
  request: { node: string; module: string; function: string; args: Term[]; link: boolean; keepMonitor: boolean },
  options: WaitOptions,
): Promise<{ pid: Pid; ref: Reference }> {
  const deadline = new Deadline('spawn', options);
  // A monitor while waiting, so a node lost before the reply ends the wait (noconnection).
  const reqId = spawns.request(proc, request.node, request, { link: request.link, monitor: true });
  let answer: { reply: [boolean, Term] } | { down: Term };
  try {
    answer = await deadline.receive(proc, (m): { reply: [boolean, Term] } | { down: Term } | undefined => {
      const reply = spawnReplyOf(m, reqId);
      if (reply) return { reply };
      const down = downReasonOf(m, reqId);
      return down === undefined ? undefined : { down };
    });
  } catch (err) {
    abandon(proc, reqId, request.link);
    throw err;
  }
  if ('down' in answer) throw new SpawnError(answer.down);
  const [ok, result] = answer.reply;
  if (!ok) throw new SpawnError(result);
  if (!request.keepMonitor) {
    proc.demonitor(reqId);
    // A DOWN that came in before the demonitor is not the caller's business.
    proc.receive((m) => downReasonOf(m, reqId), { timeout: 0 }).catch(() => undefined);
  }
  return { pid: result as Pid, ref: reqId };
}

/**
 * A spawn request we stopped waiting for: when the reply still comes, undo it as BEAM's
 * spawn_request_abandon does (unlink and exit `abandoned`, demonitor). A process that exits
 * first needs none of this: its end breaks the link and drops the monitor.
 */
function abandon(proc: ErlProcess, reqId: Reference, linked: boolean): void {
  proc
    .receive(
      (m): [boolean, Term] | undefined =>
        spawnReplyOf(m, reqId) ?? (downReasonOf(m, reqId) !== undefined ? [false, NOCONNECTION] : undefined),
    )
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
