/** RefMap: references compared by value, as Erlang compares them, whatever object carries them. */
import { atom, Reference } from '../../codec';
import { sameRef } from '../../src/process/identity';
import { RefMap } from '../../src/process/ref-map';

const ref = (node: string, creation: number, ...ids: number[]) => new Reference(atom(node), creation, ids);

describe('RefMap', () => {
  it('finds an entry by an equal reference that is another object', () => {
    const m = new RefMap<string>();
    m.set(ref('a@h', 1, 1, 2, 3), 'x');
    expect(m.get(ref('a@h', 1, 1, 2, 3))).toBe('x');
    expect(m.has(ref('a@h', 1, 1, 2, 3))).toBe(true);
    expect(m.get(ref('a@h', 2, 1, 2, 3))).toBeUndefined();
    expect(m.get(ref('b@h', 1, 1, 2, 3))).toBeUndefined();
    expect(m.get(ref('a@h', 1, 1, 2))).toBeUndefined();
    expect(m.size).toBe(1);
  });

  it('keeps colliding references apart, and removes each alone', () => {
    const m = new RefMap<number>();
    // Same ids, other nodes: the same hash, different references.
    const refs = ['a@h', 'b@h', 'c@h'].map((n) => ref(n, 1, 5, 6, 7));
    refs.forEach((r, i) => m.set(r, i));
    refs.forEach((r, i) => expect(m.get(ref(r.node.name, 1, 5, 6, 7))).toBe(i));
    expect(m.take(ref('b@h', 1, 5, 6, 7))).toBe(1);
    expect(m.delete(ref('b@h', 1, 5, 6, 7))).toBe(false);
    expect(m.get(refs[0])).toBe(0);
    expect(m.get(refs[2])).toBe(2);
    expect(m.values().sort()).toEqual([0, 2]);
    expect(
      m
        .entries()
        .map(([r]) => r.node.name)
        .sort(),
    ).toEqual(['a@h', 'c@h']);
    m.set(refs[0], 9);
    expect(m.size).toBe(2);
    expect(m.get(refs[0])).toBe(9);
    m.clear();
    expect(m.size).toBe(0);
    expect(m.get(refs[2])).toBeUndefined();
  });

  it('sameRef compares node, creation and every id', () => {
    expect(sameRef(ref('a@h', 1, 1, 2, 3), ref('a@h', 1, 1, 2, 3))).toBe(true);
    expect(sameRef(ref('a@h', 1, 1, 2, 3), ref('a@h', 1, 1, 2, 4))).toBe(false);
    expect(sameRef(ref('a@h', 1, 1, 2, 3), ref('a@h', 1, 1, 2, 3, 0))).toBe(false);
  });
});
