/**
 * The atom table with only live atoms in it, for a test or bench that counts them: the entries of
 * collected atoms go when their finalizers run, which V8 may put off for many turns on a loaded
 * machine, so waiting for them makes a count flaky.
 */
import { AtomLimitError } from '../../codec/errors';
import { Atom, atom, setAtomLimit } from '../../codec/terms';
import { collectGarbageNow, nextTask } from './gc';

let probes = 0;

/** Interned in a function of its own, so no local of the caller keeps the atoms. */
export function internUnheld(names: string[]): WeakRef<Atom>[] {
  return names.map((n) => new WeakRef(Atom.of(n)));
}

/**
 * Collect garbage, delete the table's entries of every atom collected, now, and collect what those
 * entries held. A table at its cap deletes them itself before refusing a new atom (once per
 * collection), so a cap of 0 for one new atom makes it do so. Waits a task first: atoms the current
 * job created stay alive until it ends. Afterwards, {@link Atom.count} is the number of live atoms.
 */
export async function reclaimDeadAtoms(): Promise<void> {
  await nextTask();
  collectGarbageNow();
  const limit = Atom.limit;
  setAtomLimit(0);
  try {
    atom(`reclaim_dead_atoms_probe_${process.pid}_${probes++}`);
    throw new Error('the atom table took a new atom past a cap of 0');
  } catch (e) {
    if (!(e instanceof AtomLimitError)) throw e;
  } finally {
    setAtomLimit(limit);
  }
  collectGarbageNow();
}
