import { AtomCacheIn } from '../../src/dist/atom-cache-in';
import { AtomCacheOut } from '../../src/dist/atom-cache-out';
import { MessageReader } from '../../src/dist/message-reader';
import { MessageWriter } from '../../src/dist/message-writer';
import { PacketReader } from '../../src/dist/packets';
import { Atom, atom, equals, Term, tuple } from '../../codec';
import { thrownBy } from '../support/thrown';

/** Two atom names whose cache slots are the same (found by trying). */
function collidingNames(): [string, string] {
  const out = new AtomCacheOut();
  const bySlot = new Map<string, string>();
  for (let i = 0; ; i++) {
    const name = `collide_${i}`;
    out.begin();
    out.refFor(atom(name));
    // Count, flags (new, segment in the low 3 bits), the slot's low byte.
    const refs = out.headerRefs();
    const slot = `${refs[1] & 7}:${refs[2]}`;
    const other = bySlot.get(slot);
    if (other !== undefined) return [other, name];
    bySlot.set(slot, name);
  }
}

describe('atom cache', () => {
  it('carries messages right across hundreds of messages, with atoms sharing a slot', () => {
    const w = new MessageWriter({ headers: true, atomCache: true, fragments: false });
    const r = new MessageReader({ headers: true, maxFragmentBytes: 1 << 20 });
    const frames = new PacketReader(1 << 20);
    const [a, b] = collidingNames();
    // More messages than the writer numbers before its numbers go round (255), so claims of
    // earlier messages must not leak into later ones.
    for (let i = 0; i < 700; i++) {
      const names = [a, b, `n${i % 37}`, `n${(i * 7) % 41}`, i % 3 === 0 ? b : a];
      const payload = tuple(...names.map((n) => atom(n)), i);
      const control = tuple(2, atom(''), atom(`to_${i % 5}`));
      const got = frames.push(Buffer.concat(w.write(control, payload))).map((f) => r.read(f));
      expect(got).toHaveLength(1);
      expect(equals(got[0]?.control as Term, control)).toBe(true);
      expect(equals(got[0]?.payload as Term, payload)).toBe(true);
    }
  });

  it('forgets which slots a message took once the message numbers go round', () => {
    const w = new MessageWriter({ headers: true, atomCache: true, fragments: false });
    const r = new MessageReader({ headers: true, maxFragmentBytes: 1 << 20 });
    const frames = new PacketReader(1 << 20);
    const send = (control: Term) => {
      const got = frames.push(Buffer.concat(w.write(control))).map((f) => r.read(f));
      expect(equals(got[0]?.control as Term, control)).toBe(true);
    };
    const withAtom = tuple(1, atom('lonely'));
    send(withAtom);
    // 254 messages without atoms between, for every number the writer gives a message (255):
    // the atom's message is the last to claim its slot when its number comes round again.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 254; i++) send(tuple(1, i));
      send(withAtom);
    }
  });

  it('gives one reference to an atom used twice in a message, and none to a second atom in its slot', () => {
    const [a, b] = collidingNames();
    const out = new AtomCacheOut();
    out.begin();
    expect(out.refFor(atom(a))).toBe(0);
    expect(out.refFor(atom(b))).toBeUndefined();
    expect(out.refFor(atom(a))).toBe(0);
    out.begin();
    expect(out.refFor(atom(b))).toBe(0);
  });

  it('sends an atom text once, then references only', () => {
    const out = new AtomCacheOut();
    const refs = () => {
      out.begin();
      out.refFor(atom('weather'));
      return out.headerRefs();
    };
    const first = refs();
    const again = refs();
    expect(first.includes(Buffer.from('weather'))).toBe(true);
    expect(again.includes(Buffer.from('weather'))).toBe(false);
    const cache = new AtomCacheIn();
    cache.readRefs(first, 0);
    cache.readRefs(again, 0);
    expect(cache.refs).toEqual([Atom.of('weather')]);
  });

  it('refuses a reference to a slot the peer never filled', () => {
    const cache = new AtomCacheIn();
    // One reference, flags 0 (old entry, segment 0), slot 5.
    expect(thrownBy(() => cache.readRefs(Buffer.from([1, 0, 5]), 0))).toMatchObject({ code: 'atom_cache' });
  });
});
