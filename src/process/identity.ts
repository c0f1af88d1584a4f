/**
 * Whether two pids or two references name the same thing. Ones decoded from the wire are new
 * objects each time, so their fields are compared (atoms are interned: one node, one Atom).
 */
import type { Pid, Reference } from '../../codec';

/** The same process. */
export function samePid(a: Pid, b: Pid): boolean {
  return a === b || (a.node === b.node && a.id === b.id && a.serial === b.serial && a.creation === b.creation);
}

/** The same reference: node, creation and every id. */
export function sameRef(a: Reference, b: Reference): boolean {
  if (a === b) return true;
  if (a.node !== b.node || a.creation !== b.creation) return false;
  const x = a.ids;
  const y = b.ids;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
