/**
 * Name clashes when two partitions meet (`exchange_names/4`): for each name the other side has
 * and we have under another pid, the smaller node resolves it by running the name's method on
 * the node of our pid (`global:resolve_it/4`, over rpc when that node is not this one). The
 * outcome is a list of operations for each side: `{insert, {Name, Pid, Method}}`, `{delete, Name}`.
 *
 * Here only global's own three methods can run (`random_exit_name`, `random_notify_name`,
 * `notify_all_name`); any other fun cannot run on a TypeScript node, so it fails as a crashing
 * method fails in erl: the name is unregistered everywhere.
 */
import { Atom, atom, compareAtomNames, equals, ExportFun, formatTerm, Pid, Term, Tuple, tuple } from '../../codec';
import { BADRPC, EXIT_TAG, UNDEF } from '../process/atoms';
import {
  DELETE,
  GLOBAL,
  GLOBAL_NAME_CONFLICT,
  INSERT,
  KILL,
  NONE,
  NOTIFY_ALL_NAME,
  RANDOM_EXIT_NAME,
  RANDOM_NOTIFY_NAME,
  RESOLVE_IT,
} from './atoms';
import type { NameTable } from './names';

export interface ResolveHost {
  me: string;
  names: NameTable;
  /** `rpc:call(Node, Module, Function, Args)`: the result, or `{badrpc, Reason}`. */
  rpc: (node: string, module: Atom, fn: Atom, args: Term[]) => Promise<Term>;
  /** `exit(Pid, Reason)` and `Pid ! Message`, from global's server. */
  exit(pid: Pid, reason: Term): void;
  send(pid: Pid, message: Term): void;
  log: (line: string) => void;
}

export interface Exchanged {
  /** Operations for our side. */
  ops: Term[];
  /** Operations for the other side (`Resolved`). */
  resolved: Term[];
}

/** `exchange_names(NameList, Node, [], [])` against our names. */
export async function exchangeNames(nameList: Term, node: string, host: ResolveHost): Promise<Exchanged> {
  const ops: Term[] = [];
  const resolved: Term[] = [];
  for (const item of Array.isArray(nameList) ? nameList : []) {
    if (!(item instanceof Tuple) || item.length !== 3 || !(item.get(1) instanceof Pid)) continue;
    const name = item.get(0);
    const pid = item.get(1) as Pid;
    const method = item.get(2);
    const ours = host.names.get(name);
    if (ours === undefined) {
      ops.push(tuple(INSERT, tuple(name, pid, method)));
      continue;
    }
    // The same registration, or the other node (the smaller) resolves it.
    if (equals(ours.pid, pid) || compareAtomNames(host.me, node) >= 0) continue;
    const node2 = ours.pid.node.name;
    const outcome =
      node2 === host.me
        ? resolveIt(ours.method, name, pid, ours.pid, host)
        : await host.rpc(node2, GLOBAL, RESOLVE_IT, [ours.method, name, pid, ours.pid]);
    if (equals(outcome, pid)) {
      ops.push(tuple(INSERT, tuple(name, pid, method)));
    } else if (equals(outcome, ours.pid)) {
      resolved.push(tuple(INSERT, tuple(name, ours.pid, ours.method)));
    } else if (outcome instanceof Tuple && outcome.length === 2 && outcome.get(0) === BADRPC) {
      host.log(`global: badrpc received when conflicting name was found: ${formatTerm(name)}`);
      ops.push(tuple(INSERT, tuple(name, pid, method)));
    } else {
      if (outcome !== NONE) host.log(`global: the resolve method for a conflicting name returned neither pid: the name is unregistered`);
      ops.push(tuple(DELETE, name));
      resolved.push(tuple(DELETE, name));
    }
  }
  // erl builds both lists by prepending.
  return { ops: ops.reverse(), resolved: resolved.reverse() };
}

/** `global:resolve_it(Method, Name, Pid1, Pid2)`: `catch Method(Name, Pid1, Pid2)`. */
export function resolveIt(method: Term, name: Term, pid1: Pid, pid2: Pid, host: ResolveHost): Term {
  const known = method instanceof ExportFun && method.module === GLOBAL && method.arity === 3 ? method.function : undefined;
  const [min, max] = compareAtomNames(pid1.node.name, pid2.node.name) < 0 ? [pid1, pid2] : [pid2, pid1];
  switch (known) {
    case RANDOM_EXIT_NAME:
      host.log(`global: Name conflict terminating ${formatTerm(name)} at ${max.node.name}`);
      host.exit(max, KILL);
      return min;
    case RANDOM_NOTIFY_NAME:
      host.send(max, tuple(GLOBAL_NAME_CONFLICT, name));
      return min;
    case NOTIFY_ALL_NAME:
      host.send(pid1, tuple(GLOBAL_NAME_CONFLICT, name, pid2));
      host.send(pid2, tuple(GLOBAL_NAME_CONFLICT, name, pid1));
      return NONE;
    default:
      // A fun compiled for BEAM cannot run here: as erl's catch gives for a missing function.
      return tuple(EXIT_TAG, tuple(UNDEF, [tuple(method instanceof ExportFun ? method.module : atom('erl_eval'), atom('resolve'), [])]));
  }
}

/** The default method of names registered from TypeScript: `fun global:random_exit_name/3`. */
export const RANDOM_EXIT_METHOD = new ExportFun(GLOBAL, RANDOM_EXIT_NAME, 3);
