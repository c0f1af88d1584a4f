/**
 * One pg scope on this node: a process registered under the scope's name (so `{Scope, Node} !
 * Msg` from erl reaches it), keeping the scope's groups and speaking pg's protocol with the same
 * scope on other nodes, as lib/kernel/src/pg.erl does:
 *
 * - on each `{nodeup, Node}` (every connection, hidden ones too: a hidden node is never
 *   discovered by erl, so it must start discovery itself) it sends `{discover, Self}` to
 *   `{Scope, Node}`, and to every connected node when it starts;
 * - on `{discover, Peer}` it casts its local members (`sync`) to Peer, monitors Peer and, when
 *   Peer is new, sends `{discover, Self}` back;
 * - a `sync` replaces all it knew of that peer; `join`/`leave` change it; the peer's `DOWN`
 *   (`noconnection` included) drops all its members;
 * - local members are monitored: when one ends it leaves its groups, and `leave` goes to peers.
 *
 * What it sends never crashes an erl scope (whose catch-all clauses crash on anything unexpected):
 * only the 2-tuple discover, a sync of proper `[{Group, [Pid]}]`, and join/leave only to peers it
 * has sent its sync to, and a leave only for what that peer has from it. What it receives of any
 * other shape is ignored and logged, rate-limited; the scope never crashes on input.
 */
import { Atom, atom, briefTerm, equals, ErlMap, Pid, Reference, Term, TermMap, tuple } from '../../codec';
import { genReply } from '../gen/reply';
import { ERROR, OK, BADARG } from '../process/atoms';
import { ErlProcess, pidKey, refKey } from '../process/process';
import { JOIN, LEAVE, NOLOCAL, NOT_JOINED } from './atoms';
import { discoverMessage, joinMessage, leaveMessage, notification, pidOrPids, readScopeMessage, ScopeCall, syncMessage } from './messages';
import { Groups } from './groups';
import { subtract } from './pid-lists';
import { RateLimitedLog } from '../process/rate-limited-log';
import { Subscriptions } from './subscriptions';

/** What a scope needs of its node. */
export interface ScopeHost {
  /** The nodes connected now (visible and hidden): discovered when the scope starts. */
  nodes(): string[];
  /** True while a connection to `node` is up: sends to other nodes are `[noconnect]`, as pg's. */
  connected(node: string): boolean;
}

/** A local member: its monitor and the groups it joined (a group once per join). */
interface LocalMember {
  pid: Pid;
  mref: Reference;
  groups: Term[];
}

/** A peer scope: its monitor, what it has joined, and whether it has our sync yet. */
interface Peer {
  pid: Pid;
  mref: Reference;
  groups: TermMap<Pid[]>;
  /** We have sent it our sync: from then on it gets our joins and leaves. */
  synced: boolean;
}

/** A group's change, as subscribers are told it. */
export interface GroupChange {
  action: 'join' | 'leave';
  group: Term;
  pids: Pid[];
}

export class Scope {
  private readonly groups = new Groups();
  private readonly local = new Map<string, LocalMember>();
  private readonly remote = new Map<string, Peer>();
  private readonly subscriptions = new Subscriptions();

  /**
   * A scope run by `self`, a process registered as `name` that nothing else receives for. Call
   * {@link start} to discover the connected nodes and serve the mailbox.
   */
  constructor(
    readonly name: Atom,
    readonly self: ErlProcess,
    private readonly host: ScopeHost,
    private readonly log: RateLimitedLog,
  ) {}

  /** The scope's pid (what peers know it by). */
  get pid(): Pid {
    return this.self.pid;
  }

  /** Broadcast `{discover, Self}` to the scope on every connected node, then serve the mailbox. */
  start(): void {
    for (const node of this.host.nodes()) this.discover(atom(node));
    void this.serve();
  }

  /** Send `{discover, Self}` to `{Scope, Node}` again, e.g. to find a scope started after we connected. */
  discover(node: Atom): void {
    if (node === this.pid.node) return;
    this.sendNoconnect([this.name, node], discoverMessage(this.pid));
  }

