/**
 * Map key order: the order the BEAM keeps a small map's keys in, which is the order `~w` prints
 * them in. It is Erlang's term order except that an integer and a float, at any depth, compare by
 * type: every integer comes before every float (`#{1 => a,0.5 => b}`, `#{{1} => a,{0.5} => b}`).
 */
import { compare } from '../compare';
import { ErlFloat, ImproperList, Term, Tuple } from '../terms';
import { ErlMap } from '../erlmap';

type Kind = 'integer' | 'float' | 'tuple' | 'list' | 'map' | 'other';

function kindOf(t: Term): Kind {
  switch (typeof t) {
    case 'number':
      return Number.isInteger(t) ? 'integer' : 'float';
    case 'bigint':
      return 'integer';
    case 'object':
      if (t instanceof ErlFloat) return 'float';
      if (t instanceof Tuple) return 'tuple';
      if ((Array.isArray(t) && t.length > 0) || t instanceof ImproperList) return 'list';
      if (t instanceof ErlMap) return 'map';
  }
  return 'other';
}

function listParts(t: Term[] | ImproperList): { elements: Term[]; tail: Term } {
  return Array.isArray(t) ? { elements: t, tail: [] } : { elements: t.elements, tail: t.tail };
}

/** What follows the first `from` elements of a list. */
function rest(list: { elements: Term[]; tail: Term }, from: number): Term {
  if (from === list.elements.length) return list.tail;
  const elements = list.elements.slice(from);
  return Array.isArray(list.tail) && list.tail.length === 0 ? elements : new ImproperList(elements, list.tail);
}

/** A map's keys in map key order. */
export function sortedMapKeys(m: ErlMap): Term[] {
  return m.keys().sort(compareMapKeys);
}

/**
 * Compare two terms in map key order, without recursion except through the keys of maps that are
 * themselves compared (a map compares by size, then its keys in key order, then its values).
 */
export function compareMapKeys(a: Term, b: Term): number {
  const stack: Array<[Term, Term]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [Term, Term];
    if (x === y) continue;
    const kx = kindOf(x);
    const ky = kindOf(y);
    let c = 0;
    if (kx !== ky && (kx === 'integer' || kx === 'float') && (ky === 'integer' || ky === 'float')) {
      c = kx === 'integer' ? -1 : 1;
    } else if (kx !== ky || kx === 'other' || kx === 'integer' || kx === 'float') {
      c = compare(x, y, true);
    } else if (kx === 'tuple') {
      const ex = (x as Tuple).elements;
      const ey = (y as Tuple).elements;
      c = ex.length - ey.length;
      if (c === 0) for (let i = ex.length - 1; i >= 0; i--) stack.push([ex[i], ey[i]]);
    } else if (kx === 'list') {
      const lx = listParts(x as Term[] | ImproperList);
      const ly = listParts(y as Term[] | ImproperList);
      const n = Math.min(lx.elements.length, ly.elements.length);
      stack.push([rest(lx, n), rest(ly, n)]);
      for (let i = n - 1; i >= 0; i--) stack.push([lx.elements[i], ly.elements[i]]);
    } else {
      const mx = x as ErlMap;
      const my = y as ErlMap;
      c = mx.size - my.size;
      if (c === 0) {
        const keysX = sortedMapKeys(mx);
        const keysY = sortedMapKeys(my);
        for (let i = keysX.length - 1; i >= 0; i--) stack.push([mx.get(keysX[i]) as Term, my.get(keysY[i]) as Term]);
        for (let i = keysX.length - 1; i >= 0; i--) stack.push([keysX[i], keysY[i]]);
      }
    }
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}
