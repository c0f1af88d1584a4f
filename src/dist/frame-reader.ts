/**
 * Splits the byte stream of an established distribution connection into `{packet, 4}` frames.
 * A zero-length frame is a tick and comes out as an empty Buffer.
 */
import { DistError } from './errors';

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the partial frame in `pending` needs in all (header included), once known. */
  private needed = 0;

  /** @param maxFrame frames declaring more bytes than this close the connection. */
  constructor(private readonly maxFrame: number) {}

  /** Feed bytes; returns the frames completed by them (views that stay valid). */
  push(chunk: Buffer): Buffer[] {
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // A large frame arrives in many chunks: join them once, when it is complete.
      if (this.needed === 0 && this.pendingBytes >= 4) this.needed = 4 + this.frameLength(Buffer.concat(this.pending), 0);
      if (this.needed === 0 || this.pendingBytes < this.needed) return [];
      chunk = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.needed = 0;
    }
    const frames: Buffer[] = [];
    let at = 0;
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
    }
    return frames;
  }

  private frameLength(buf: Buffer, at: number): number {
    const len = buf.readUInt32BE(at);
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
