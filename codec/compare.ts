/**
 * Structural equality (`=:=`) and Erlang term order, without recursion (terms may nest 100,000 deep).
 *
 * Order: number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring.
 */
import { Atom, BitBinary, ErlFloat, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from './terms';
import { ErlMap } from './erlmap';

const enum Rank {
  Number = 0,
  Atom = 1,
  Reference = 2,
  Fun = 3,
  Port = 4,
  Pid = 5,
  Tuple = 6,
  Map = 7,
  Nil = 8,
  List = 9,
  Bitstring = 10,
}

function rank(t: Term): Rank {
  switch (typeof t) {
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'boolean':
      return Rank.Atom;
    case 'string':
      return Rank.Bitstring;
  }
  if (t instanceof Atom) return Rank.Atom;
  if (t instanceof ErlFloat) return Rank.Number;
  if (Array.isArray(t)) return t.length === 0 ? Rank.Nil : Rank.List;
  if (t instanceof Tuple) return Rank.Tuple;
  if (Buffer.isBuffer(t) || t instanceof BitBinary) return Rank.Bitstring;
  if (t instanceof ErlMap) return Rank.Map;
  if (t instanceof ImproperList) return Rank.List;
  if (t instanceof Pid) return Rank.Pid;
  if (t instanceof Reference) return Rank.Reference;
  if (t instanceof Port) return Rank.Port;
  if (t instanceof Fun || t instanceof ExportFun) return Rank.Fun;
  throw new TypeError(`not an Erlang term: ${Object.prototype.toString.call(t)}`);
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Atoms compare by their UTF-8 bytes, which is code point order (not JS's UTF-16 order). */
export function compareAtomNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
      return sign((a.codePointAt(i) as number) - (b.codePointAt(i) as number));
    }
  }
  return sign(a.length - b.length);
}

function atomName(t: Atom | boolean): string {
  return typeof t === 'boolean' ? (t ? 'true' : 'false') : t.name;
}

