/**
 * `erpc:call` from this node to others, without a process per call: every call is a spawn
 * request of one requester process of the node, and its answer (SPAWN_REPLY, then the DOWN of
 * the monitor) is routed here by the request id before any process would see it. A pending call
 * is an entry in a table keyed by that reference; nothing else is made per call but the promise.
 *
 * What the caller gets is what a process of its own would get (the erpc outcome, `noconnection`
 * when the node goes or cannot be reached, `ErlTimeoutError`, `signal.reason`), and a call given
 * up on is undone as a process's end would undo it: its monitor is taken back.
 */
import { Atom, atom, Pid, Reference, Term, tuple } from '../../codec';
import { ControlOp, SpawnReplyFlag } from '../dist/control';
import { ErlTimeoutError, WaitOptions } from '../process/deadline';
import { ErlProcess } from '../process/process';
import { RefMap } from '../process/ref-map';
import { ProcessTable, RemoteSignals } from '../process/table';
import { executeCallResult } from './erpc';
import { ErpcError } from './errors';
import { ERPC, MONITOR, NOCONNECTION } from '../process/atoms';

const EXECUTE_CALL_4 = tuple(ERPC, atom('execute_call'), 4);
const MONITOR_ONLY: Term[] = [MONITOR];

/** A connection a control message can go on now, in order with everything sent before it. */
export interface ReadyConnection {
  readonly isClosed: boolean;
  send(control: Term, payload?: Term): unknown;
}

/** How calls reach other nodes: the connection when it is ready, else a send that connects first. */
export interface CallSender {
  ready(node: string): ReadyConnection | undefined;
  send(node: string, control: Term, payload: Term, onNoConnection: () => void): void;
}

class PendingCall {
  /** The process the call runs in, once SPAWN_REPLY said. */
  spawned: Pid | undefined;
  /** Answered or given up: a late reply is only undone. */
  settled = false;
  timer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
  resolve!: (value: Term) => void;
  reject!: (err: unknown) => void;

  constructor(
    readonly node: string,
    readonly reqId: Reference,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/** The call {@link capture} fills in: one promise executor for every call, not a closure each. */
let capturing: PendingCall | undefined;

function capture(resolve: (value: Term) => void, reject: (err: unknown) => void): void {
  const call = capturing as PendingCall;
  call.resolve = resolve;
  call.reject = reject;
}

function isDistClosed(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'closed';
}

export class ErpcCalls {
  private readonly calls = new RefMap<PendingCall>();
  /** The process every call is requested by: it gets their DOWN messages, which stop here. */
  private readonly requester: ErlProcess;

  constructor(
    private readonly table: ProcessTable,
    private readonly sender: CallSender,
    private readonly remote: RemoteSignals,
  ) {
    this.requester = table.create();
  }

  /**
   * `erpc:call(Node, M, F, Args)` with `groupLeader`: resolves with the value; rejects with the
   * remote exception, {@link ErpcError}, `ErlTimeoutError` or `signal.reason`.
   */
  call(node: string, module: Atom, fn: Atom, args: Term[], groupLeader: Pid, options: WaitOptions): Promise<Term> {
    const { timeout, signal } = options;
    if (timeout !== undefined && !(timeout >= 0)) {
      return Promise.reject(new RangeError(`rpc: timeout must be a non-negative number of ms, got ${timeout}`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    const reqId = this.table.makeRef();
    const call = new PendingCall(node, reqId, signal);
    capturing = call;
    const answer = new Promise<Term>(capture);
    capturing = undefined;
    this.calls.set(reqId, call);
    if (timeout !== undefined && timeout !== 0 && timeout !== Infinity) {
      call.timer = setTimeout(() => this.giveUp(call, new ErlTimeoutError('rpc', timeout)), timeout);
    }
    if (signal !== undefined) {
      call.onAbort = () => this.giveUp(call, signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', call.onAbort, { once: true });
    }
    // erpc's own request: execute_call(Ref, M, F, A), monitored; the request id serves as Ref.
    const control = tuple(ControlOp.SpawnRequest, reqId, this.requester.pid, groupLeader, EXECUTE_CALL_4, MONITOR_ONLY);
    const payload = [reqId, module, fn, args];
    const conn = this.sender.ready(node);
    if (conn === undefined || conn.isClosed) {
      this.sender.send(node, control, payload, () => this.failed(reqId, NOCONNECTION));
    } else {
      try {
        conn.send(control, payload);
      } catch (err) {
        if (isDistClosed(err)) {
          this.failed(reqId, NOCONNECTION);
        } else {
          // Overloaded, say: the call fails with it, as a send in the caller's process would have.
          this.calls.delete(reqId);
          this.settle(call);
          call.reject(err);
        }
      }
    }
    // `after 0`: only an answer already there would do, and none can be.
    if (timeout === 0) this.giveUp(call, new ErlTimeoutError('rpc', 0));
    return answer;
  }

  /** A SPAWN_REPLY: true when it answers one of these calls (then nobody else gets it). */
  spawnReply(reqId: Reference, flags: number, result: Term): boolean {
    const call = this.calls.get(reqId);
    if (call === undefined) return false;
    if (!(result instanceof Pid)) {
      this.calls.delete(reqId);
      this.settle(call);
      call.reject(new ErpcError(result));
    } else if (call.settled) {
      // Given up on before the reply: take the monitor back, as the end of a caller's process would.
      this.calls.delete(reqId);
      if (flags & SpawnReplyFlag.Monitor) this.remote.demonitor(this.requester.pid, result, result.node.name, reqId);
    } else {
      call.spawned = result;
    }
    return true;
  }

  /** A MONITOR_P_EXIT: true when it ends one of these calls. */
  down(watcher: Pid, reqId: Reference, reason: Term): boolean {
    if (this.table.get(watcher) !== this.requester) return false;
    const call = this.calls.take(reqId);
    if (call === undefined) return false;
    if (call.settled) return true;
    this.settle(call);
    const result = executeCallResult(reason, reqId);
    if ('value' in result) call.resolve(result.value);
    else call.reject(result.error);
    return true;
  }

  /** The connection to `node` is gone: its calls end with `noconnection`. */
  nodeDown(node: string): void {
    for (const [reqId, call] of this.calls.entries()) if (call.node === node) this.failed(reqId, NOCONNECTION);
  }

  private failed(reqId: Reference, why: Term): void {
    const call = this.calls.take(reqId);
    if (call === undefined || call.settled) return;
    this.settle(call);
    call.reject(new ErpcError(why));
  }

  /** Stop waiting: the timeout or the signal came first. */
  private giveUp(call: PendingCall, why: unknown): void {
    if (call.settled) return;
    this.settle(call);
    call.reject(why);
    if (call.spawned !== undefined) {
      this.calls.delete(call.reqId);
      this.remote.demonitor(this.requester.pid, call.spawned, call.node, call.reqId);
    }
    // Else the entry stays until the SPAWN_REPLY, which is then undone.
  }

  private settle(call: PendingCall): void {
    call.settled = true;
    if (call.timer !== undefined) clearTimeout(call.timer);
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
  }
}