  private async serve(): Promise<void> {
    for await (const message of this.self) {
      try {
        this.handle(message);
      } catch (err) {
        // A bug here must not end the scope: pg's state stays as it was before the message.
        this.log.log(`pg scope ${this.name.name}: failed on ${briefTerm(message)}: ${(err as Error).message}`);
      }
    }
  }

  /** Take one mailbox message (the scope's loop calls this; tests may too). */
  handle(message: Term): void {
    const m = readScopeMessage(message);
    switch (m.kind) {
      case 'discover':
        return this.handleDiscover(m.peer);
      case 'sync':
        return this.handleSync(m.peer, m.groups);
      case 'join':
        return this.handleJoin(m.peer, m.group, m.pids);
      case 'leave':
        return this.handleLeave(m.peer, m.pids, m.groups);
      case 'down':
        return this.handleDown(m.ref, m.pid);
      case 'nodeup':
        return this.discover(m.node);
      case 'nodedown':
        // As pg: the peer scope's DOWN (noconnection) does the work.
        return;
      case 'call':
        return this.handleCall(m.from, m.tag, m.call);
      case 'malformed':
        return this.ignore(message, m.why);
    }
  }

  private ignore(message: Term, why: string): void {
    this.log.log(`pg scope ${this.name.name}: ignored ${why}: ${briefTerm(message)}`);
  }

  // ---- the API (pg:join/leave/get_members/... on this node) ----------------------------------

  /** Every member of `group`, local and remote. */
  members(group: Term): Pid[] {
    return this.groups.members(group);
  }

  /** The members of `group` on this node. */
  localMembers(group: Term): Pid[] {
    return this.groups.localMembers(group);
  }

  /** The groups with members. */
  whichGroups(): Term[] {
    return this.groups.groups();
  }

  /** The groups with members on this node. */
  whichLocalGroups(): Term[] {
    return this.groups.localGroups();
  }

  /** Pids of the peer scopes known now. */
  peers(): Pid[] {
    return [...this.remote.values()].map((p) => p.pid);
  }

  /**
   * `pids` (local, checked by the caller) join `group`, once more each. `asSent` is what peers
   * are told: the one pid or the list, as the caller gave it.
   */
  join(group: Term, pids: Pid[], asSent: Pid | Pid[]): void {
    for (const pid of pids) {
      const key = pidKey(pid);
      const member = this.local.get(key);
      if (member) member.groups.unshift(group);
      else this.local.set(key, { pid, mref: this.self.monitor(pid), groups: [group] });
    }
    if (pids.length === 0) return;
    this.groups.add(group, pids, true);
    this.notify({ action: 'join', group, pids });
    this.broadcast(joinMessage(this.pid, group, asSent));
  }

  /** One join each of `pids` leaves `group`; false when none of them had joined it (`not_joined`). */
  leave(group: Term, pids: Pid[], single: boolean): boolean {
    const left: Pid[] = [];
    for (const pid of pids) {
      const key = pidKey(pid);
      const member = this.local.get(key);
      const at = member ? member.groups.findIndex((g) => equals(g, group)) : -1;
      if (!member || at < 0) continue;
      member.groups.splice(at, 1);
      left.push(pid);
      if (member.groups.length === 0) {
        this.self.demonitor(member.mref);
        this.local.delete(key);
      }
    }
    if (left.length === 0) return false;
    this.groups.remove(group, left, true);
    this.notify({ action: 'leave', group, pids: left });
    this.broadcast(leaveMessage(this.pid, single && left.length === 1 ? left[0] : left, [group]));
    return true;
  }

  /**
   * Subscribe `subscriber` to the changes of `group`, or of every group when `group` is
   * undefined. Returns the subscription's reference and the members now.
   */
  subscribe(subscriber: Pid, group?: Term): { ref: Reference; groups: Array<[Term, Pid[]]> } {
    const ref = this.self.monitor(subscriber);
    if (group === undefined) {
      this.subscriptions.addScope({ ref, pid: subscriber });
      return { ref, groups: this.groups.snapshot() };
    }
    this.subscriptions.addGroup({ ref, pid: subscriber }, group);
    return { ref, groups: [[group, this.groups.members(group)]] };
  }

