/**
 * The shared coverage map, AFL's way: every instrumented block has a random 16-bit id; entering
 * it counts the edge `previous ^ id` in one byte, and `previous = id >> 1` (so A->B and B->A
 * differ). After each input the counts are folded into hit-count buckets (1, 2, 3, 4-7, 8-15,
 * 16-31, 32-127, 128+); an input is interesting when it sets a bucket bit no input set before.
 *
 * Comparisons (`===`, `!==`) in instrumented code also report their constant operand (a literal,
 * or a name like `Tag.Version` or `MAX_SIZE`) when the two differ: the values a parser wanted are
 * the tokens most likely to take a mutation past it (libFuzzer's "table of recent compares", kept
 * here as a set, since constants are few and the input's side of a compare is noise).
 */

/** Edges are counted modulo this (AFL's default 64 Ki). */
export const MAP_SIZE = 1 << 16;

const counts = new Uint8Array(MAP_SIZE);
/** Indices counted since the last {@link collectNewCoverage}: scanning only these keeps exec/s up. */
const touched = new Uint32Array(MAP_SIZE);
let touchedCount = 0;
/** For every edge, the bucket bits any input has reached so far. */
const reached = new Uint8Array(MAP_SIZE);
let edgesReached = 0;
let previous = 0;

/** Called at the start of every instrumented block. */
export function hit(id: number): void {
  const index = previous ^ id;
  if (counts[index]++ === 0 && touchedCount < MAP_SIZE) touched[touchedCount++] = index;
  previous = id >>> 1;
}

/** Constants compared with, as bytes, for the mutator; at most this many. */
const MAX_COMPARED = 4096;
export const recentCompares: Buffer[] = [];
const compared = new Set<number | string>();

function remember(value: unknown): void {
  if ((typeof value !== 'number' && typeof value !== 'string') || compared.has(value) || compared.size >= MAX_COMPARED) return;
  compared.add(value);
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) return;
    bytes = Buffer.alloc(value < 0x100 ? 1 : value < 0x10000 ? 2 : 4);
    bytes.writeUIntBE(value, 0, bytes.length);
  } else if (typeof value === 'string') {
    if (value.length === 0 || value.length > 32) return;
    bytes = Buffer.from(value, 'utf8');
  } else {
    return;
  }
  recentCompares.push(bytes);
}

/** `a === b` (`negate`: `a !== b`), remembering the constant operands (`constants`: bit 0 `a`, bit 1 `b`) when they differ. */
export function compare(a: unknown, b: unknown, negate: boolean, constants: number): boolean {
  const same = a === b;
  if (!same && tracingCompares && constants !== 0) {
    if ((constants & 1) !== 0) remember(a);
    if ((constants & 2) !== 0) remember(b);
  }
  return negate ? !same : same;
}

/** Off while seeds run: their compares say little. Turned on for mutated inputs. */
let tracingCompares = true;
export function traceCompares(on: boolean): void {
  tracingCompares = on;
}

function bucket(count: number): number {
  if (count <= 3) return count === 3 ? 4 : count; // 1 -> 1, 2 -> 2, 3 -> 4
  if (count <= 7) return 8;
  if (count <= 15) return 16;
  if (count <= 31) return 32;
  if (count <= 127) return 64;
  return 128;
}

/**
 * Fold the counts of the input just run into {@link reached} and clear them for the next one.
 * Returns whether the input reached a new edge or a new hit-count bucket of one.
 */
export function collectNewCoverage(): boolean {
  let found = false;
  for (let k = 0; k < touchedCount; k++) {
    const index = touched[k];
    const count = counts[index];
    if (count === 0) continue; // a count that wrapped past 255 was listed twice
    counts[index] = 0;
    const bits = bucket(count);
    const before = reached[index];
    if ((bits & ~before) !== 0) {
      if (before === 0) edgesReached++;
      reached[index] = before | bits;
      found = true;
    }
  }
  touchedCount = 0;
  previous = 0;
  return found;
}

/** Forget all coverage and compares: a fresh start for another run in the same process. */
export function resetCoverage(): void {
  counts.fill(0);
  reached.fill(0);
  touchedCount = 0;
  edgesReached = 0;
  previous = 0;
  recentCompares.length = 0;
  compared.clear();
}

/** How many distinct edges any input has reached. */
export function edgesCovered(): number {
  return edgesReached;
}

/** The names instrumented code calls; {@link installCoverageGlobals} defines them. */
export const HIT_GLOBAL = '__erlbridgeFuzzHit';
export const COMPARE_GLOBAL = '__erlbridgeFuzzCompare';

/** Make {@link hit} and {@link compare} reachable from instrumented modules. */
export function installCoverageGlobals(): void {
  Object.assign(globalThis, { [HIT_GLOBAL]: hit, [COMPARE_GLOBAL]: compare });
}
