/**
 * global's locker (`loop_the_locker`): the process that, for each node that wants to sync with
 * us, takes global's lock on our whole partition and on one node of the other, so that the two
 * partitions exchange names with nobody else registering meanwhile. It speaks to the other
 * node's locker through that node's global_name_server (vsn 6+), and waits, holding the lock,
 * until the server tells it the exchange is over.
 */
import { atom, Atom, compare, equals, Pid, Term, Tuple, tuple } from '../../codec';
import { GEN_CAST } from '../process/atoms';
import type { ErlProcess } from '../process/process';
import { GLOBAL, GLOBAL_NAME_SERVER, LOCK_IS_SET, LOCK_SET } from './atoms';
import { LockId, LockTable } from './locks';
import { deleteGlobalLock, delLock, setLock, theBoss } from './set-lock';

const HIS_THE_LOCKER = atom('his_the_locker');
const CANCEL = atom('cancel');
const NO_FUN = atom('no_fun');
const ADD_TO_KNOWN = atom('add_to_known');
const REMOVE_FROM_KNOWN = atom('remove_from_known');
const UNDEFINED = atom('undefined');

/** Where `verify connect` started: lock_set carries the receiver's tag. */
const VERIFY_CONNECT_VSN = 8;

/** A node that wants to sync with us, as its init_connect told us. */
interface Him {
  node: string;
  locker: Pid;
  vsn: number;
  myTag: Term;
  hisTag: Term;
}

export interface LockerContext {
  me: string;
  locks: LockTable;
  /** Our global_name_server. */
  server: Pid;
  /** True for a node on this host: its requests go first (select_node). */
  sameHost(node: string): boolean;
  log: (line: string) => void;
}

export class Locker {
  private local: Him[] = [];
  private remote: Him[] = [];
  private known: string[] = [];
  private boss: string;
  private justSynced = false;
  /** Funs the server asked to run once a lock is released (cancel messages carry their id). */
  private readonly funs = new Map<number, () => void>();
  private nextFun = 1;

  constructor(
    readonly proc: ErlProcess,
    private readonly ctx: LockerContext,
  ) {
    this.boss = ctx.me;
    void this.run();
  }

  // The server's messages to the locker, in the order it sends them.

  hisTheLocker(hisLocker: Pid, hisVsn: number, hisTag: Term, myTag: Term): void {
    this.proc.deliver(tuple(HIS_THE_LOCKER, hisLocker, hisVsn, hisTag, myTag));
  }

  /** `{cancel, Node, Tag, Fun}`: the sync with `node` under `tag` is over; run `fun` before releasing. */
  cancel(node: string, tag: Term | undefined, fun?: () => void): void {
    let funId: Term = NO_FUN;
    if (fun) {
      funId = this.nextFun++;
      this.funs.set(funId, fun);
    }
    this.proc.deliver(tuple(CANCEL, atom(node), tag ?? UNDEFINED, funId));
  }

  addToKnown(nodes: string[]): void {
    this.proc.deliver(tuple(ADD_TO_KNOWN, nodes.map(atom)));
  }

  removeFromKnown(node: string): void {
    this.proc.deliver(tuple(REMOVE_FROM_KNOWN, atom(node)));
  }

  /** A lock_set the server forwarded. */
  lockSet(message: Tuple): void {
    this.proc.deliver(message);
  }

  private async run(): Promise<void> {
    while (this.proc.alive) {
      try {
        await this.step();
      } catch (err) {
        // The node stopping ends our process, and with it any receive in progress.
        if (!this.proc.alive) return;
        this.ctx.log(`global locker: ${(err as Error).message}`);
      }
    }
  }

  /** One turn of the loop: the next message, or on its timeout an attempt to lock a node. */
  private async step(): Promise<void> {
    let m = await this.poll(() => true);
    if (m === undefined) {
      const timeout = this.timeout();
      this.justSynced = false;
      m = await this.next(timeout);
      if (m === undefined) {
        if (!this.ctx.locks.isGlobalLockSet()) await this.selectNode();
        return;
      }
    }
    await this.handle(m);
  }

  private timeout(): number {
    if (this.local.length === 0 && this.remote.length === 0) return Infinity;
    if (this.justSynced) return 0;
    return this.known.length === 0 ? 200 : Math.min(1000 + 100 * this.known.length, 3000);
  }

