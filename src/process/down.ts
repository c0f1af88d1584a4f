/** The DOWN message of a monitor, matched by its reference. */
import { Reference, Term, Tuple } from '../../codec';
import { DOWN } from './atoms';
import { sameRef } from './identity';

/** The reason of `{'DOWN', Ref, _, _, Reason}` for this `ref`, else undefined. */
export function downReasonOf(m: Term, ref: Reference): Term | undefined {
  if (m instanceof Tuple && m.length === 5 && m.get(0) === DOWN) {
    const r = m.get(1);
    if (r instanceof Reference && sameRef(r, ref)) return m.get(4);
  }
  return undefined;
}
