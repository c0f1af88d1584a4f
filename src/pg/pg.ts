/**
 * `node.pg`: OTP's pg (process groups, OTP 23+) on a TypeScript node, with Erlang's function
 * names in camelCase. The default scope `pg` runs from the node's start, as erl's kernel starts
 * it with `start_pg`; {@link Pg.startScope} adds named scopes (e.g. `Elixir.Phoenix.PubSub`).
 *
 * ```ts
 * node.pg.join(atom('workers'), worker);              // pg:join(workers, Worker)
 * node.pg.getMembers(atom('workers'));                // pg:get_members(workers): here and elsewhere
 * const sub = node.pg.monitor(atom('workers'));       // pg:monitor(workers)
 * for await (const { action, pids } of sub) ...       // {Ref, join | leave, workers, Pids}
 * ```
 */
import { Atom, atom, formatTerm, Pid, Term, tuple } from '../../codec';
import { ErlangError, ErlangExit } from '../process/exceptions';
import { ErlProcess } from '../process/process';
import { BADARG, NOPROC } from '../process/atoms';
import { JOIN_LOCAL, LEAVE_LOCAL, MONITOR, NODEDOWN, NODEUP, NOLOCAL, PG } from './atoms';
import { PgGroupMonitor, PgScopeMonitor } from './monitor';
import { RateLimitedLog } from '../process/rate-limited-log';
import { Scope, ScopeHost } from './scope';

/** A scope's name: `'pg'`, `'Elixir.Phoenix.PubSub'`, ... (an atom in Erlang). */
export type ScopeName = string | Atom;

/** One local process or several (`PidOrPids`): pids or the TypeScript processes themselves. */
export type PidOrPids = Pid | ErlProcess | ReadonlyArray<Pid | ErlProcess>;

/** What pg needs of its node (an `ErlNode` provides it). */
export interface PgHost extends ScopeHost {
  /** This node's name. */
  readonly nameAtom: Atom;
  /** Start a process (each scope is one, registered under the scope's name). */
  spawn(body?: (self: ErlProcess) => unknown, options?: { name?: string; trapExit?: boolean }): ErlProcess;
  /** Where the scopes log what they ignore (rate-limited). */
  log(line: string): void;
}

const GEN_SERVER = atom('gen_server');
const CALL = atom('call');
const INFINITY = atom('infinity');

function asAtom(name: ScopeName): Atom {
  return typeof name === 'string' ? atom(name) : name;
}

export class Pg {
  private readonly scopes = new Map<Atom, Scope>();
  private readonly log: RateLimitedLog;

  /** @internal Made by the node, which starts the default scope. */
  constructor(
    /** @internal */
    readonly host: PgHost,
  ) {
    this.log = new RateLimitedLog((line) => host.log(line));
    this.startScope(PG);
  }

  /**
   * `pg:start(Scope)`: run the scope `name` on this node (it discovers the scope on every
   * connected node, and on every node that connects later). Starting a scope that runs already
   * returns it; a name another process has throws `ErlangError(badarg)`.
   */
  startScope(name: ScopeName): Scope {
    const key = asAtom(name);
    const running = this.scopes.get(key);
    if (running) return running;
    // Exit signals arrive as messages (and are ignored); only `kill` ends a scope, which then restarts.
    const proc = this.host.spawn(undefined, { name: key.name, trapExit: true });
    const scope = new Scope(key, proc, this.host, this.log);
    this.scopes.set(key, scope);
    scope.start();
    void proc.done.then((reason) => {
      if (this.scopes.get(key) !== scope) return;
      this.scopes.delete(key);
      // As kernel's supervisor restarts pg: a new, empty scope (local membership is not kept).
      this.host.log(`pg scope ${key.name} ended (${formatTerm(reason)}); restarting it empty`);
      this.startScope(key);
    });
    return scope;
  }

  /** Stop the scope `name`: peers drop its members. False when it was not running. */
  stopScope(name: ScopeName): boolean {
    const key = asAtom(name);
    const scope = this.scopes.get(key);
    if (!scope) return false;
    this.scopes.delete(key);
    scope.stop();
    return true;
  }

  /** The running scope `name` (default `pg`), if any. */
  scope(name: ScopeName = PG): Scope | undefined {
    return this.scopes.get(asAtom(name));
  }

  /** The names of the scopes running here. */
  whichScopes(): Atom[] {
    return [...this.scopes.keys()];
  }

  /**
   * `pg:join(Scope, Group, PidOrPids)`: local processes join `group` (once more each: a process
   * joined twice must leave twice). Throws `ErlangError({nolocal, Bad})` for a pid of another
   * node, as pg does, and `ErlangExit({noproc, ...})` when the scope is not running.
   */
  join(group: Term, pidOrPids: PidOrPids, scope: ScopeName = PG): void {
    const { running, pids, asSent } = this.resolve(JOIN_LOCAL, group, pidOrPids, scope);
    running.join(group, pids, asSent);
  }

