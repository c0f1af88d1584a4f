/**
 * The sending side of a connection's atom cache: which atoms of an outgoing message become
 * ATOM_CACHE_REFs, and the header bytes that tell the peer about them. An atom sent once is cached
 * in a slot chosen by its hash; later messages name it with a two-byte reference.
 */
import { Atom } from '../../codec';

const CACHE_SIZE = 2048;
const MAX_REFS = 255;

function slotOf(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return (h >>> 0) % CACHE_SIZE;
}

export class AtomCacheOut {
  private readonly slots: Array<Atom | undefined> = new Array(CACHE_SIZE);
  /** This message's references: the atom, its slot, and whether the peer must be told the text. */
  private refs: Array<{ atom: Atom; slot: number; isNew: boolean }> = [];
  private refIndex = new Map<Atom, number>();
  /** Slots written by this message: a second atom hashing there is sent inline instead. */
  private claimed = new Set<number>();

  /** Start a new message. */
  begin(): void {
    this.refs = [];
    this.refIndex.clear();
    this.claimed.clear();
  }

  /** The reference index for `atom` in this message, or undefined to encode it inline. */
  refFor(atom: Atom): number | undefined {
    const known = this.refIndex.get(atom);
    if (known !== undefined) return known;
    if (this.refs.length >= MAX_REFS) return undefined;
    const slot = slotOf(atom.name);
    if (this.claimed.has(slot)) return undefined;
    const isNew = this.slots[slot] !== atom;
    if (isNew && Buffer.byteLength(atom.name, 'utf8') > 255 * 4) return undefined;
    this.claimed.add(slot);
    const index = this.refs.length;
    this.refs.push({ atom, slot, isNew });
    this.refIndex.set(atom, index);
    return index;
  }

  /**
   * `NumberOfAtomCacheRefs | Flags | AtomCacheRefs` for the message begun last. Call it only for a
   * message that will be sent: from here on the cache assumes the peer has these atoms.
   */
  headerRefs(): Buffer {
    for (const r of this.refs) this.slots[r.slot] = r.atom;
    const count = this.refs.length;
    if (count === 0) return Buffer.from([0]);
    const texts = this.refs.map((r) => (r.isNew ? Buffer.from(r.atom.name, 'utf8') : null));
    const longAtoms = texts.some((t) => t !== null && t.length > 255);
    const flagBytes = (count >> 1) + 1;
    let size = 1 + flagBytes;
    for (const t of texts) size += 1 + (t === null ? 0 : (longAtoms ? 2 : 1) + t.length);
    const out = Buffer.alloc(size);
    out[0] = count;
    const setFlag = (i: number, nibble: number) => {
      out[1 + (i >> 1)] |= nibble << ((i & 1) * 4);
    };
    let at = 1 + flagBytes;
    this.refs.forEach((r, i) => {
      setFlag(i, (r.isNew ? 8 : 0) | (r.slot >> 8));
      out[at++] = r.slot & 0xff;
      const text = texts[i];
      if (text !== null) {
        if (longAtoms) at = out.writeUInt16BE(text.length, at);
        else out[at++] = text.length;
        at += text.copy(out, at);
      }
    });
    if (longAtoms) setFlag(count, 1);
    return out;
  }
}
