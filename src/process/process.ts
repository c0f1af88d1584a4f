/**
 * A TypeScript process: a pid of this node with a mailbox, links, monitors, aliases and exit
 * signals that follow Erlang's rules, whether the other party is local or on another node.
 */
import { Atom, atom, Pid, Reference, Term, tuple } from '../../codec';
import { Mailbox, Matcher, ReceiveOptions } from './mailbox';
import { mailboxLimitReason, MailboxWatch } from './mailbox-limits';
import { DOWN, EXIT_TAG, NORMAL, PROCESS } from './atoms';
import { receiveWhile } from './receive-while';
import { RefMap } from './ref-map';

const KILL = atom('kill');
const KILLED = atom('killed');

/** A name registered with `global`, as `{global, Name}` in gen_server (a string is an atom). */
export interface GlobalDestination {
  readonly global: Term | string;
}

/** Where a message can go: a pid, an alias, a local registered name, `[name, node]`, or `{ global: name }`. */
export type Destination = Pid | Reference | string | Atom | readonly [string | Atom, string | Atom] | GlobalDestination;

/** True for `{ global: name }`. */
export function isGlobalDestination(dest: Destination): dest is GlobalDestination {
  return (
    typeof dest === 'object' && !Array.isArray(dest) && !(dest instanceof Pid) && !(dest instanceof Reference) && !(dest instanceof Atom)
  );
}

/** The term of a global name: a string is the atom. */
export function globalNameTerm(dest: GlobalDestination): Term {
  return typeof dest.global === 'string' ? atom(dest.global) : dest.global;
}

/** A monitor this process holds: on what, so DOWN can name it. */
export interface HeldMonitor {
  target: Pid | Atom;
  /** The node of a remote target, else undefined. */
  node?: string;
}

/**
 * What a process asks of the table it lives in (the `ProcessTable`): the routing of its signals
 * to local and remote processes. An interface, so that the table can hold processes without the
 * two modules importing each other.
 */
export interface ProcessRouter {
  makeRef(): Reference;
  send(from: Pid, to: Destination, message: Term): void;
  /** The pid registered globally under `name` (`global:whereis_name/1`). */
  whereisGlobal(name: Term): Pid | undefined;
  link(proc: ErlProcess, other: Pid): void;
  unlink(proc: ErlProcess, other: Pid): void;
  monitor(proc: ErlProcess, target: Pid | string | Atom | readonly [string | Atom, string | Atom], ref: Reference): void;
  demonitor(proc: ErlProcess, ref: Reference): void;
  addAlias(ref: Reference, proc: ErlProcess): void;
  removeAlias(ref: Reference): void;
  exitSignal(from: Pid, to: Pid, reason: Term, linkBroken: boolean): void;
  exited(proc: ErlProcess, reason: Term): void;
}

/** A monitor another process holds on this one. */
export interface MonitoredBy {
  watcher: Pid;
  ref: Reference;
  /** What the watcher monitors: this pid or the name it is registered under. */
  as: Pid | Atom;
}

const NONE_HELD: ReadonlyArray<HeldMonitor & { ref: Reference }> = [];

export class ErlProcess {
  private readonly mailbox = new Mailbox();
  // Created on first use: most processes (one per rpc call) never link, get monitored or alias.
  private linkMap: Map<string, Pid> | undefined;
  private monitoredByMap: RefMap<MonitoredBy> | undefined;
  private monitorMap: RefMap<HeldMonitor & { ref: Reference }> | undefined;
  private aliasSet: RefMap<Reference> | undefined;
  /** Messages from exit signals instead of dying (`process_flag(trap_exit, true)`). */
  trapExit = false;
  /** The group leader: where I/O of this process goes. */
  groupLeader: Pid | undefined;
  private exitReason: Term | undefined;
  private exited: Promise<Term> | undefined;
  private resolveExited: ((reason: Term) => void) | undefined;
  /** The name this process is registered under, if any (the table sets it). */
  registeredName: Atom | undefined;
  /** The limits on its mailbox and what passing them does; none, no checks. @internal */
  mailboxWatch: MailboxWatch | undefined;
  private mailboxWarned = false;

  /** Processes are made by their node (`ErlNode.spawn`). @internal */
  constructor(
    readonly pid: Pid,
    private readonly table: ProcessRouter,
  ) {}

  /** Pids linked to this process (local or remote), by key. @internal */
  get links(): Map<string, Pid> {
    return (this.linkMap ??= new Map());
  }

  /** True when the process has links (without creating the map). @internal */
  get linked(): boolean {
    return this.linkMap !== undefined && this.linkMap.size > 0;
  }

  /** Monitors others hold on this process: monitor ref -> the watcher and the ref. @internal */
  get monitoredBy(): RefMap<MonitoredBy> {
    return (this.monitoredByMap ??= new RefMap());
  }

  /** True when someone monitors the process (without creating the map). @internal */
  get monitored(): boolean {
    return this.monitoredByMap !== undefined && this.monitoredByMap.size > 0;
  }

  /** Aliases that deliver here. @internal */
  get aliases(): RefMap<Reference> {
    return (this.aliasSet ??= new RefMap());
  }

  /** True when the process made aliases (without creating the set). @internal */
  get hasAliases(): boolean {
    return this.aliasSet !== undefined;
  }

  /** True until the process exits. */
  get alive(): boolean {
    return this.exitReason === undefined;
  }

  /** Resolves with the exit reason once the process has exited. */
  get done(): Promise<Term> {
    if (this.exited === undefined) {
      this.exited =
        this.exitReason !== undefined ? Promise.resolve(this.exitReason) : new Promise((resolve) => (this.resolveExited = resolve));
    }
    return this.exited;
  }

