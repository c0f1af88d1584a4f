/**
 * Who watches a scope (OTP 25.1+ `monitor_scope`) or one group (`monitor(Group)`): each
 * subscription is the monitor the scope holds on its subscriber, and its reference is the one the
 * `{Ref, join | leave, Group, Pids}` notifications carry.
 */
import { Pid, Reference, Term, TermMap } from '../../codec';
import { refKey } from '../process/process';

/** One subscriber: where notifications go, and the reference they carry. */
export interface Subscriber {
  ref: Reference;
  pid: Pid;
}

export class Subscriptions {
  private readonly scope = new Map<string, Subscriber>();
  private readonly group = new Map<string, Subscriber & { group: Term }>();
  private readonly byGroup = new TermMap<Map<string, Subscriber>>();

  /** A subscriber to every group's changes. */
  addScope(sub: Subscriber): void {
    this.scope.set(refKey(sub.ref), sub);
  }

  /** A subscriber to one group's changes. */
  addGroup(sub: Subscriber, group: Term): void {
    const key = refKey(sub.ref);
    this.group.set(key, { ...sub, group });
    const watchers = this.byGroup.get(group) ?? new Map<string, Subscriber>();
    watchers.set(key, sub);
    this.byGroup.set(group, watchers);
  }

  /** Drop the subscription with this reference; false when there is none. */
  remove(ref: Reference): boolean {
    const key = refKey(ref);
    if (this.scope.delete(key)) return true;
    const sub = this.group.get(key);
    if (sub === undefined) return false;
    this.group.delete(key);
    const watchers = this.byGroup.get(sub.group);
    watchers?.delete(key);
    if (watchers?.size === 0) this.byGroup.delete(sub.group);
    return true;
  }

  /** Whom a change of `group` is told to: the scope's subscribers, then the group's. */
  watchers(group: Term): Subscriber[] {
    const forGroup = this.byGroup.get(group);
    return forGroup === undefined ? [...this.scope.values()] : [...this.scope.values(), ...forGroup.values()];
  }

  /** The number of subscriptions. */
  get size(): number {
    return this.scope.size + this.group.size;
  }
}