  private async handle(m: Term): Promise<void> {
    if (!(m instanceof Tuple)) return;
    const tag = m.get(0);
    if (tag === HIS_THE_LOCKER && m.length === 5) {
      const him: Him = {
        locker: m.get(1) as Pid,
        node: (m.get(1) as Pid).node.name,
        vsn: m.get(2) as number,
        hisTag: m.get(3),
        myTag: m.get(4),
      };
      if (this.ctx.sameHost(him.node)) this.local = [him, ...this.local];
      else this.remote = [him, ...this.remote];
    } else if (tag === CANCEL && m.length === 4) {
      // A cancel without a tag may be an old nodedown's, which must not cancel a new nodeup.
      this.dropFun(m.get(3));
      if (m.get(2) !== UNDEFINED) this.removeNode((m.get(1) as Atom).name, m.get(2));
    } else if (tag === LOCK_SET && (m.length === 5 || m.length === 4)) {
      await this.spontaneousLockSet(m);
    } else {
      this.updateKnown(m);
    }
  }

  private updateKnown(m: Tuple): boolean {
    if (m.get(0) === ADD_TO_KNOWN && m.length === 2 && Array.isArray(m.get(1))) {
      const added = (m.get(1) as Term[]).filter((n): n is Atom => n instanceof Atom).map((n) => n.name);
      this.known = [...added, ...this.known];
    } else if (m.get(0) === REMOVE_FROM_KNOWN && m.length === 2 && m.get(1) instanceof Atom) {
      const node = (m.get(1) as Atom).name;
      const i = this.known.indexOf(node);
      if (i >= 0) this.known.splice(i, 1);
    } else {
      return false;
    }
    this.boss = theBoss([this.ctx.me, ...this.known]);
    return true;
  }

  /** The other side's locker locked its partition and one of ours: lock ours and answer. */
  private async spontaneousLockSet(m: Tuple): Promise<void> {
    const pid = m.get(1);
    if (!(pid instanceof Pid) || m.get(2) !== true) return;
    const him = this.find(pid.node.name);
    if (him === undefined || (m.length === 5 && !equals(m.get(4), him.myTag))) {
      // Not (or no longer) syncing with that node: refuse, straight to its locker, as erl does.
      this.proc.send(pid, tuple(LOCK_SET, this.proc.pid, false, this.knownAtoms()));
      return;
    }
    const lockId = this.lockIdWith(pid);
    const isSet = await this.lockNodesSafely(lockId, []);
    this.sendLockSet(isSet, pid, him.vsn, him.hisTag);
    if (!isSet) {
      this.justSynced = false;
      return;
    }
    this.castServer(tuple(LOCK_IS_SET, atom(him.node), him.myTag, lockTuple(lockId)));
    await this.waitCancelLock(him.node, lockId, him.myTag, [this.ctx.me, ...this.known]);
    this.justSynced = true;
    this.removeNode(him.node, him.myTag);
  }

  /** `select_node`: pick a node that wants to sync, lock, and tell its locker. */
  private async selectNode(): Promise<void> {
    const useRemote = this.local.length === 0;
    const others = (useRemote ? this.remote : this.local).filter((h) => !this.known.includes(h.node));
    if (useRemote) this.remote = others;
    else this.local = others;
    if (others.length === 0) return;
    const him = others[Math.floor(Math.random() * others.length)];
    const lockId = this.lockIdWith(him.locker);
    if (!(await this.lockNodesSafely(lockId, [him.node]))) return;
    const known1 = [this.ctx.me, him.node, ...this.known];
    this.sendLockSet(true, him.locker, him.vsn, him.hisTag);
    await this.lockIsSet(him, known1, lockId);
  }

  /** Wait for the other locker's answer to our lock_set (or a cancel). */
  private async lockIsSet(him: Him, known1: string[], lockId: LockId): Promise<void> {
    for (;;) {
      const m = await this.proc.receive((t) =>
        this.isAnswerFrom(t, him.node) || this.isCancel(t, him.node, him.myTag) ? (t as Tuple) : undefined,
      );
      if (m.get(0) === CANCEL) {
        this.runFun(m.get(3));
        await deleteGlobalLock(this.proc, lockId, known1);
        this.removeNode(him.node, him.myTag);
        return;
      }
      // An answer under an older tag belongs to an older attempt.
      if (m.length === 5 && !equals(m.get(4), him.myTag)) continue;
      if (m.get(2) !== true) {
        await deleteGlobalLock(this.proc, lockId, known1);
        return;
      }
      this.castServer(tuple(LOCK_IS_SET, atom(him.node), him.myTag, lockTuple(lockId)));
      await this.waitCancelLock(him.node, lockId, him.myTag, known1);
      this.justSynced = true;
      this.local = this.local.filter((h) => h !== him);
      this.remote = this.remote.filter((h) => h !== him);
      return;
    }
  }

