/**
 * The atom table: atoms nothing refers to are reclaimed, live ones stay the same object, the cap
 * on live atoms refuses new ones with a typed error, and the decoder's cache of atoms by bytes
 * keeps no more than its fixed number of slots alive.
 */
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Decoder } from '../../codec/decoder';
import { AtomLimitError, DecodeError } from '../../codec/errors';
import { Atom, atom, DEFAULT_ATOM_LIMIT, setAtomLimit } from '../../codec/terms';
import { internUnheld, reclaimDeadAtoms } from '../support/atom-table';
import { collectGarbage, collectGarbageNow, nextTask } from '../support/gc';
import { outputOf, spawnTs } from '../support/ts-child';
import type { FinalizerFigures } from './atom-finalizers-child';

let serial = 0;
/** A name no other test uses. */
const fresh = (): string => `atom_table_${process.pid}_${serial++}`;

/** `[A1, A2, ...]` as ETF bytes, each a SMALL_ATOM_UTF8_EXT. */
function atomList(names: string[]): Buffer {
  const head = Buffer.from([131, 108, 0, 0, 0, 0]);
  head.writeUInt32BE(names.length, 2);
  const atoms = names.map((n) => Buffer.concat([Buffer.from([119, Buffer.byteLength(n)]), Buffer.from(n)]));
  return Buffer.concat([head, ...atoms, Buffer.from([106])]);
}

const FINALIZERS_CHILD = path.join(__dirname, 'atom-finalizers-child.ts');

afterEach(() => setAtomLimit(DEFAULT_ATOM_LIMIT));

describe('interning', () => {
  it('a live atom is the same object after garbage collections', async () => {
    const name = fresh();
    const held = atom(name);
    await collectGarbage();
    await collectGarbage();
    expect(atom(name)).toBe(held);
    expect(Atom.of(name)).toBe(atom(name));
  });

  it('an atom nothing refers to is collected and its entry reclaimed by its finalizer; one interned again since stays', async () => {
    const figures = JSON.parse(await outputOf(spawnTs(FINALIZERS_CHILD, []), 60000)) as FinalizerFigures;
    const { before, interned, alive, after } = figures.unheld;
    expect(interned).toBe(before + 1000);
    expect(alive).toBe(0);
    expect(after).toBeLessThanOrEqual(before);
    expect(figures.internedAgainKept).toBe(true);
    // The old finalizer left the entry of the atom interned again: only the other entry went.
    expect(figures.reinternedBeforeFinalizer).toEqual({ fall: 1, kept: true });
  }, 70000);
});

describe('the cap on live atoms', () => {
  it('refuses a new atom with AtomLimitError, a DecodeError, and keeps serving existing ones', async () => {
    await reclaimDeadAtoms();
    const existing = atom(fresh());
    const held = [atom(fresh())];
    setAtomLimit(Atom.count + 2);
    held.push(atom(fresh()), atom(fresh()));
    let err: unknown;
    try {
      atom(fresh());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtomLimitError);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ code: 'atom_table_full', limit: Atom.count, name: 'AtomLimitError' });
    expect(atom(existing.name)).toBe(existing);
    expect(atom(held[2].name)).toBe(held[2]);
  });

  it('reclaims dead atoms at the cap before refusing, even before their finalizers ran', async () => {
    const names = Array.from({ length: 10 }, fresh);
    const refs = internUnheld(names);
    await nextTask();
    // Collected, but the table still has their entries until the finalizers' task runs.
    collectGarbageNow();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    setAtomLimit(Atom.count);
    const created = Array.from({ length: 10 }, () => atom(fresh()));
    expect(created).toHaveLength(10);
    expect(Atom.count).toBeLessThanOrEqual(Atom.limit);
  });

  it('a decode that would pass it fails with AtomLimitError at the offset of the atom, compressed or not', async () => {
    await reclaimDeadAtoms();
    const names = [fresh(), fresh(), fresh()];
    setAtomLimit(Atom.count + 1);
    const bytes = atomList(names);
    const second = 6 + 2 + names[0].length;
    let err: unknown;
    try {
      new Decoder().decode(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtomLimitError);
    expect(err).toMatchObject({ code: 'atom_table_full', offset: second });
    const compressed = Buffer.concat([Buffer.from([131, 80, 0, 0, 0, 0]), zlib.deflateSync(bytes.subarray(1))]);
    compressed.writeUInt32BE(bytes.length - 1, 2);
    try {
      new Decoder().decode(compressed);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtomLimitError);
    expect(err).toMatchObject({ code: 'atom_table_full', offset: second });
  });

  it('takes a non-negative integer or Infinity', () => {
    expect(() => setAtomLimit(-1)).toThrow(RangeError);
    expect(() => setAtomLimit(1.5)).toThrow(RangeError);
    setAtomLimit(Infinity);
    expect(Atom.limit).toBe(Infinity);
  });
});

describe('the decoder cache of atoms by bytes', () => {
  it.each([
    ['shared by default decoders', {}],
    ['of a decoder with a lower maxAtomLength', { maxAtomLength: 40 }],
  ])('%s keeps at most its 4,096 slots of atoms alive', async (_, options) => {
    await reclaimDeadAtoms();
    const before = Atom.count;
    const decoder = new Decoder(options);
    for (let m = 0; m < 20; m++) {
      const names = Array.from({ length: 1000 }, fresh);
      expect((decoder.decode(atomList(names)) as Atom[])[999].name).toBe(names[999]);
    }
    expect(Atom.count).toBeGreaterThanOrEqual(before + 20_000);
    await reclaimDeadAtoms();
    expect(Atom.count - before).toBeLessThanOrEqual(4096);
    // Still a cache: a repeated atom decodes to the live atom.
    const kept = atom(fresh());
    expect(decoder.decode(atomList([kept.name, kept.name]))).toEqual([kept, kept]);
  });
});