/** Integers as exact values: `number` or `bigint`. */
function compareIntegers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return sign(a - b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compare an integer with a float value the way BEAM does: exactly, not through a lossy cast. */
function compareIntFloat(i: number | bigint, f: number): number {
  if (typeof i === 'number') return sign(i - f);
  if (!Number.isFinite(f)) return f > 0 ? -1 : 1;
  const fi = BigInt(Math.trunc(f));
  if (i !== fi) return i < fi ? -1 : 1;
  const frac = f - Math.trunc(f);
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

function numberValue(t: Term): { int: number | bigint } | { float: number } {
  if (t instanceof ErlFloat) return { float: t.value };
  if (typeof t === 'number' && !Number.isInteger(t)) return { float: t };
  return { int: t as number | bigint };
}

/**
 * Numbers. In the standard order (`<`, `lists:sort`) they compare by value and `1 == 1.0`. In the
 * exact order (`=:=`, and the order of map keys) every integer comes before every float, at any
 * depth: OTP 25 writes `#{1.0 => a, 2 => b}` with the key 2 first.
 */
function compareNumbers(a: Term, b: Term, exact: boolean): number {
  const x = numberValue(a);
  const y = numberValue(b);
  if ('int' in x && 'int' in y) return compareIntegers(x.int, y.int);
  if ('float' in x && 'float' in y) {
    if (x.float === y.float) return exact && Object.is(x.float, -0) !== Object.is(y.float, -0) ? (Object.is(x.float, -0) ? -1 : 1) : 0;
    return x.float < y.float ? -1 : 1;
  }
  if (exact) return 'int' in x ? -1 : 1;
  return 'int' in x
    ? compareIntFloat(x.int, (y as { float: number }).float)
    : -compareIntFloat((y as { int: number | bigint }).int, x.float);
}

function bitstringParts(t: Term): { buf: Buffer; bits: number } {
  if (typeof t === 'string') return { buf: Buffer.from(t, 'utf8'), bits: 8 };
  if (Buffer.isBuffer(t)) return { buf: t, bits: 8 };
  const b = t as BitBinary;
  return { buf: b.buffer, bits: b.bits };
}

/** Bitstrings compare bit by bit; a prefix comes first. */
function compareBitstrings(a: Term, b: Term): number {
  const x = bitstringParts(a);
  const y = bitstringParts(b);
  const xFull = x.bits === 8 ? x.buf.length : x.buf.length - 1;
  const yFull = y.bits === 8 ? y.buf.length : y.buf.length - 1;
  const full = Math.min(xFull, yFull);
  const c = Buffer.compare(x.buf.subarray(0, full), y.buf.subarray(0, full));
  if (c !== 0) return c;
  const xLen = xFull * 8 + (x.bits === 8 ? 0 : x.bits);
  const yLen = yFull * 8 + (y.bits === 8 ? 0 : y.bits);
  for (let bit = full * 8; bit < Math.min(xLen, yLen); bit++) {
    const xb = (x.buf[bit >> 3] >> (7 - (bit & 7))) & 1;
    const yb = (y.buf[bit >> 3] >> (7 - (bit & 7))) & 1;
    if (xb !== yb) return xb - yb;
  }
  return sign(xLen - yLen);
}

function listParts(t: Term[] | ImproperList): { elements: Term[]; tail: Term } {
  return Array.isArray(t) ? { elements: t, tail: [] } : { elements: t.elements, tail: t.tail };
}

type Pending = [Term, Term];

/**
 * Compare two terms in Erlang term order: by default the standard order of `<` and `lists:sort`,
 * in which `1 == 1.0`. With `exact` it is the total order behind `=:=` and map keys, in which
 * every integer precedes every float.
 */
export function compare(a: Term, b: Term, exact = false): number {
  const stack: Pending[] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop() as Pending;
    if (x === y) continue;
    const rx = rank(x);
    const ry = rank(y);
    if (rx !== ry) return rx < ry ? -1 : 1;
    let c = 0;
    switch (rx) {
      case Rank.Number:
        c = compareNumbers(x, y, exact);
        break;
      case Rank.Atom:
        c = compareAtomNames(atomName(x as Atom | boolean), atomName(y as Atom | boolean));
        break;
      case Rank.Nil:
        break;
      case Rank.Bitstring:
        c = compareBitstrings(x, y);
        break;
      case Rank.Tuple: {
        const tx = (x as Tuple).elements;
        const ty = (y as Tuple).elements;
        c = sign(tx.length - ty.length);
        if (c === 0) for (let i = tx.length - 1; i >= 0; i--) stack.push([tx[i], ty[i]]);
        break;
      }
      case Rank.List: {
        const lx = listParts(x as Term[] | ImproperList);
        const ly = listParts(y as Term[] | ImproperList);
        const n = Math.min(lx.elements.length, ly.elements.length);
        // Compare the element-wise prefix, then what follows it in each list.
        const restX: Term = n === lx.elements.length ? lx.tail : rest(lx, n);
        const restY: Term = n === ly.elements.length ? ly.tail : rest(ly, n);
        stack.push([restX, restY]);
        for (let i = n - 1; i >= 0; i--) stack.push([lx.elements[i], ly.elements[i]]);
        break;
      }
      case Rank.Map: {
        const mx = x as ErlMap;
        const my = y as ErlMap;
        c = sign(mx.size - my.size);
        if (c !== 0) break;
        // Maps of the same size: keys in key order first (compared exactly even for ==, as
        // #{1 => a} == #{1.0 => a} is false), then values in that order.
        const kx = mx.sortedKeys();
        const ky = my.sortedKeys();
        for (let i = 0; c === 0 && i < kx.length; i++) c = compare(kx[i], ky[i], true);
        if (c === 0) for (let i = kx.length - 1; i >= 0; i--) stack.push([mx.get(kx[i]) as Term, my.get(ky[i]) as Term]);
        break;
      }
      case Rank.Pid: {
        const px = x as Pid;
        const py = y as Pid;
        // erl: serial, then id, and only then the node (name, creation), so <0.9.0> sorts after
        // <a@b.1.0> on any node.
        c =
          sign(px.serial - py.serial) ||
          sign(px.id - py.id) ||
          compareAtomNames(px.node.name, py.node.name) ||
          sign(px.creation - py.creation);
        break;
      }
      case Rank.Port: {
        const px = x as Port;
        const py = y as Port;
        c = compareAtomNames(px.node.name, py.node.name) || sign(px.creation - py.creation) || compareIntegers(px.id, py.id);
        break;
      }
      case Rank.Reference: {
        const rx2 = x as Reference;
        const ry2 = y as Reference;
        c = compareAtomNames(rx2.node.name, ry2.node.name) || sign(rx2.creation - ry2.creation) || sign(rx2.ids.length - ry2.ids.length);
        for (let i = rx2.ids.length - 1; c === 0 && i >= 0; i--) c = sign(rx2.ids[i] - ry2.ids[i]);
        break;
      }
      case Rank.Fun:
        c = compareFuns(x as Fun | ExportFun, y as Fun | ExportFun, stack);
        break;
    }
    if (c !== 0) return c;
  }
  return 0;
}

function rest(list: { elements: Term[]; tail: Term }, from: number): Term {
  const elements = list.elements.slice(from);
  return Array.isArray(list.tail) && list.tail.length === 0 ? elements : new ImproperList(elements, list.tail);
}

function compareFuns(x: Fun | ExportFun, y: Fun | ExportFun, stack: Pending[]): number {
  if (x instanceof ExportFun && y instanceof ExportFun) {
    return compareAtomNames(x.module.name, y.module.name) || compareAtomNames(x.function.name, y.function.name) || sign(x.arity - y.arity);
  }
  if (x instanceof ExportFun) return 1;
  if (y instanceof ExportFun) return -1;
  const c =
    compareAtomNames(x.module.name, y.module.name) ||
    sign(x.index - y.index) ||
    Buffer.compare(x.uniq, y.uniq) ||
    sign(x.free.length - y.free.length);
  if (c === 0) for (let i = x.free.length - 1; i >= 0; i--) stack.push([x.free[i], y.free[i]]);
  return c;
}

/** `A =:= B`: the same term, where `1` and `1.0` differ. */
export function equals(a: Term, b: Term): boolean {
  return compare(a, b, true) === 0;
}
