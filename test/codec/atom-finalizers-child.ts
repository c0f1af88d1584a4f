/**
 * The atom table's finalizers at work, in a Node.js process of its own: in a jest worker, V8 may
 * not run a test's FinalizationRegistry callbacks for many seconds (perhaps behind registries the
 * worker's earlier test files left), so test/codec/atom-table.test.ts runs this and checks what it
 * prints, one JSON line of {@link FinalizerFigures}.
 */
import { Atom, atom } from '../../codec/terms';
import { internUnheld, reclaimDeadAtoms } from '../support/atom-table';
import { collectGarbage, collectGarbageNow, collectGarbageUntil, nextTask } from '../support/gc';

export interface FinalizerFigures {
  /** 1,000 atoms interned and dropped: the table's count before, with them, and once finalized. */
  unheld: { before: number; interned: number; alive: number; after: number };
  /** A name whose atom was collected, interned again: still that atom after collections. */
  internedAgainKept: boolean;
  /**
   * A dead atom's name interned again before its finalizer ran, beside another atom that died
   * with it: the count's fall once the finalizers ran (1: only the other's entry went), and whether
   * the name still gives the atom interned again.
   */
  reinternedBeforeFinalizer: { fall: number; kept: boolean };
}

let serial = 0;
const fresh = (): string => `atom_finalizers_${serial++}`;

async function unheld(): Promise<FinalizerFigures['unheld']> {
  const names = Array.from({ length: 1000 }, fresh);
  const before = Atom.count;
  const refs = internUnheld(names);
  const interned = Atom.count;
  await collectGarbageUntil(() => Atom.count <= before);
  return { before, interned, alive: refs.filter((r) => r.deref() !== undefined).length, after: Atom.count };
}

async function internedAgainKept(): Promise<boolean> {
  const name = fresh();
  internUnheld([name]);
  await collectGarbage();
  const again = atom(name);
  await collectGarbage();
  await collectGarbage();
  return atom(name) === again;
}

async function reinternedBeforeFinalizer(): Promise<FinalizerFigures['reinternedBeforeFinalizer']> {
  await reclaimDeadAtoms();
  const name = fresh();
  internUnheld([name, fresh()]);
  await nextTask();
  collectGarbageNow();
  // Within this job no finalizer can run: the dead entry is replaced before its finalizer runs.
  const now = atom(name);
  const count = Atom.count;
  await collectGarbageUntil(() => Atom.count < count);
  await collectGarbage();
  return { fall: count - Atom.count, kept: atom(name) === now };
}

async function main(): Promise<void> {
  const figures: FinalizerFigures = {
    unheld: await unheld(),
    internedAgainKept: await internedAgainKept(),
    reinternedBeforeFinalizer: await reinternedBeforeFinalizer(),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
