/**
 * global's lock table (`global_locks`): a resource is held by one lock requester, shared by any
 * number of pids (each monitored, so that a holder's death, or its node's, releases its share).
 * The rules are can_set_lock/handle_set_lock/handle_del_lock's: no row grants; a row of the same
 * requester grants and adds the pid; another requester's row refuses.
 */
import { equals, Pid, Reference, Term, TermMap, Tuple } from '../../codec';
import { pidKey, refKey } from '../process/process';
import { GLOBAL } from './atoms';

interface Holder {
  pid: Pid;
  ref: Reference;
}

interface LockRow {
  requester: Term;
  holders: Holder[];
}

/** A lock id `{ResourceId, LockRequesterId}`, split. */
export interface LockId {
  resource: Term;
  requester: Term;
}

/** `{ResourceId, LockRequesterId}` as a LockId; undefined for any other term. */
export function lockIdOf(term: Term): LockId | undefined {
  return term instanceof Tuple && term.length === 2 ? { resource: term.get(0), requester: term.get(1) } : undefined;
}

/** What the table needs of the process that owns it: monitors on holders. */
export interface Monitoring {
  monitor(pid: Pid): Reference;
  demonitor(ref: Reference): void;
}

export class LockTable {
  private readonly rows = new TermMap<LockRow>();
  /** Monitor ref key -> the resources whose holder it watches. */
  private readonly byRef = new Map<string, Term[]>();
  /** True when global's own lock was last removed by a holder's death (`global_lock_down`). */
  globalLockDown = false;

  constructor(private readonly monitoring: Monitoring) {}

  /** `can_set_lock/1`: the holders a grant would join, or false when another requester has it. */
  canSetLock(id: LockId): Holder[] | false {
    const row = this.rows.get(id.resource);
    if (row === undefined) return [];
    return equals(row.requester, id.requester) ? row.holders : false;
  }

  isLockSet(resource: Term): boolean {
    return this.rows.has(resource);
  }

  isGlobalLockSet(): boolean {
    return this.rows.has(GLOBAL);
  }

  /** The requester holding global's own lock, if any (for lock_still_set). */
  globalLock(): { requester: Term; holders: Holder[] } | undefined {
    return this.rows.get(GLOBAL);
  }

  /** `{set_lock, Id}` from `pid`: true when granted (again, for a holder). */
  setLock(id: LockId, pid: Pid): boolean {
    const holders = this.canSetLock(id);
    if (holders === false) return false;
    if (holders.some((h) => pidEquals(h.pid, pid))) return true;
    const ref = this.monitoring.monitor(pid);
    this.rows.set(id.resource, { requester: id.requester, holders: [{ pid, ref }, ...holders] });
    const key = refKey(ref);
    this.byRef.set(key, [...(this.byRef.get(key) ?? []), id.resource]);
    return true;
  }

  /** `{del_lock, Id}` from `pid`: its share goes (the row with it when it was the last). */
  delLock(id: LockId, pid: Pid): void {
    const row = this.rows.get(id.resource);
    if (row === undefined || !equals(row.requester, id.requester)) return;
    const holder = row.holders.find((h) => pidEquals(h.pid, pid));
    if (holder === undefined) return;
    this.monitoring.demonitor(holder.ref);
    this.removeHolder(id.resource, row, holder, false);
  }

  /** A monitored holder died (or its node went): every share it had goes. */
  down(ref: Reference): void {
    const key = refKey(ref);
    const resources = this.byRef.get(key);
    if (resources === undefined) return;
    for (const resource of resources) {
      const row = this.rows.get(resource);
      const holder = row?.holders.find((h) => refKey(h.ref) === key);
      if (row && holder) this.removeHolder(resource, row, holder, true);
    }
  }

  private removeHolder(resource: Term, row: LockRow, holder: Holder, byDown: boolean): void {
    const key = refKey(holder.ref);
    const left = (this.byRef.get(key) ?? []).filter((r) => !equals(r, resource));
    if (left.length === 0) this.byRef.delete(key);
    else this.byRef.set(key, left);
    row.holders = row.holders.filter((h) => h !== holder);
    if (row.holders.length > 0) return;
    this.rows.delete(resource);
    if (equals(resource, GLOBAL)) this.globalLockDown = byDown;
  }
}

function pidEquals(a: Pid, b: Pid): boolean {
  return pidKey(a) === pidKey(b);
}
