/**
 * The processes of this node: pids, registered names and aliases, and the routing of messages,
 * links, monitors and exit signals between them and to other nodes.
 */
import { Atom, atom, Pid, Reference, Term, tuple } from '../../codec';
import { ErlangError, ErlangExit } from './exceptions';
import { Destination, ErlProcess, globalNameTerm, isGlobalDestination, pidKey, ProcessRouter } from './process';
import { RefMap } from './ref-map';
import { MailboxWatch } from './mailbox-limits';
import { BADARG, NOCONNECTION, NOPROC } from './atoms';

/** What the table needs from the node to reach processes elsewhere. */
export interface RemoteSignals {
  send(from: Pid, to: Pid, message: Term): void;
  sendNamed(from: Pid, name: Atom, node: string, message: Term): void;
  sendAlias(from: Pid, alias: Reference, message: Term): void;
  /** `onNoConnection` runs when the node cannot be reached (BEAM then signals noconnection). */
  link(from: Pid, to: Pid, onNoConnection: () => void): void;
  unlink(from: Pid, to: Pid): void;
  exit(from: Pid, to: Pid, reason: Term, viaExit2: boolean): void;
  monitor(watcher: Pid, target: Pid | Atom, node: string, ref: Reference, onNoConnection: () => void): void;
  demonitor(watcher: Pid, target: Pid | Atom, node: string, ref: Reference): void;
  monitorExit(target: Pid | Atom, watcher: Pid, ref: Reference, reason: Term): void;
}

/** Built-in servers of the node that answer sends to a local name no process has; true when one did. */
export type BuiltinSend = (name: Atom, message: Term, from: Pid) => boolean;

/** The number a local pid was made from (its id and serial), its key in the table. */
function numberOf(pid: Pid): number {
  return pid.serial * 0x80000000 + pid.id;
}

export class ProcessTable implements ProcessRouter {
  /** By the number of the pid (its id and serial): local pids differ only there. */
  private readonly processes = new Map<number, ErlProcess>();
  private readonly names = new Map<Atom, ErlProcess>();
  private readonly aliases = new RefMap<ErlProcess>();
  private nextPid = 1;
  private nextRef = 1;

  constructor(
    readonly nodeName: Atom,
    readonly creation: number,
    private readonly remote: RemoteSignals,
    private readonly builtin: BuiltinSend = () => false,
  ) {}

  /** A new pid of this node, no process's yet: {@link create} makes one with it. */
  reservePid(): Pid {
    const n = this.nextPid++;
    return new Pid(this.nodeName, n % 0x80000000, Math.floor(n / 0x80000000), this.creation);
  }

  /** The mailbox limits every new process starts with (the node sets them; a spawn may set others). */
  mailboxWatch: MailboxWatch | undefined;

  /** A new process (not yet running anything), with a new pid or one {@link reservePid} gave. */
  create(pid: Pid = this.reservePid()): ErlProcess {
    const proc = new ErlProcess(pid, this);
    proc.mailboxWatch = this.mailboxWatch;
    this.processes.set(numberOf(pid), proc);
    return proc;
  }

  /** A new reference of this node. */
  makeRef(): Reference {
    const n = this.nextRef++;
    return new Reference(this.nodeName, this.creation, [n % 0x40000, Math.floor(n / 0x40000) >>> 0, (Math.random() * 0x100000000) >>> 0]);
  }

  isLocal(pid: Pid): boolean {
    return pid.node === this.nodeName;
  }

  /** The live local process with this pid (another creation is another incarnation: none). */
  get(pid: Pid): ErlProcess | undefined {
    if (pid.node !== this.nodeName || pid.creation !== this.creation) return undefined;
    return this.processes.get(numberOf(pid));
  }

  whereis(name: Atom): ErlProcess | undefined {
    return this.names.get(name);
  }

  /** `register(Name, Pid)`; false when the name is taken or the process already has one. */
  register(name: Atom, proc: ErlProcess): boolean {
    if (this.names.has(name) || proc.registeredName !== undefined || !proc.alive) return false;
    this.names.set(name, proc);
    proc.registeredName = name;
    return true;
  }

  unregister(name: Atom): void {
    const proc = this.names.get(name);
    if (proc) proc.registeredName = undefined;
    this.names.delete(name);
  }

  registered(): Atom[] {
    return [...this.names.keys()];
  }

  addAlias(ref: Reference, proc: ErlProcess): void {
    this.aliases.set(ref, proc);
  }

  removeAlias(ref: Reference): void {
    this.aliases.delete(ref);
  }

