/**
 * Splits the byte stream of an established distribution connection into `{packet, 4}` packets (frames).
 * A zero-length frame is a tick and comes out as an empty Buffer.
 *
 * A frame inside one socket chunk comes out as a view of it. A frame spanning several chunks comes
 * out of {@link PacketReader.pushParts} as the views it spans ({@link PacketParts}), so that a caller
 * which can take it in pieces (a continuation fragment, copied once into the message it belongs
 * to) does not pay for joining it; {@link PacketReader.push} joins such frames. The views stay
 * valid only because the caller never reuses a chunk's memory (Node hands out a new one per read).
 */
import { readLengthPrefix } from '../../handshake';
import { DistError } from './errors';

/** A frame that spans several socket chunks: views into them, in order, `length` bytes in all. */
export class PacketParts {
  private joined: Buffer | undefined;

  constructor(
    readonly parts: Buffer[],
    readonly length: number,
  ) {}

  /** The frame as one buffer (joined once, on first use; a fresh buffer the caller may keep). */
  contiguous(): Buffer {
    if (this.joined === undefined) this.joined = Buffer.concat(this.parts, this.length);
    return this.joined;
  }

  /** The first `n` bytes (n <= length) as one buffer: a view when the first part holds them. */
  head(n: number): Buffer {
    if (this.joined !== undefined) return this.joined.subarray(0, n);
    if (this.parts[0].length >= n) return this.parts[0].subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const p of this.parts) {
      at += p.copy(out, at, 0, Math.min(p.length, n - at));
      if (at === n) break;
    }
    return out;
  }

  /** The views of the bytes from `offset` on, without copying. */
  from(offset: number): Buffer[] {
    if (this.joined !== undefined) return [this.joined.subarray(offset)];
    const out: Buffer[] = [];
    for (const p of this.parts) {
      if (offset >= p.length) {
        offset -= p.length;
        continue;
      }
      out.push(offset > 0 ? p.subarray(offset) : p);
      offset = 0;
    }
    return out;
  }
}

export type Packet = Buffer | PacketParts;

export class PacketReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the partial frame in `pending` needs in all (header included), once known. */
  private needed = 0;

  /** @param maxFrame frames declaring more bytes than this close the connection. */
  constructor(private readonly maxFrame: number) {}

  /** Feed bytes; returns the frames completed by them, each one buffer (views that stay valid). */
  push(chunk: Buffer): Buffer[] {
    const frames = this.pushParts(chunk) as Buffer[];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i] as Packet;
      if (f instanceof PacketParts) frames[i] = f.contiguous();
    }
    return frames;
  }

  /**
   * Feed bytes; returns the frames completed by them: a frame within one chunk as a Buffer (a
   * view), one spanning chunks as {@link PacketParts} (views, nothing copied).
   */
  pushParts(chunk: Buffer): Packet[] {
    const frames: Packet[] = [];
    let at = 0;
    if (this.pendingBytes > 0) {
      if (this.needed === 0) {
        // The 4-byte length is split across chunks: read it from at most 4 bytes.
        if (this.pendingBytes + chunk.length < 4) {
          this.pending.push(chunk);
          this.pendingBytes += chunk.length;
          return frames;
        }
        const head = Buffer.concat([...this.pending, chunk.subarray(0, 4)], 4);
        this.needed = 4 + this.frameLength(head, 0);
      }
      const missing = this.needed - this.pendingBytes;
      if (chunk.length < missing) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        return frames;
      }
      this.pending.push(chunk.subarray(0, missing));
      frames.push(this.completePending());
      at = missing;
    }
    while (chunk.length - at >= 4) {
      const len = this.frameLength(chunk, at);
      if (chunk.length - at - 4 < len) {
        this.needed = 4 + len;
        break;
      }
      frames.push(chunk.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    if (at < chunk.length) {
      this.pending.push(chunk.subarray(at));
      this.pendingBytes = chunk.length - at;
      if (this.pendingBytes < 4) this.needed = 0;
    }
    return frames;
  }

  /** The frame in `pending` (complete, header included), without its 4-byte header. */
  private completePending(): Packet {
    const length = this.needed - 4;
    const parts: Buffer[] = [];
    let skip = 4;
    for (const p of this.pending) {
      if (skip >= p.length) {
        skip -= p.length;
        continue;
      }
      parts.push(skip > 0 ? p.subarray(skip) : p);
      skip = 0;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.needed = 0;
    if (parts.length === 0) return Buffer.alloc(0);
    if (parts.length === 1) return parts[0];
    return new PacketParts(parts, length);
  }

  private frameLength(buf: Buffer, at: number): number {
    const len = readLengthPrefix(buf, 4, at);
    if (len > this.maxFrame) {
      throw new DistError('frame_too_large', `frame of ${len} bytes exceeds the limit of ${this.maxFrame}`);
    }
    return len;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.pendingBytes;
  }
}
