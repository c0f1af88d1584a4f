/**
 * global's name table (`global_names`, `global_names_ext` and `global_pid_names`): each name has
 * one pid, the method that resolves a clash over it, and a monitor, so that the name goes when
 * the process dies or its node goes down.
 */
import { Atom, equals, Pid, Reference, Term, TermMap, tuple } from '../../codec';
import { pidKey, refKey } from '../process/process';
import type { Monitoring } from './locks';

export interface NameEntry {
  pid: Pid;
  /** The resolve method as it arrived (a fun, kept whole so it goes out bit for bit). */
  method: Term;
  ref: Reference;
}

export class NameTable {
  private readonly names = new TermMap<NameEntry>();
  /** Names registered by external (C) nodes through an Erlang node: name -> that node. */
  private readonly external = new TermMap<{ pid: Pid; regNode: Atom }>();
  private readonly byPid = new Map<string, Term[]>();
  private readonly byRef = new Map<string, Term>();

  constructor(private readonly monitoring: Monitoring) {}

  get(name: Term): NameEntry | undefined {
    return this.names.get(name);
  }

  /** True when `pid` has a name (global refuses a second one: check_dupname). */
  hasNames(pid: Pid): boolean {
    return this.byPid.has(pidKey(pid));
  }

  namesOf(pid: Pid): Term[] {
    return this.byPid.get(pidKey(pid)) ?? [];
  }

  /** `ins_name`: `name` is `pid`'s now, replacing any earlier holder. */
  insert(name: Term, pid: Pid, method: Term): void {
    this.delete(name);
    const ref = this.monitoring.monitor(pid);
    this.names.set(name, { pid, method, ref });
    const key = pidKey(pid);
    this.byPid.set(key, [...(this.byPid.get(key) ?? []), name]);
    this.byRef.set(refKey(ref), name);
  }

  /** `ins_name_ext`: as insert, and remembered as registered by `regNode` on behalf of a C node. */
  insertExternal(name: Term, pid: Pid, method: Term, regNode: Atom): void {
    this.insert(name, pid, method);
    this.external.set(name, { pid, regNode });
  }

  /** `delete_global_name2`: the name goes, with its monitor. */
  delete(name: Term): boolean {
    const entry = this.names.get(name);
    if (entry === undefined) return false;
    this.names.delete(name);
    this.external.delete(name);
    this.monitoring.demonitor(entry.ref);
    this.byRef.delete(refKey(entry.ref));
    const key = pidKey(entry.pid);
    const left = (this.byPid.get(key) ?? []).filter((n) => !equals(n, name));
    if (left.length === 0) this.byPid.delete(key);
    else this.byPid.set(key, left);
    return true;
  }

  /** A monitored process died: its name goes (`del_name`). */
  down(ref: Reference): void {
    const name = this.byRef.get(refKey(ref));
    if (name !== undefined) this.delete(name);
  }

  /** Every name, as exchange sends them: `[{Name, Pid, Method}]`. */
  list(): Term[] {
    return [...this.names.entries()].map(([name, e]) => tuple(name, e.pid, e.method));
  }

  /** `get_names_ext()`: `[{Name, Pid, RegNode}]`. */
  externalList(): Term[] {
    return [...this.external.entries()].map(([name, e]) => tuple(name, e.pid, e.regNode));
  }

  registered(): Term[] {
    return this.names.keys();
  }
}