  /**
   * `pg:leave(Scope, Group, PidOrPids)`: one join of each leaves. `'not_joined'` when none of them
   * was in the group. Throws as {@link join} does.
   */
  leave(group: Term, pidOrPids: PidOrPids, scope: ScopeName = PG): 'ok' | 'not_joined' {
    const { running, pids, asSent } = this.resolve(LEAVE_LOCAL, group, pidOrPids, scope);
    return running.leave(group, pids, !Array.isArray(asSent)) ? 'ok' : 'not_joined';
  }

  /** `pg:get_members(Scope, Group)`: every member, on any node (`[]` when the scope is not running). */
  getMembers(group: Term, scope: ScopeName = PG): Pid[] {
    return this.scopes.get(asAtom(scope))?.members(group) ?? [];
  }

  /** `pg:get_local_members(Scope, Group)`: the members on this node. */
  getLocalMembers(group: Term, scope: ScopeName = PG): Pid[] {
    return this.scopes.get(asAtom(scope))?.localMembers(group) ?? [];
  }

  /** `pg:which_groups(Scope)`: the groups with members. Throws `ErlangError(badarg)` when the scope is not running. */
  whichGroups(scope: ScopeName = PG): Term[] {
    return this.running(scope).whichGroups();
  }

  /** `pg:which_local_groups(Scope)`: the groups with members on this node. */
  whichLocalGroups(scope: ScopeName = PG): Term[] {
    return this.running(scope).whichLocalGroups();
  }

  /**
   * `pg:monitor(Scope, Group)` (OTP 25.1+): the members now, then each join and leave of the
   * group, until `stop()`.
   */
  monitor(group: Term, scope: ScopeName = PG): PgGroupMonitor {
    const running = this.callable(scope, tuple(MONITOR, group));
    const subscriber = this.host.spawn();
    const { ref, groups } = running.subscribe(subscriber.pid, group);
    return new PgGroupMonitor(subscriber, { ref, unsubscribe: (r) => running.unsubscribe(r) }, group, groups[0][1]);
  }

  /** `pg:monitor_scope(Scope)` (OTP 25.1+): every group now, then every join and leave, until `stop()`. */
  monitorScope(scope: ScopeName = PG): PgScopeMonitor {
    const running = this.callable(scope, MONITOR);
    const subscriber = this.host.spawn();
    const { ref, groups } = running.subscribe(subscriber.pid);
    return new PgScopeMonitor(subscriber, { ref, unsubscribe: (r) => running.unsubscribe(r) }, groups);
  }

  /**
   * Send `{discover, Self}` to the scope on every connected node again. Needed only when erl
   * started its scope after the connection came up and this node is hidden (erl discovers
   * visible nodes only; a hidden node's discover at connect time found no scope then).
   */
  discover(scope: ScopeName = PG): void {
    const running = this.running(scope);
    for (const node of this.host.nodes()) running.discover(atom(node));
  }

  /** A connection came up: the scopes discover that node (`{nodeup, Node}`). @internal */
  nodeup(node: string): void {
    for (const scope of this.scopes.values()) scope.self.deliver(tuple(NODEUP, atom(node)));
  }

  /** A connection went down (`{nodedown, Node}`). @internal */
  nodedown(node: string): void {
    for (const scope of this.scopes.values()) scope.self.deliver(tuple(NODEDOWN, atom(node)));
  }

  private running(scope: ScopeName): Scope {
    const running = this.scopes.get(asAtom(scope));
    // ets:match on a table that does not exist.
    if (!running) throw new ErlangError(BADARG);
    return running;
  }

  /** The scope, or the exit of `gen_server:call(Scope, Request, infinity)` when it does not run. */
  private callable(scope: ScopeName, request: Term): Scope {
    const running = this.scopes.get(asAtom(scope));
    if (!running) throw new ErlangExit(tuple(NOPROC, tuple(GEN_SERVER, CALL, [asAtom(scope), request, INFINITY])));
    return running;
  }

  private resolve(tag: Atom, group: Term, pidOrPids: PidOrPids, scope: ScopeName): { running: Scope; pids: Pid[]; asSent: Pid | Pid[] } {
    const asPid = (p: Pid | ErlProcess) => (p instanceof ErlProcess ? p.pid : p);
    const asSent = Array.isArray(pidOrPids)
      ? (pidOrPids as ReadonlyArray<Pid | ErlProcess>).map(asPid)
      : asPid(pidOrPids as Pid | ErlProcess);
    const pids = Array.isArray(asSent) ? asSent : [asSent];
    const foreign = pids.find((p) => !(p instanceof Pid) || p.node !== this.host.nameAtom);
    if (foreign !== undefined) throw new ErlangError(tuple(NOLOCAL, foreign));
    const running = this.callable(scope, tuple(tag, group, asSent));
    return { running, pids, asSent };
  }
}