  /** End a subscription; false when it was not one. */
  unsubscribe(ref: Reference): boolean {
    if (!this.subscriptions.remove(ref)) return false;
    this.self.demonitor(ref);
    return true;
  }

  /** Stop the scope: peers see its DOWN and drop its members. */
  stop(): void {
    this.self.exit();
  }

  // ---- the protocol ---------------------------------------------------------------------------

  private isPeerPid(peer: Pid): boolean {
    return peer.node !== this.pid.node;
  }

  private handleDiscover(peer: Pid): void {
    if (!this.isPeerPid(peer)) return this.ignore(discoverMessage(peer), 'a discover from this node');
    // A reply could not go anywhere (and must not set up a connection).
    if (!this.host.connected(peer.node.name)) return;
    this.sendNoconnect(peer, syncMessage(this.pid, this.localGroups()));
    const known = this.remote.get(pidKey(peer));
    if (known) {
      known.synced = true;
      return;
    }
    const mref = this.self.monitor(peer);
    this.sendNoconnect(peer, discoverMessage(this.pid));
    this.remote.set(pidKey(peer), { pid: peer, mref, groups: new TermMap(), synced: true });
  }

  /** True when every pid is on the peer's node: what a peer may join is its own processes. */
  private ownedBy(peer: Pid, pids: Pid[]): boolean {
    return pids.every((p) => p.node === peer.node);
  }

  private handleSync(peer: Pid, synced: Array<[Term, Pid[]]>): void {
    if (!this.isPeerPid(peer)) return this.ignore(peer, 'a sync from this node');
    if (!synced.every(([, pids]) => this.ownedBy(peer, pids))) return this.ignore(peer, "a sync naming other nodes' pids");
    let known = this.remote.get(pidKey(peer));
    if (!known) {
      known = { pid: peer, mref: this.self.monitor(peer), groups: new TermMap(), synced: false };
      this.remote.set(pidKey(peer), known);
    }
    // As maps:from_list: a group named twice keeps its last list.
    const now = new TermMap<Pid[]>();
    for (const [group, pids] of synced) now.set(group, pids);
    for (const [group, pids] of now.entries()) {
      const before = known.groups.get(group) ?? [];
      const left = subtract(before, pids);
      const joined = subtract(pids, before);
      if (left.length === 0 && joined.length === 0) continue;
      this.groups.remove(group, before, false);
      this.groups.add(group, pids, false);
      if (joined.length > 0) this.notify({ action: 'join', group, pids: joined });
      if (left.length > 0) this.notify({ action: 'leave', group, pids: left });
    }
    for (const [group, before] of known.groups.entries()) {
      if (now.has(group)) continue;
      const left = this.groups.remove(group, before, false);
      if (left.length > 0) this.notify({ action: 'leave', group, pids: left });
    }
    known.groups = now;
    if (!known.synced && this.host.connected(peer.node.name)) {
      // The peer knows us (it syncs only when discovered); give it ours, so our joins may follow.
      this.sendNoconnect(peer, syncMessage(this.pid, this.localGroups()));
      known.synced = true;
    }
  }

  private handleJoin(peer: Pid, group: Term, pids: Pid[]): void {
    const known = this.remote.get(pidKey(peer));
    // As pg: a join from a scope we do not know (any more) is a race with its DOWN; dropped.
    if (!known) return;
    if (!this.ownedBy(peer, pids)) return this.ignore(tuple(JOIN, peer, group, pids), "a join of another node's pids");
    if (pids.length === 0) return;
    known.groups.set(group, [...pids, ...(known.groups.get(group) ?? [])]);
    this.groups.add(group, pids, false);
    this.notify({ action: 'join', group, pids });
  }

  private handleLeave(peer: Pid, pids: Pid[], groups: Term[]): void {
    const known = this.remote.get(pidKey(peer));
    if (!known) return;
    for (const group of groups) {
      const before = known.groups.get(group);
      // pg would crash here (maps:get without a default); a leave of what we never had is a no-op.
      if (before === undefined) continue;
      const left: Pid[] = [];
      const rest = subtract(before, pids, left);
      if (rest.length === 0) known.groups.delete(group);
      else known.groups.set(group, rest);
      this.groups.remove(group, left, false);
      if (left.length > 0) this.notify({ action: 'leave', group, pids: left });
    }
  }

