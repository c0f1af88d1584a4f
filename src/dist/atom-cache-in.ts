/**
 * The receiving side of a connection's atom cache (2,048 entries, 8 segments of 256), filled by the
 * distribution headers the peer sends, and the parser for those headers' atom cache references.
 */
import { Atom } from '../../codec';
import { DistError } from './errors';

export class AtomCacheIn {
  // By slot. A peer fills a few dozen of the 2,048 slots: a map holds those only, where a table
  // of every slot cost each connection 16 KiB of heap and its allocation.
  private readonly entries = new Map<number, Atom>();
  /** The atoms the current message's ATOM_CACHE_REFs (tag 82) point at, by reference index. */
  readonly refs: Array<Atom | undefined> = [];

  /**
   * Read `NumberOfAtomCacheRefs | Flags | AtomCacheRefs` at `offset`, update the cache and `refs`,
   * and return the offset after it.
   */
  readRefs(buf: Buffer, offset: number): number {
    const fail = (why: string): never => {
      throw new DistError('atom_cache', `distribution header: ${why} at byte ${offset}`);
    };
    if (offset >= buf.length) fail('truncated');
    const count = buf[offset++];
    this.refs.length = count;
    if (count === 0) return offset;
    const flagBytes = (count >> 1) + 1;
    if (offset + flagBytes > buf.length) fail('truncated flags');
    const flagsAt = offset;
    offset += flagBytes;
    const flagOf = (i: number): number => (buf[flagsAt + (i >> 1)] >> ((i & 1) * 4)) & 0xf;
    const longAtoms = (flagOf(count) & 1) === 1;
    for (let i = 0; i < count; i++) {
      const flag = flagOf(i);
      if (offset >= buf.length) fail('truncated reference');
      const slot = ((flag & 7) << 8) | buf[offset++];
      if (flag & 8) {
        let len: number;
        if (longAtoms) {
          if (offset + 2 > buf.length) fail('truncated atom length');
          len = buf.readUInt16BE(offset);
          offset += 2;
        } else {
          if (offset + 1 > buf.length) fail('truncated atom length');
          len = buf[offset++];
        }
        if (offset + len > buf.length) fail('truncated atom text');
        // UTF8_ATOMS is mandatory since OTP 25, so atom text here is UTF-8.
        const name = buf.toString('utf8', offset, offset + len);
        if ([...name].length > 255) fail('atom longer than 255 characters');
        offset += len;
        const atom = Atom.of(name);
        this.entries.set(slot, atom);
        this.refs[i] = atom;
      } else {
        const atom = this.entries.get(slot);
        if (atom === undefined) fail(`reference to empty cache slot ${slot}`);
        this.refs[i] = atom;
      }
    }
    return offset;
  }
}
