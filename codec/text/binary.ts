/**
 * Builds a bitstring from the segments of a binary literal (`<<1, 2:3, "λ"/utf8>>`), bit by bit.
 */
import { BitBinary } from '../terms';

/** The largest segment a literal may write, in bits: a typo like `<<0:99999999999>>` fails fast. */
export const MAX_SEGMENT_BITS = 1 << 27;

/**
 * The low `length` bytes of `value` in two's complement, big-endian. Only the bytes the value
 * occupies take BigInt arithmetic; the rest repeat its sign (so `<<1:100000000>>` is quick).
 */
function twosComplement(value: bigint, length: number): Buffer {
  const own = Math.min(length, Math.ceil((value < 0n ? -value : value).toString(16).length / 2) + 1);
  const modulus = 1n << BigInt(own * 8);
  const low = ((value % modulus) + modulus) % modulus;
  const bytes = Buffer.alloc(length, value < 0n ? 0xff : 0);
  bytes.write(low.toString(16).padStart(own * 2, '0'), length - own, 'hex');
  return bytes;
}

/** Writes segments most significant bit first, as Erlang's binary construction does. */
export class BitWriter {
  /** The bytes written so far (grown by doubling); the last may be partly filled. */
  private bytes = Buffer.alloc(16);
  private bits = 0;

  /** Room for `n` more bits. */
  private reserve(n: number): void {
    const needed = Math.ceil((this.bits + n) / 8);
    if (needed <= this.bytes.length) return;
    const grown = Buffer.alloc(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown);
    this.bytes = grown;
  }

  /** The low `n` (1..8) bits of `value`. */
  private push(value: number, n: number): void {
    value &= (1 << n) - 1;
    this.reserve(n);
    const used = this.bits & 7;
    const at = this.bits >> 3;
    if (used === 0) {
      this.bytes[at] = (value << (8 - n)) & 0xff;
    } else {
      const free = 8 - used;
      if (n <= free) {
        this.bytes[at] |= (value << (free - n)) & 0xff;
      } else {
        this.bytes[at] |= value >> (n - free);
        this.bytes[at + 1] = (value << (8 - (n - free))) & 0xff;
      }
    }
    this.bits += n;
  }

  private pushBytes(bytes: Uint8Array): void {
    if ((this.bits & 7) !== 0) {
      for (const b of bytes) this.push(b, 8);
      return;
    }
    this.reserve(bytes.length * 8);
    this.bytes.set(bytes, this.bits >> 3);
    this.bits += bytes.length * 8;
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
    const length = Math.ceil(size / 8);
    const bytes = twosComplement(BigInt(value), length);
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
    const buf = Buffer.from(this.bytes.subarray(0, Math.ceil(this.bits / 8)));
    const rest = this.bits & 7;
    return rest === 0 ? buf : new BitBinary(buf, rest);
  }
}
