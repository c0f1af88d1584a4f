/**
 * The scope's view of its groups: for each group, every member (local and remote) and the local
 * ones. What pg keeps in the ETS table named after the scope; a group exists while it has a
 * member.
 */
import { Pid, Term, TermMap } from '../../codec';
import { subtract } from './pid-lists';

interface Entry {
  all: Pid[];
  local: Pid[];
}

export class Groups {
  private readonly entries = new TermMap<Entry>();

  /** Every member of `group` (newest first, as pg prepends). */
  members(group: Term): Pid[] {
    return [...(this.entries.get(group)?.all ?? [])];
  }

  /** The local members of `group`. */
  localMembers(group: Term): Pid[] {
    return [...(this.entries.get(group)?.local ?? [])];
  }

  /** The groups that have members. */
  groups(): Term[] {
    return this.entries.keys();
  }

  /** The groups that have local members. */
  localGroups(): Term[] {
    return [...this.entries.entries()].filter(([, e]) => e.local.length > 0).map(([g]) => g);
  }

  /** Every group with every member, for `monitor_scope`. */
  snapshot(): Array<[Term, Pid[]]> {
    return [...this.entries.entries()].map(([g, e]) => [g, [...e.all]]);
  }

  /** `pids` join `group`; local ones are also counted as local members. */
  add(group: Term, pids: readonly Pid[], local: boolean): void {
    if (pids.length === 0) return;
    const e = this.entries.get(group) ?? { all: [], local: [] };
    this.entries.set(group, { all: [...pids, ...e.all], local: local ? [...pids, ...e.local] : e.local });
  }

  /** One occurrence of each of `pids` leaves `group`; returns those that were members. */
  remove(group: Term, pids: readonly Pid[], local: boolean): Pid[] {
    const e = this.entries.get(group);
    if (!e) return [];
    const removed: Pid[] = [];
    const all = subtract(e.all, pids, removed);
    if (all.length === 0) this.entries.delete(group);
    else this.entries.set(group, { all, local: local ? subtract(e.local, pids) : e.local });
    return removed;
  }
}
