/**
 * A structural hash consistent with `equals`: equal terms hash alike. Used to index map keys that
 * are not atoms or integers; seeded per process against hash flooding. Iterative over lists and tuples, so long lists cannot overflow the stack.
 */
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from './terms';
import { ErlMap } from './erlmap';
import { randomBytes } from 'crypto';

/** A per-process seed: a peer cannot precompute keys that all land in one bucket. */
const SEED = randomBytes(4).readUInt32BE(0);

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193) >>> 0;
}

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

function mixBytes(h: number, b: Buffer): number {
  for (let i = 0; i < b.length; i++) h = mix(h, b[i]);
  return h;
}

export function hashTerm(term: Term): number {
  let h = (0x811c9dc5 ^ SEED) >>> 0;
  const stack: Term[] = [term];
  while (stack.length > 0) {
    const t = stack.pop() as Term;
    switch (typeof t) {
      case 'number':
        h = Number.isInteger(t) ? mixString(mix(h, 1), String(t + 0)) : mixString(mix(h, 2), String(t));
        continue;
      case 'bigint':
        h = mixString(mix(h, 1), t.toString());
        continue;
      case 'boolean':
        h = mixString(mix(h, 3), t ? 'true' : 'false');
        continue;
      case 'string':
        h = mixBytes(mix(h, 4), Buffer.from(t, 'utf8'));
        continue;
    }
    if (t instanceof Atom) h = mixString(mix(h, 3), t.name);
    else if (t instanceof ErlFloat) h = mixString(mix(h, 2), String(t.value));
    else if (Buffer.isBuffer(t)) h = mixBytes(mix(h, 4), t);
    else if (t instanceof BitBinary) h = mix(mixBytes(mix(h, 5), t.buffer), t.bits);
    else if (Array.isArray(t)) {
      h = mix(mix(h, 6), t.length);
      for (let i = t.length - 1; i >= 0; i--) stack.push(t[i]);
    } else if (t instanceof ImproperList) {
      h = mix(mix(h, 7), t.elements.length);
      stack.push(t.tail);
      for (let i = t.elements.length - 1; i >= 0; i--) stack.push(t.elements[i]);
    } else if (t instanceof Tuple) {
      h = mix(mix(h, 8), t.elements.length);
      for (let i = t.elements.length - 1; i >= 0; i--) stack.push(t.elements[i]);
    } else if (t instanceof ErlMap) {
      // Order-independent: the sum of the entries' hashes.
      let sum = 0;
      for (const [k, v] of t) sum = (sum + mix(hashTerm(k), hashTerm(v))) >>> 0;
      h = mix(mix(h, 9), sum);
    } else if (t instanceof Pid) h = mix(mix(mix(mixString(mix(h, 10), t.node.name), t.id), t.serial), t.creation);
    else if (t instanceof Port) h = mix(mixString(mixString(mix(h, 11), t.node.name), String(t.id)), t.creation);
    else if (t instanceof Reference) {
      h = mix(mixString(mix(h, 12), t.node.name), t.creation);
      for (const id of t.ids) h = mix(h, id);
    } else if (t instanceof Fun) h = mix(mixBytes(mixString(mix(h, 13), t.module.name), t.uniq), t.index);
    else if (t instanceof ExportFun) h = mix(mixString(mixString(mix(h, 14), t.module.name), t.function.name), t.arity);
  }
  return h;
}
