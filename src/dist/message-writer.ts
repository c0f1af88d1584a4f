/**
 * Turns control messages (and payloads) into frames for the wire, in the format the handshake
 * negotiated: pass-through (112) or the distribution header with the atom cache, split into
 * fragments when FRAGMENTS was negotiated and the message is large (as OTP does above 64 KiB).
 */
import { Encoder, Term } from '../../codec';
import { writeLengthPrefix } from '../../handshake';
import { AtomCacheOut } from './atom-cache-out';
import { knownEncoding } from './encoded';
import { FRAGMENT_SIZE, FrameTag } from './header';

/** The version byte a pre-encoded payload needs in a pass-through frame. */
const VERSION_BYTE = Buffer.from([FrameTag.Version]);

export interface MessageWriterOptions {
  /** DIST_HDR_ATOM_CACHE or FRAGMENTS negotiated: write the 131,68 header. */
  headers: boolean;
  /** DIST_HDR_ATOM_CACHE negotiated: replace atoms by cache references. */
  atomCache: boolean;
  /** FRAGMENTS negotiated: split messages larger than `fragmentSize`. */
  fragments: boolean;
  fragmentSize?: number;
}

function lengthPrefix(size: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  writeLengthPrefix(b, size, 4);
  return b;
}

export class MessageWriter {
  private readonly cache = new AtomCacheOut();
  private readonly encoder: Encoder;
  private readonly fragmentSize: number;
  private nextSequence = 1n;

  constructor(private readonly options: MessageWriterOptions) {
    this.fragmentSize = options.fragmentSize ?? FRAGMENT_SIZE;
    this.encoder = new Encoder(options.atomCache ? { atomCacheHook: (a) => this.cache.refFor(a) } : {});
  }

  /**
   * The chunks to write for one message, length prefixes included, in order. An encoding error
   * throws before anything is committed (the atom cache included).
   */
  write(control: Term, payload?: Term): Buffer[] {
    const encoded = payload === undefined ? undefined : knownEncoding(payload);
    if (!this.options.headers) {
      const c = this.encoder.encode(control);
      const head = Buffer.allocUnsafe(5);
      if (encoded) {
        writeLengthPrefix(head, 2 + c.length + encoded.length, 4);
        head[4] = FrameTag.PassThrough;
        return [head, c, VERSION_BYTE, encoded];
      }
      const p = payload === undefined ? null : this.encoder.encode(payload);
      writeLengthPrefix(head, 1 + c.length + (p ? p.length : 0), 4);
      head[4] = FrameTag.PassThrough;
      return p ? [head, c, p] : [head, c];
    }
    this.cache.begin();
    const c = this.encoder.encodeWithoutVersion(control);
    const p = encoded ?? (payload === undefined ? null : this.encoder.encodeWithoutVersion(payload));
    const refsSize = this.options.atomCache ? this.cache.headerSize() : 1;
    const size = 2 + refsSize + c.length + (p ? p.length : 0);
    if (!this.options.fragments || size <= this.fragmentSize || !p) {
      // Length prefix, 131, 68 and the atom cache refs in one buffer.
      const head = Buffer.allocUnsafe(6 + refsSize);
      writeLengthPrefix(head, size, 4);
      head[4] = FrameTag.Version;
      head[5] = FrameTag.Header;
      if (this.options.atomCache) this.cache.writeHeader(head, 6);
      else head[6] = 0;
      return p ? [head, c, p] : [head, c];
    }
    return this.fragment(this.options.atomCache ? this.cache.headerRefs() : Buffer.from([0]), c, p);
  }

  /** The first fragment carries the header and the whole control message; the payload is split. */
  private fragment(refs: Buffer, control: Buffer, payload: Buffer): Buffer[] {
    const firstRoom = Math.max(1, this.fragmentSize - (18 + refs.length + control.length));
    const rest = Math.max(0, payload.length - firstRoom);
    const count = 1 + Math.ceil(rest / this.fragmentSize);
    const seq = this.nextSequence++;
    const head = (tag: number, id: number): Buffer => {
      const h = Buffer.allocUnsafe(18);
      h[0] = FrameTag.Version;
      h[1] = tag;
      h.writeBigUInt64BE(seq, 2);
      h.writeBigUInt64BE(BigInt(id), 10);
      return h;
    };
    const first = payload.subarray(0, firstRoom);
    const out = [lengthPrefix(18 + refs.length + control.length + first.length), head(FrameTag.FragmentStart, count), refs, control, first];
    let id = count - 1;
    for (let at = firstRoom; at < payload.length; at += this.fragmentSize, id--) {
      const part = payload.subarray(at, at + this.fragmentSize);
      out.push(lengthPrefix(18 + part.length), head(FrameTag.FragmentCont, id), part);
    }
    return out;
  }
}
