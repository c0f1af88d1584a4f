/**
 * The `global` module for TypeScript programs: cluster-wide names and locks, with Erlang's names
 * in camelCase. Names are registered through this node's registrar under global's lock on every
 * known node, exactly as `global:register_name/2` does, so erl nodes see them at once; lookups
 * are local reads, as in erl.
 */
import { atom, Pid, Term, Tuple, tuple } from '../../codec';
import { BADARG } from '../process/atoms';
import { ErlangExit } from '../process/exceptions';
import { ErlProcess } from '../process/process';
import { REGISTER, UNREGISTER } from './atoms';
import { LockId, lockIdOf } from './locks';
import { multiCall } from './multi-call';
import type { Registrar } from './registrar';
import { RANDOM_EXIT_METHOD } from './resolve';
import type { GlobalServer } from './server';
import { delLock, setLock } from './set-lock';

/** A global name: any term; a string is the atom of that name. */
export type GlobalName = Term | string;

/** A lock id `{ResourceId, LockRequesterId}`: a tuple, or the two terms (a string is an atom). */
export type GlobalLockId = Tuple | readonly [resource: GlobalName, requester: GlobalName];

export class Global {
  /** @internal */
  constructor(
    private readonly server: GlobalServer,
    private readonly registrar: Registrar,
    /** The process that holds the locks taken through this API, and sends its messages. */
    private readonly holder: ErlProcess,
    private readonly me: string,
    private readonly visibleNodes: () => string[],
  ) {}

  /**
   * `global:register_name(Name, Pid)`: `'yes'`, or `'no'` when the name is taken or the process
   * has a global name already. Name clashes at a later merge kill one holder, as
   * `global:random_exit_name/3` does.
   */
  registerName(name: GlobalName, pid: Pid | ErlProcess): Promise<'yes' | 'no'> {
    const [n, p] = [nameTerm(name), pidOf(pid)];
    return this.registrar.transAllKnown(async (nodes) => {
      if (this.server.where(n) !== undefined || this.server.names.hasNames(p)) return 'no';
      await multiCall(this.registrar.proc, nodes, tuple(REGISTER, n, p, RANDOM_EXIT_METHOD));
      return 'yes';
    });
  }

  /** `global:re_register_name(Name, Pid)`: the name is `pid`'s now, whoever had it. */
  reRegisterName(name: GlobalName, pid: Pid | ErlProcess): Promise<'yes'> {
    const [n, p] = [nameTerm(name), pidOf(pid)];
    return this.registrar.transAllKnown(async (nodes) => {
      await multiCall(this.registrar.proc, nodes, tuple(REGISTER, n, p, RANDOM_EXIT_METHOD));
      return 'yes' as const;
    });
  }

  /** `global:unregister_name(Name)`, on every known node. */
  async unregisterName(name: GlobalName): Promise<void> {
    const n = nameTerm(name);
    if (this.server.where(n) === undefined) return;
    await this.registrar.transAllKnown((nodes) => multiCall(this.registrar.proc, nodes, tuple(UNREGISTER, n)));
  }

  /** `global:whereis_name(Name)`: the pid, or undefined. A local read, as in erl. */
  whereisName(name: GlobalName): Pid | undefined {
    return this.server.where(nameTerm(name));
  }

  /** `global:registered_names()`. */
  registeredNames(): Term[] {
    return this.server.names.registered();
  }

  /** `global:send(Name, Msg)`: the pid it went to; `ErlangExit({badarg, {Name, Msg}})` when none has the name. */
  send(name: GlobalName, message: Term): Pid {
    const n = nameTerm(name);
    const pid = this.server.where(n);
    if (pid === undefined) throw new ErlangExit(tuple(BADARG, tuple(n, message)));
    this.holder.send(pid, message);
    return pid;
  }

  /**
   * `global:set_lock(Id, Nodes, Retries)`: true once `Id` is set on every node of `nodes`
   * (default: this node and every visible node), false after `retries` failed retries (default:
   * retry for ever). The lock is held by this API's process until {@link delLock}.
   */
  setLock(id: GlobalLockId, nodes?: string[], retries = Infinity): Promise<boolean> {
    return setLock(this.holder, this.server.locks, this.me, lockId(id), nodes ?? this.defaultNodes(), retries);
  }

  /** `global:del_lock(Id, Nodes)`. */
  async delLock(id: GlobalLockId, nodes?: string[]): Promise<true> {
    await delLock(this.holder, lockId(id), nodes ?? this.defaultNodes());
    return true;
  }

  /** `global:trans(Id, Fun, Nodes, Retries)`: `fn`'s result with the lock held, or `'aborted'`. */
  async trans<T>(id: GlobalLockId, fn: () => T | Promise<T>, nodes?: string[], retries = Infinity): Promise<T | 'aborted'> {
    const on = nodes ?? this.defaultNodes();
    if (!(await this.setLock(id, on, retries))) return 'aborted';
    try {
      return await fn();
    } finally {
      await this.delLock(id, on);
    }
  }

  /** `global:sync()`: resolves once every visible node is synced with this one (or down). */
  sync(): Promise<void> {
    return this.server.syncWith(this.visibleNodes());
  }

  /** The nodes global knows (`gen_server:call(global_name_server, get_known)`). */
  knownNodes(): string[] {
    return this.server.knownNodes();
  }

  private defaultNodes(): string[] {
    return [this.me, ...this.visibleNodes()];
  }
}

export function nameTerm(name: GlobalName): Term {
  return typeof name === 'string' ? atom(name) : name;
}

function pidOf(p: Pid | ErlProcess): Pid {
  return p instanceof ErlProcess ? p.pid : p;
}

function lockId(id: GlobalLockId): LockId {
  const parsed = id instanceof Tuple ? lockIdOf(id) : { resource: nameTerm(id[0]), requester: nameTerm(id[1]) };
  if (parsed === undefined) throw new TypeError('a lock id is {ResourceId, LockRequesterId}');
  return parsed;
}
