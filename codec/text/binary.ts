/**
 * Builds a bitstring from the segments of a binary literal (`<<1, 2:3, "λ"/utf8>>`), bit by bit.
 */
import { BitBinary } from '../terms';

/** The largest segment a literal may write, in bits: a typo like `<<0:99999999999>>` fails fast. */
export const MAX_SEGMENT_BITS = 1 << 27;

/** Writes segments most significant bit first, as Erlang's binary construction does. */
export class BitWriter {
  private readonly bytes: number[] = [];
  private bits = 0;

  /** The low `n` (1..8) bits of `value`. */
  private push(value: number, n: number): void {
    const used = this.bits & 7;
    if (used === 0) {
      this.bytes.push((value << (8 - n)) & 0xff);
    } else {
      const free = 8 - used;
      const last = this.bytes.length - 1;
      if (n <= free) {
        this.bytes[last] |= (value << (free - n)) & 0xff;
      } else {
        this.bytes[last] |= value >> (n - free);
        this.bytes.push((value << (8 - (n - free))) & 0xff);
      }
    }
    this.bits += n;
  }

  private pushBytes(bytes: Uint8Array): void {
    for (const b of bytes) this.push(b, 8);
  }

  /**
   * An integer segment of `size` bits, two's complement and truncated as Erlang does
   * (`<<300>>` is `<<44>>`, `<<-1>>` is `<<255>>`). Little-endian needs whole bytes.
   */
  integer(value: number | bigint, size: number, little: boolean): void {
    if (typeof value === 'number' && size === 8) {
      this.push(value & 0xff, 8);
      return;
    }
    if (size === 0) return;
    const modulus = 1n << BigInt(size);
    const v = ((BigInt(value) % modulus) + modulus) % modulus;
    const length = Math.ceil(size / 8);
    const bytes = Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex');
    if (little) {
      this.pushBytes(bytes.reverse());
      return;
    }
    // The first byte holds only what is left over from whole bytes.
    const lead = size - (length - 1) * 8;
    this.push(bytes[0], lead);
    this.pushBytes(bytes.subarray(1));
  }

  /** A float segment of 32 or 64 bits. */
  float(value: number, size: 32 | 64, little: boolean): void {
    const buf = Buffer.alloc(size / 8);
    if (size === 64) {
      if (little) buf.writeDoubleLE(value);
      else buf.writeDoubleBE(value);
    } else {
      if (little) buf.writeFloatLE(value);
      else buf.writeFloatBE(value);
    }
    this.pushBytes(buf);
  }

  /** One code point as UTF-8, UTF-16 or UTF-32. */
  utf(code: number, encoding: 'utf8' | 'utf16' | 'utf32', little: boolean): void {
    const text = String.fromCodePoint(code);
    let buf: Buffer;
    if (encoding === 'utf8') {
      buf = Buffer.from(text, 'utf8');
    } else if (encoding === 'utf16') {
      buf = Buffer.from(text, 'utf16le');
      if (!little) buf.swap16();
    } else {
      buf = Buffer.alloc(4);
      if (little) buf.writeUInt32LE(code);
      else buf.writeUInt32BE(code);
    }
    this.pushBytes(buf);
  }

  /** A binary when the bits fill whole bytes, a {@link BitBinary} otherwise. */
  result(): Buffer | BitBinary {
    const buf = Buffer.from(this.bytes);
    const rest = this.bits & 7;
    return rest === 0 ? buf : new BitBinary(buf, rest);
  }
}
