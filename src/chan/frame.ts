/**
 * `{packet,4}` framing: every frame is a 4-byte big-endian length followed by that many bytes.
 */
import { lengthPrefixed, readLengthPrefix } from '../../handshake/transport/length-prefix';
import { ChanProtocolError } from './errors';

const HEADER = 4 as const;

/** The bytes of one frame holding `payload`. */
export function frame(payload: Buffer): Buffer {
  return lengthPrefixed(payload, HEADER);
}

/**
 * Cuts a byte stream into frame payloads, one at a time on demand, so that the limit in force
 * when a frame is taken is the one that applies to it. A frame announcing more than
 * `maxFrameSize` bytes is a {@link ChanProtocolError} as soon as its header is taken.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;

  /** `maxFrameSize` may change between frames (lib_chan allows more once a peer is authenticated). */
  constructor(public maxFrameSize: number) {}

  /** Bytes received and not yet taken as frames. */
  get buffered(): number {
    return this.length;
  }

  /** Append received bytes. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The next complete payload, or `undefined` until its bytes have arrived. */
  next(): Buffer | undefined {
    if (this.length < HEADER) return undefined;
    if (this.chunks[0].length < HEADER) this.join();
    const size = readLengthPrefix(this.chunks[0], HEADER);
    if (size > this.maxFrameSize) {
      throw new ChanProtocolError(`a frame of ${size} bytes is over the limit of ${this.maxFrameSize}`);
    }
    if (this.length < HEADER + size) return undefined;
    // Joining only once the whole frame is here keeps a big frame in many chunks linear.
    if (this.chunks[0].length < HEADER + size) this.join();
    const first = this.chunks[0];
    const payload = first.subarray(HEADER, HEADER + size);
    if (first.length === HEADER + size) this.chunks.shift();
    else this.chunks[0] = first.subarray(HEADER + size);
    this.length -= HEADER + size;
    return payload;
  }

  /** Drop everything buffered. */
  clear(): void {
    this.chunks = [];
    this.length = 0;
  }

  private join(): void {
    this.chunks = [Buffer.concat(this.chunks, this.length)];
  }
}
