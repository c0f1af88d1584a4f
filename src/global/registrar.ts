/**
 * global's registrar: the one process of a node through which its names are registered and
 * unregistered, one at a time (`trans_all_known`): it takes global's own lock on every node
 * global knows (the boss first), checks that no node became known meanwhile, runs the change as
 * a multi_call to all of them, and releases the lock.
 */
import type { ErlProcess } from '../process/process';
import { GLOBAL } from './atoms';
import { LockId } from './locks';
import { deleteGlobalLock, delLock, randomSleep, setLockOnNodes, theBoss } from './set-lock';
import type { GlobalServer } from './server';

export class Registrar {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly proc: ErlProcess,
    private readonly server: GlobalServer,
    private readonly me: string,
  ) {}

  /** Run `change` with global's lock held on `[node() | Known]`, after every earlier change. */
  transAllKnown<T>(change: (nodes: string[]) => Promise<T>): Promise<T> {
    const run = async () => {
      const id: LockId = { resource: GLOBAL, requester: this.proc.pid };
      const nodes = await this.setLockKnown(id);
      try {
        return await change(nodes);
      } finally {
        await deleteGlobalLock(this.proc, id, nodes);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async setLockKnown(id: LockId): Promise<string[]> {
    const { locks } = this.server;
    for (let times = 0; ; times++) {
      const known = this.server.knownNodes();
      const nodes = [this.me, ...known];
      const boss = theBoss(nodes);
      if (await setLockOnNodes(this.proc, locks, this.me, id, [boss])) {
        const all = await setLockOnNodes(this.proc, locks, this.me, id, nodes);
        if (all && this.server.knownNodes().every((n) => known.includes(n))) return nodes;
        await delLock(this.proc, id, [boss]);
      }
      await randomSleep(times);
    }
  }
}