  /** Hold the lock until the server cancels this sync, then run its fun and release. */
  private async waitCancelLock(node: string, lockId: LockId, myTag: Term, known: string[]): Promise<void> {
    const m = await this.proc.receive((t) => (this.isCancel(t, node, myTag) ? (t as Tuple) : undefined));
    this.runFun(m.get(3));
    await deleteGlobalLock(this.proc, lockId, known);
  }

  /** `lock_nodes_safely`: the boss first, then us and `extra`, then the rest of our partition. */
  private async lockNodesSafely(lockId: LockId, extra: string[]): Promise<boolean> {
    const first = [this.boss];
    const { me, locks } = this.ctx;
    if (!(first[0] === me || locks.canSetLock(lockId) !== false)) return false;
    if (!(await setLock(this.proc, locks, me, lockId, first, 0))) return false;
    await this.drainKnownUpdates();
    const second = [me, ...extra].filter((n) => !first.includes(n));
    if (!(await setLock(this.proc, locks, me, lockId, second, 0))) {
      await delLock(this.proc, lockId, first);
      return false;
    }
    const rest = this.known.filter((n) => !first.includes(n));
    if (!(await setLock(this.proc, locks, me, lockId, rest, 0))) {
      await delLock(this.proc, lockId, [...first, ...second]);
      return false;
    }
    return true;
  }

  private sendLockSet(isSet: boolean, hisLocker: Pid, vsn: number, hisTag: Term): void {
    const known = this.knownAtoms();
    const message =
      vsn < VERIFY_CONNECT_VSN ? tuple(LOCK_SET, this.proc.pid, isSet, known) : tuple(LOCK_SET, this.proc.pid, isSet, known, hisTag);
    if (vsn < 6) this.proc.send(hisLocker, message);
    else this.proc.send([GLOBAL_NAME_SERVER, hisLocker.node], tuple(GEN_CAST, message));
  }

  /** `{global, lists:sort([self(), HisLocker])}`: both lockers compute the same id. */
  private lockIdWith(hisLocker: Pid): LockId {
    const pids = [this.proc.pid, hisLocker].sort((a, b) => compare(a, b));
    return { resource: GLOBAL, requester: pids };
  }

  private castServer(message: Term): void {
    this.proc.send(this.ctx.server, tuple(GEN_CAST, message));
  }

  private isAnswerFrom(t: Term, node: string): boolean {
    return (
      t instanceof Tuple &&
      (t.length === 5 || t.length === 4) &&
      t.get(0) === LOCK_SET &&
      t.get(1) instanceof Pid &&
      (t.get(1) as Pid).node.name === node
    );
  }

  private isCancel(t: Term, node: string, tag: Term): boolean {
    return t instanceof Tuple && t.length === 4 && t.get(0) === CANCEL && (t.get(1) as Atom).name === node && equals(t.get(2), tag);
  }

  private find(node: string): Him | undefined {
    return this.local.find((h) => h.node === node) ?? this.remote.find((h) => h.node === node);
  }

  private removeNode(node: string, tag: Term): void {
    const keep = (h: Him) => !(h.node === node && equals(h.myTag, tag));
    this.local = removeFirst(this.local, keep);
    this.remote = removeFirst(this.remote, keep);
  }

  private knownAtoms(): Atom[] {
    return this.known.map(atom);
  }

  private runFun(id: Term): void {
    const fun = typeof id === 'number' ? this.funs.get(id) : undefined;
    this.dropFun(id);
    fun?.();
  }

  private dropFun(id: Term): void {
    if (typeof id === 'number') this.funs.delete(id);
  }

  private async drainKnownUpdates(): Promise<void> {
    for (;;) {
      const m = await this.poll(
        (t) => t instanceof Tuple && t.length === 2 && (t.get(0) === ADD_TO_KNOWN || t.get(0) === REMOVE_FROM_KNOWN),
      );
      if (m === undefined) return;
      this.updateKnown(m as Tuple);
    }
  }

  /** The first queued message `accept` takes, without waiting. */
  private poll(accept: (m: Term) => boolean): Promise<Term | undefined> {
    return this.proc.receive((m) => (accept(m) ? m : undefined), { timeout: 0 }).catch(() => undefined);
  }

  private next(timeout: number): Promise<Term | undefined> {
    return this.proc.receive(undefined, timeout === Infinity ? {} : { timeout }).catch(() => undefined);
  }
}

/** Drop the first element `keep` rejects (global's remove_node2 drops one). */
function removeFirst(list: Him[], keep: (h: Him) => boolean): Him[] {
  const i = list.findIndex((h) => !keep(h));
  return i < 0 ? list : [...list.slice(0, i), ...list.slice(i + 1)];
}

function lockTuple(id: LockId): Term {
  return tuple(id.resource, id.requester);
}