  /** Deliver to a local alias; false when there is none. */
  deliverToAlias(alias: Reference, message: Term): boolean {
    const proc = this.aliases.get(alias);
    if (!proc) return false;
    proc.deliver(message);
    return true;
  }

  /** Global names, once the node runs global (`global:whereis_name/1`). */
  globalNames: ((name: Term) => Pid | undefined) | undefined;

  whereisGlobal(name: Term): Pid | undefined {
    return this.globalNames?.(name);
  }

  send(from: Pid, to: Destination, message: Term): void {
    if (isGlobalDestination(to)) {
      // global:send/2: badarg with the name and the message when nobody has the name.
      const name = globalNameTerm(to);
      const pid = this.whereisGlobal(name);
      if (pid === undefined) throw new ErlangExit(tuple(BADARG, tuple(name, message)));
      return this.send(from, pid, message);
    }
    if (to instanceof Pid) {
      if (this.isLocal(to)) this.get(to)?.deliver(message);
      else this.remote.send(from, to, message);
      return;
    }
    if (to instanceof Reference) {
      if (to.node === this.nodeName) this.deliverToAlias(to, message);
      else this.remote.sendAlias(from, to, message);
      return;
    }
    if (typeof to === 'string' || to instanceof Atom) {
      const name = typeof to === 'string' ? atom(to) : to;
      const proc = this.names.get(name);
      if (proc) proc.deliver(message);
      // Sending to a local name that is not registered is badarg in Erlang.
      else if (!this.builtin(name, message, from)) throw new ErlangError(BADARG);
      return;
    }
    const [n, nodeName] = to;
    const name = typeof n === 'string' ? atom(n) : n;
    const node = typeof nodeName === 'string' ? nodeName : nodeName.name;
    if (node !== this.nodeName.name) this.remote.sendNamed(from, name, node, message);
    else if (!this.builtin(name, message, from)) this.names.get(name)?.deliver(message);
  }

  link(proc: ErlProcess, other: Pid): void {
    if (!proc.alive || other === proc.pid) return;
    const key = pidKey(other);
    if (proc.links.has(key)) return;
    if (this.isLocal(other)) {
      const target = this.get(other);
      if (!target || !target.alive) {
        proc.exitSignal(other, NOPROC, false);
        return;
      }
      proc.links.set(key, other);
      target.links.set(pidKey(proc.pid), proc.pid);
      return;
    }
    proc.links.set(key, other);
    this.remote.link(proc.pid, other, () => this.linkedExit(other, proc.pid, NOCONNECTION));
  }

  unlink(proc: ErlProcess, other: Pid): void {
    if (!proc.links.delete(pidKey(other))) return;
    if (this.isLocal(other)) this.get(other)?.links.delete(pidKey(proc.pid));
    else this.remote.unlink(proc.pid, other);
  }

  /** A link from a remote pid to a local one (LINK); noproc when the local one is gone. */
  remoteLinked(from: Pid, to: Pid): void {
    const target = this.get(to);
    if (!target || !target.alive) {
      this.remote.exit(to, from, NOPROC, false);
      return;
    }
    target.links.set(pidKey(from), from);
  }

  /** A process this one spawned elsewhere with `link` (SPAWN_REPLY): the link is already set up there. */
  linkSpawned(proc: ErlProcess, spawned: Pid): void {
    proc.links.set(pidKey(spawned), spawned);
  }

  /** The remote side removed a link (UNLINK_ID). */
  remoteUnlinked(from: Pid, to: Pid): void {
    this.get(to)?.links.delete(pidKey(from));
  }

  /** A linked process ended: the link goes, and `to` gets the exit signal. */
  linkedExit(from: Pid, to: Pid, reason: Term): void {
    const target = this.get(to);
    if (!target || !target.links.delete(pidKey(from))) return;
    target.exitSignal(from, reason, false);
  }

  /** `exit(To, Reason)` from `from`. */
  exitSignal(from: Pid, to: Pid, reason: Term, linkBroken: boolean): void {
    if (this.isLocal(to)) {
      if (linkBroken) this.linkedExit(from, to, reason);
      else this.get(to)?.exitSignal(from, reason, true);
    } else {
      this.remote.exit(from, to, reason, !linkBroken);
    }
  }

