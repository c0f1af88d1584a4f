/**
 * The context of one served `erpc:execute_call` (what `rpc:call` and `erpc:call` from another
 * node spawn here): it has a pid from the start, for the SPAWN_REPLY and the DOWN, but a process
 * only once the function asks for `this.self` or returns a promise. A function that returns at
 * once without looking at its process cannot tell the difference: the reply and the DOWN go out
 * back to back in the turn the request came in, so no signal to the pid can arrive in between,
 * and one arriving later finds no process, as it would find the process gone.
 */
import { Pid, Reference, Term } from '../../codec';
import type { ErlProcess } from '../process/process';
import type { ProcessTable } from '../process/table';
import type { CallContext } from './call-context';

export class ErpcCallContext implements CallContext {
  readonly pid: Pid;
  private proc: ErlProcess | undefined;
  private endedWith: Term | undefined;

  constructor(
    private readonly table: ProcessTable,
    /** The caller's process, which monitors this call when `reqId` is set. */
    private readonly from: Pid,
    /** The monitor's reference (the spawn request's id), or undefined when the caller does not monitor. */
    private readonly reqId: Reference | undefined,
    readonly groupLeader: Pid,
  ) {
    this.pid = table.reservePid();
  }

  /** The process of the call, made on first use, monitored as the caller asked. */
  get self(): ErlProcess {
    if (this.proc === undefined) {
      const proc = this.table.create(this.pid);
      proc.groupLeader = this.groupLeader;
      this.proc = proc;
      // Asked for after the call ended (kept by a callback, say): it is the ended process.
      if (this.endedWith !== undefined) proc.exit(this.endedWith);
      else if (this.reqId !== undefined) this.table.remoteMonitor(this.from, this.pid, this.reqId);
    }
    return this.proc;
  }

  /** The call ended with `reason`: its process exits, or the caller gets the DOWN a process would have given. */
  end(reason: Term): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = reason;
    if (this.proc !== undefined) this.proc.exit(reason);
    else if (this.reqId !== undefined) this.table.remoteMonitorExit(this.pid, this.from, this.reqId, reason);
  }
}