  /** Receive the first message `match` accepts (default: any), like Erlang's `receive`. */
  receive<T = Term>(match?: Matcher<T>, options?: ReceiveOptions): Promise<T> {
    return this.mailbox.receive(match, options);
  }

  /** Messages as they come, until the process exits. */
  [Symbol.asyncIterator](): AsyncGenerator<Term> {
    return receiveWhile(
      () => this.alive,
      () => this.mailbox.receive(),
    );
  }

  /** Put a message in this process's mailbox (what a send to it does). */
  deliver(message: Term): void {
    if (this.alive && this.mailbox.deliver(message) && this.mailboxWatch !== undefined) this.watchMailbox(this.mailboxWatch);
  }

  /** The mailbox grew: warn once at `warnLen`; past `maxLen`, report and kill (see `MailboxLimits`). */
  private watchMailbox(watch: MailboxWatch): void {
    const len = this.mailbox.size;
    if (len > watch.maxLen) {
      watch.overflow(this, len);
      this.exit(mailboxLimitReason(watch.maxLen));
    } else if (len >= watch.warnLen && !this.mailboxWarned) {
      this.mailboxWarned = true;
      watch.warn(this, len);
    }
  }

  /**
   * `Dest ! Msg`. As with `socket.write`, a Buffer in `message` must not be changed afterwards:
   * large ones are written to the peer from the Buffer itself, and a local receiver gets it as it is.
   */
  send(to: Destination, message: Term): void {
    this.table.send(this.pid, to, message);
  }

  /** `global:whereis_name(Name)` as this process's node knows it. */
  whereisGlobal(name: Term): Pid | undefined {
    return this.table.whereisGlobal(name);
  }

  /** `link(Pid)`. */
  link(other: Pid): void {
    this.table.link(this, other);
  }

  /** `unlink(Pid)`. */
  unlink(other: Pid): void {
    this.table.unlink(this, other);
  }

  /** `monitor(process, Target)`: a `{'DOWN', Ref, process, Target, Reason}` message comes when it ends. */
  monitor(target: Pid | string | Atom | readonly [string | Atom, string | Atom]): Reference {
    const ref = this.table.makeRef();
    this.table.monitor(this, target, ref);
    return ref;
  }

  /** `demonitor(Ref)`. */
  demonitor(ref: Reference): void {
    this.table.demonitor(this, ref);
  }

  /** Record a monitor this process holds (the table calls this). @internal */
  holdMonitor(ref: Reference, target: Pid | Atom, node?: string): void {
    (this.monitorMap ??= new RefMap()).set(ref, { ref, target, node });
  }

  /** Forget a monitor; returns what it watched, if it was held. @internal */
  releaseMonitor(ref: Reference): (HeldMonitor & { ref: Reference }) | undefined {
    return this.monitorMap?.take(ref);
  }

  /** Monitors held, for clean-up and node-down. @internal */
  heldMonitors(): ReadonlyArray<HeldMonitor & { ref: Reference }> {
    return this.monitorMap === undefined || this.monitorMap.size === 0 ? NONE_HELD : this.monitorMap.values();
  }

  /** Deliver the DOWN message of a monitor this process holds. @internal */
  down(ref: Reference, reason: Term): void {
    const held = this.releaseMonitor(ref);
    if (!held) return;
    const who = held.target instanceof Pid ? held.target : tuple(held.target, atom(held.node ?? this.pid.node.name));
    this.deliver(tuple(DOWN, ref, PROCESS, who, reason));
  }

  /** `erlang:alias()`: a reference that sends to this process. */
  alias(): Reference {
    const ref = this.table.makeRef();
    this.aliases.set(ref, ref);
    this.table.addAlias(ref, this);
    return ref;
  }

  /** `erlang:unalias(Alias)`: messages to it are dropped from now on; false when it was not ours. */
  unalias(ref: Reference): boolean {
    if (!this.hasAliases || !this.aliases.delete(ref)) return false;
    this.table.removeAlias(ref);
    return true;
  }

  /** `exit(Pid, Reason)` to another process. */
  exitOther(other: Pid, reason: Term): void {
    this.table.exitSignal(this.pid, other, reason, false);
  }

  /** End this process with `reason` (default `normal`). */
  exit(reason: Term = NORMAL): void {
    if (!this.alive) return;
    this.exitReason = reason;
    this.mailbox.close(reason);
    this.table.exited(this, reason);
    this.resolveExited?.(reason);
  }

  /**
   * An exit signal from `from`: trapped as a message, ignored when `normal`, fatal otherwise.
   * `untrappable` is exit/2 with `kill`.
   */
  exitSignal(from: Pid, reason: Term, viaExit2: boolean): void {
    if (!this.alive) return;
    if (viaExit2 && reason === KILL) return this.exit(KILLED);
    if (this.trapExit) return this.deliver(tuple(EXIT_TAG, from, reason));
    if (reason === NORMAL && !(viaExit2 && from === this.pid)) return;
    this.exit(reason);
  }
}

/** A map key for a reference. */
export function refKey(ref: Reference): string {
  let key = ref.node.name + '|' + ref.creation;
  for (let i = 0; i < ref.ids.length; i++) key += '|' + ref.ids[i];
  return key;
}

/** A map key for a pid. */
export function pidKey(pid: Pid): string {
  return `${pid.node.name}|${pid.creation}|${pid.id}|${pid.serial}`;
}
