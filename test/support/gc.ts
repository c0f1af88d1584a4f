/**
 * A full garbage collection from a test, where jest runs without `--expose-gc`: the flag is set at
 * run time and `gc` taken from a fresh context, which sees it.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The next task: the current job, and the objects it keeps alive, are done by then. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Collect garbage and give FinalizationRegistry callbacks a few turns to run (in a jest worker they
 * may take far longer: see atom-table.ts). Waits a task first: objects a job created or
 * dereferenced through a WeakRef stay alive until that job ends.
 */
export async function collectGarbage(): Promise<void> {
  await nextTask();
  gc();
  // Finalizers run as tasks of their own after the collection.
  for (let i = 0; i < 3; i++) await nextTask();
}

/** A full collection now, without waiting: finalizers have not run when it returns. */
export function collectGarbageNow(): void {
  gc();
}

/**
 * Collect garbage until `done()` holds or `timeoutMs` passes: finalizers run when V8 gets to them,
 * which on a loaded machine can be several turns after the collection.
 */
export async function collectGarbageUntil(done: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collectGarbage();
    if (done() || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
