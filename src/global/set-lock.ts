/**
 * Taking and releasing a lock on a set of nodes, as global:set_lock/del_lock do it: a multi_call
 * of `{set_lock, Id}` to every node's global_name_server (after a local probe), undone on the
 * nodes that granted it when any refused; retried after global's random sleep.
 */
import { compareAtomNames, Term, tuple } from '../../codec';
import type { ErlProcess } from '../process/process';
import { DEL_LOCK, SET_LOCK } from './atoms';
import { LockId, LockTable } from './locks';
import { multiCall } from './multi-call';

/** `lists:max(Nodes)`: the node locked first and released last. */
export function theBoss(nodes: readonly string[]): string {
  return nodes.reduce((max, n) => (compareAtomNames(n, max) > 0 ? n : max));
}

/** Retries: a count, or Infinity (`infinity`). */
export async function setLock(
  caller: ErlProcess,
  locks: LockTable,
  me: string,
  id: LockId,
  nodes: readonly string[],
  retries: number,
): Promise<boolean> {
  if (nodes.length === 0) return true;
  for (let times = 1; ; times++) {
    if (await setLockOnNodes(caller, locks, me, id, nodes)) return true;
    if (retries <= 0) return false;
    retries--;
    await randomSleep(times);
  }
}

/** One attempt (`set_lock_on_nodes/2`). */
export async function setLockOnNodes(
  caller: ErlProcess,
  locks: LockTable,
  me: string,
  id: LockId,
  nodes: readonly string[],
): Promise<boolean> {
  if (nodes.length === 0) return true;
  // Probe the local table first, so as not to bother other nodes when this one would refuse.
  if (nodes.length > 1 && nodes.includes(me) && locks.canSetLock(id) === false) return false;
  const { replies } = await multiCall(caller, nodes, tuple(SET_LOCK, lockTerm(id)));
  if (replies.every(([, r]) => r === true)) return true;
  if (replies.length > 1) {
    const granted = replies.filter(([, r]) => r === true).map(([n]) => n);
    await multiCall(caller, granted, tuple(DEL_LOCK, lockTerm(id)));
  }
  return false;
}

export async function delLock(caller: ErlProcess, id: LockId, nodes: readonly string[]): Promise<void> {
  if (nodes.length > 0) await multiCall(caller, nodes, tuple(DEL_LOCK, lockTerm(id)));
}

/** `delete_global_lock/2`: the boss's lock goes last. */
export async function deleteGlobalLock(caller: ErlProcess, id: LockId, nodes: readonly string[]): Promise<void> {
  if (nodes.length === 0) return;
  const boss = theBoss(nodes);
  await delLock(
    caller,
    id,
    nodes.filter((n) => n !== boss),
  );
  await delLock(caller, id, [boss]);
}

export function lockTerm(id: LockId): Term {
  return tuple(id.resource, id.requester);
}

/** global's random_sleep: up to 1/4 s the first time, doubling up to 8 s. */
export function randomSleep(times: number): Promise<void> {
  const max = times > 5 ? 8000 : ((1 << times) * 1000) / 8;
  const ms = 1 + Math.floor(Math.random() * max);
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