  monitor(proc: ErlProcess, target: Pid | string | Atom | readonly [string | Atom, string | Atom], ref: Reference): void {
    let name: Atom | undefined;
    let node: string;
    let pid: Pid | undefined;
    if (target instanceof Pid) {
      pid = target;
      node = target.node.name;
    } else if (typeof target === 'string' || target instanceof Atom) {
      name = typeof target === 'string' ? atom(target) : target;
      node = this.nodeName.name;
    } else {
      name = typeof target[0] === 'string' ? atom(target[0]) : target[0];
      node = typeof target[1] === 'string' ? target[1] : target[1].name;
    }
    const what = (pid ?? name) as Pid | Atom;
    proc.holdMonitor(ref, what, name ? node : undefined);
    if (node !== this.nodeName.name) {
      this.remote.monitor(proc.pid, what, node, ref, () => proc.down(ref, NOCONNECTION));
      return;
    }
    const watched = pid ? this.get(pid) : this.names.get(name as Atom);
    if (!watched || !watched.alive) {
      proc.down(ref, NOPROC);
      return;
    }
    watched.monitoredBy.set(ref, { watcher: proc.pid, ref, as: what });
  }

  demonitor(proc: ErlProcess, ref: Reference): void {
    const held = proc.releaseMonitor(ref);
    if (!held) return;
    if (held.node !== undefined && held.node !== this.nodeName.name) {
      this.remote.demonitor(proc.pid, held.target, held.node, ref);
    } else if (held.target instanceof Pid && !this.isLocal(held.target)) {
      this.remote.demonitor(proc.pid, held.target, held.target.node.name, ref);
    } else {
      const watched = held.target instanceof Pid ? this.get(held.target) : this.names.get(held.target);
      watched?.monitoredBy.delete(ref);
    }
  }

  /** MONITOR_P from a remote watcher on a local pid or name; noproc when there is none. */
  remoteMonitor(watcher: Pid, target: Pid | Atom, ref: Reference): void {
    const watched = target instanceof Pid ? this.get(target) : this.names.get(target);
    if (!watched || !watched.alive) {
      this.remote.monitorExit(target, watcher, ref, NOPROC);
      return;
    }
    watched.monitoredBy.set(ref, { watcher, ref, as: target });
  }

  /** DEMONITOR_P from a remote watcher. */
  remoteDemonitor(target: Pid | Atom, ref: Reference): void {
    const watched = target instanceof Pid ? this.get(target) : this.names.get(target);
    watched?.monitoredBy.delete(ref);
  }

  /**
   * The DOWN of a remote monitor on `target`, a pid of this node that ended (or never had a
   * process: a served call that needed none) with `reason`.
   */
  remoteMonitorExit(target: Pid, watcher: Pid, ref: Reference, reason: Term): void {
    this.remote.monitorExit(target, watcher, ref, reason);
  }

  /** MONITOR_P_EXIT: a remote process a local one monitors has ended. */
  remoteDown(watcher: Pid, ref: Reference, reason: Term): void {
    this.get(watcher)?.down(ref, reason);
  }

  /** A process ended: tell links and monitors, drop its names, aliases and remote monitors. */
  exited(proc: ErlProcess, reason: Term): void {
    this.processes.delete(numberOf(proc.pid));
    if (proc.registeredName) this.unregister(proc.registeredName);
    if (proc.hasAliases) for (const alias of proc.aliases.values()) this.aliases.delete(alias);
    for (const held of proc.heldMonitors()) this.demonitor(proc, held.ref);
    if (proc.linked) {
      for (const other of proc.links.values()) this.exitSignal(proc.pid, other, reason, true);
      proc.links.clear();
    }
    if (proc.monitored) {
      for (const { watcher, ref, as } of proc.monitoredBy.values()) {
        if (this.isLocal(watcher)) this.get(watcher)?.down(ref, reason);
        else this.remote.monitorExit(as, watcher, ref, reason);
      }
      proc.monitoredBy.clear();
    }
  }

  /** The connection to `node` is gone: links to it break, monitors on it fire, with noconnection. */
  nodeDown(node: string): void {
    for (const proc of [...this.processes.values()]) {
      if (proc.linked) {
        for (const [key, other] of [...proc.links]) {
          if (other.node.name === node && proc.links.delete(key)) proc.exitSignal(other, NOCONNECTION, false);
        }
      }
      for (const held of proc.heldMonitors()) {
        const on = held.target instanceof Pid ? held.target.node.name : held.node;
        if (on === node) proc.down(held.ref, NOCONNECTION);
      }
      if (proc.monitored) for (const [ref, m] of proc.monitoredBy.entries()) if (m.watcher.node.name === node) proc.monitoredBy.delete(ref);
    }
  }

  /** The number of live processes. */
  get size(): number {
    return this.processes.size;
  }
}
