/**
 * `{packet,4}` framing: every frame is a 4-byte big-endian length followed by that many bytes.
 */
import { ChanProtocolError } from './errors';

const HEADER = 4;

/** The bytes of one frame holding `payload`. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, HEADER);
  return out;
}

/**
 * Cuts a byte stream into frame payloads. A frame announcing more than `maxFrameSize` bytes is a
 * {@link ChanProtocolError} as soon as its header arrives, before anything is buffered for it.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** `maxFrameSize` may be changed between pushes (lib_chan allows more once a peer is authenticated). */
  constructor(public maxFrameSize: number) {}

  /** Feed received bytes; returns every payload completed by them, in order. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const payloads: Buffer[] = [];
    let p = 0;
    while (buf.length - p >= HEADER) {
      const size = buf.readUInt32BE(p);
      if (size > this.maxFrameSize) {
        throw new ChanProtocolError(`lib_chan: a frame of ${size} bytes is over the limit of ${this.maxFrameSize}`);
      }
      if (buf.length - p - HEADER < size) break;
      payloads.push(buf.subarray(p + HEADER, p + HEADER + size));
      p += HEADER + size;
    }
    this.pending = p === buf.length ? Buffer.alloc(0) : buf.subarray(p);
    return payloads;
  }
}