  private handleDown(ref: Reference, pid: Pid): void {
    if (this.subscriptions.remove(ref)) return;
    const key = pidKey(pid);
    const rkey = refKey(ref);
    const member = this.local.get(key);
    if (member && refKey(member.mref) === rkey) {
      this.local.delete(key);
      for (const group of member.groups) {
        this.groups.remove(group, [pid], true);
        this.notify({ action: 'leave', group, pids: [pid] });
      }
      this.broadcast(leaveMessage(this.pid, pid, member.groups));
      return;
    }
    const peer = this.remote.get(key);
    if (peer && refKey(peer.mref) === rkey) {
      this.remote.delete(key);
      for (const [group, pids] of peer.groups.entries()) {
        const left = this.groups.remove(group, pids, false);
        if (left.length > 0) this.notify({ action: 'leave', group, pids: left });
      }
    }
    // Anything else is a monitor we dropped already (pg: "late monitor").
  }

  private handleCall(from: Pid, tag: Term, call: ScopeCall): void {
    const reply = (value: Term) => genReply(this.self, from, tag, value);
    switch (call.kind) {
      case 'join_local':
      case 'leave_local': {
        const pids = this.localPids(call.pids);
        if (!Array.isArray(pids)) return reply(tuple(ERROR, tuple(NOLOCAL, pids.bad)));
        if (call.kind === 'join_local') {
          this.join(call.group, pids, call.pids as Pid | Pid[]);
          return reply(OK);
        }
        return reply(this.leave(call.group, pids, call.pids instanceof Pid) ? OK : NOT_JOINED);
      }
      case 'monitor_scope': {
        const { ref, groups } = this.subscribe(from);
        return reply(tuple(ref, new ErlMap(groups)));
      }
      case 'monitor_group': {
        const { ref, groups } = this.subscribe(from, call.group);
        return reply(tuple(ref, groups[0][1]));
      }
      case 'demonitor':
        return reply(this.unsubscribe(call.ref) ? OK : false);
      case 'unknown':
        // pg would crash (its catch-all handle_call); the caller gets an error instead of a hang.
        this.ignore(call.request, 'an unknown call');
        return reply(tuple(ERROR, BADARG));
    }
  }

  /** The pids of `PidOrPids` when all are local; else the first that is not. */
  localPids(t: Term): Pid[] | { bad: Term } {
    const pids = pidOrPids(t);
    if (pids === undefined) {
      const bad = Array.isArray(t) ? t.find((p) => !(p instanceof Pid) || p.node !== this.pid.node) : t;
      return { bad: bad as Term };
    }
    const remote = pids.find((p) => p.node !== this.pid.node);
    return remote === undefined ? pids : { bad: remote };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Our local members by group, as a sync carries them. */
  private localGroups(): Array<[Term, Pid[]]> {
    const byGroup = new TermMap<Pid[]>();
    for (const { pid, groups } of this.local.values()) {
      for (const group of groups) {
        const pids = byGroup.get(group);
        if (pids) pids.unshift(pid);
        else byGroup.set(group, [pid]);
      }
    }
    return [...byGroup.entries()];
  }

  /** To every peer that has our sync. */
  private broadcast(message: Term): void {
    for (const peer of this.remote.values()) if (peer.synced) this.sendNoconnect(peer.pid, message);
  }

  private notify(change: GroupChange): void {
    const action = change.action === 'join' ? JOIN : LEAVE;
    for (const { ref, pid } of this.subscriptions.watchers(change.group)) {
      this.sendNoconnect(pid, notification(ref, action, change.group, change.pids));
    }
  }

  /** `erlang:send(Dest, Msg, [noconnect])`: dropped when Dest's node is not connected. */
  private sendNoconnect(dest: Pid | readonly [Atom, Atom], message: Term): void {
    const node = dest instanceof Pid ? dest.node : dest[1];
    if (node !== this.pid.node && !this.host.connected(node.name)) return;
    this.self.send(dest, message);
  }
}
