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
  // The atom the peer has in each slot. A connection uses a few dozen of the 2,048 slots: a map
  // holds those only, where a table of every slot cost each connection 16 KiB of heap.
  private readonly slots = new Map<number, Atom>();
  // This message's references, in order: the atom, its slot, and whether the peer must be told
  // the text. Kept in reused arrays: a message costs no allocation here (this runs per send).
  private readonly refAtoms: Atom[] = [];
  private readonly refSlots: number[] = [];
  private readonly refNew: boolean[] = [];
  private count = 0;
  /**
   * Per slot, the message (numbered by `begin`, 1..255 round) that last claimed it and the
   * reference it got there: `message << 8 | reference`. Made by the first message with an atom
   * (a connection without the atom cache never needs it); cleared when the numbers go round.
   */
  private claims: Uint16Array | undefined;
  private message = 1;

  /** Start a new message. */
  begin(): void {
    this.count = 0;
    if (++this.message > 0xff) {
      this.claims?.fill(0);
      this.message = 1;
    }
  }

  /** The reference index for `atom` in this message, or undefined to encode it inline. */
  refFor(atom: Atom): number | undefined {
    const slot = slotOf(atom.name);
    const claims = (this.claims ??= new Uint16Array(CACHE_SIZE));
    // Slots written by this message: a second atom hashing there is sent inline instead.
    const claim = claims[slot];
    if (claim >> 8 === this.message) {
      const index = claim & 0xff;
      return this.refAtoms[index] === atom ? index : undefined;
    }
    if (this.count >= MAX_REFS) return undefined;
    const isNew = this.slots.get(slot) !== atom;
    if (isNew && Buffer.byteLength(atom.name, 'utf8') > 255 * 4) return undefined;
    const index = this.count++;
    claims[slot] = (this.message << 8) | index;
    this.refAtoms[index] = atom;
    this.refSlots[index] = slot;
    this.refNew[index] = isNew;
    return index;
  }

  /** The size of {@link writeHeader}'s bytes for the message begun last. */
  headerSize(): number {
    const count = this.count;
    if (count === 0) return 1;
    let size = 1 + (count >> 1) + 1 + count;
    let texts = 0;
    let news = 0;
    let longAtoms = false;
    for (let i = 0; i < count; i++) {
      if (!this.refNew[i]) continue;
      const len = Buffer.byteLength(this.refAtoms[i].name, 'utf8');
      if (len > 255) longAtoms = true;
      texts += len;
      news++;
    }
    size += texts + news * (longAtoms ? 2 : 1);
    return size;
  }

  /**
   * Write `NumberOfAtomCacheRefs | Flags | AtomCacheRefs` for the message begun last at `at`
   * ({@link headerSize} bytes); returns the end. Call it only for a message that will be sent:
   * from here on the cache assumes the peer has these atoms.
   */
  writeHeader(out: Buffer, at: number): number {
    const count = this.count;
    out[at] = count;
    if (count === 0) return at + 1;
    let longAtoms = false;
    for (let i = 0; i < count; i++) {
      if (this.refNew[i]) this.slots.set(this.refSlots[i], this.refAtoms[i]);
      if (this.refNew[i] && !longAtoms && Buffer.byteLength(this.refAtoms[i].name, 'utf8') > 255) longAtoms = true;
    }
    const flags = at + 1;
    const flagBytes = (count >> 1) + 1;
    out.fill(0, flags, flags + flagBytes);
    let pos = flags + flagBytes;
    for (let i = 0; i < count; i++) {
      const slot = this.refSlots[i];
      const isNew = this.refNew[i];
      out[flags + (i >> 1)] |= ((isNew ? 8 : 0) | (slot >> 8)) << ((i & 1) * 4);
      out[pos++] = slot & 0xff;
      if (isNew) {
        const name = this.refAtoms[i].name;
        const len = Buffer.byteLength(name, 'utf8');
        if (longAtoms) pos = out.writeUInt16BE(len, pos);
        else out[pos++] = len;
        pos += out.write(name, pos, len, 'utf8');
      }
    }
    if (longAtoms) out[flags + (count >> 1)] |= 1 << ((count & 1) * 4);
    return pos;
  }

  /** {@link writeHeader}'s bytes in a buffer of their own. */
  headerRefs(): Buffer {
    const out = Buffer.allocUnsafe(this.headerSize());
    this.writeHeader(out, 0);
    return out;
  }
}
