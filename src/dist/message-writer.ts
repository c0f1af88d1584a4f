/**
 * Turns control messages (and payloads) into frames for the wire, in the format the handshake
 * negotiated: pass-through (112) or the distribution header with the atom cache, split into
 * fragments when FRAGMENTS was negotiated and the message is large (as OTP does above 64 KiB).
 *
 * A frame is a list of chunks, not one buffer: a large binary in a payload is the sender's own
 * Buffer (see `Encoder.encodeChunks`), and a fragment's data are views of those chunks, so the
 * socket writes it as its own writev entry instead of copying it into the frame.
 */
import { Encoder, Term } from '../../codec';
import { writeLengthPrefix } from '../../handshake';
import { AtomCacheOut } from './atom-cache-out';
import { knownEncoding } from './encoded';
import { FRAGMENT_SIZE, FrameTag } from './header';

/** The version byte a payload needs in a pass-through frame. */
const VERSION_BYTE = Buffer.from([FrameTag.Version]);
/** The atom cache refs of a header without the atom cache: no refs. */
const NO_REFS = Buffer.from([0]);
/** Length prefix (4) and a fragment header: 131, tag, sequence id (8), fragment id (8). */
const FRAGMENT_HEAD = 4 + 18;

export interface MessageWriterOptions {
  /** DIST_HDR_ATOM_CACHE or FRAGMENTS negotiated: write the 131,68 header. */
  headers: boolean;
  /** DIST_HDR_ATOM_CACHE negotiated: replace atoms by cache references. */
  atomCache: boolean;
  /** FRAGMENTS negotiated: split messages larger than `fragmentSize`. */
  fragments: boolean;
  fragmentSize?: number;
}

/** Where {@link takeBytes} is in a list of chunks. */
interface Cursor {
  chunk: number;
  offset: number;
}

/** Append the next `n` bytes of `chunks` (from `at`, which moves on) to `out`, as views. */
function takeBytes(chunks: Buffer[], at: Cursor, n: number, out: Buffer[]): void {
  while (n > 0 && at.chunk < chunks.length) {
    const c = chunks[at.chunk];
    const left = c.length - at.offset;
    if (left <= n) {
      out.push(at.offset === 0 ? c : c.subarray(at.offset));
      n -= left;
      at.chunk++;
      at.offset = 0;
    } else {
      out.push(c.subarray(at.offset, at.offset + n));
      at.offset += n;
      n = 0;
    }
  }
}

function fragmentHead(h: Buffer, at: number, size: number, tag: number, sequence: number, id: number): void {
  writeLengthPrefix(h, size, 4, at);
  h[at + 4] = FrameTag.Version;
  h[at + 5] = tag;
  // Sequence and fragment ids are 64-bit on the wire; ours stay below 2^53.
  h.writeUInt32BE(Math.floor(sequence / 0x1_0000_0000), at + 6);
  h.writeUInt32BE(sequence >>> 0, at + 10);
  h.writeUInt32BE(0, at + 14);
  h.writeUInt32BE(id, at + 18);
}

export class MessageWriter {
  private readonly cache = new AtomCacheOut();
  private readonly encoder: Encoder;
  private readonly fragmentSize: number;
  private nextSequence = 1;

  constructor(private readonly options: MessageWriterOptions) {
    this.fragmentSize = options.fragmentSize ?? FRAGMENT_SIZE;
    this.encoder = new Encoder(options.atomCache ? { atomCacheHook: (a) => this.cache.refFor(a) } : {});
  }

  /**
   * The chunks to write for one message, length prefixes included, in order. An encoding error
   * throws before anything is committed (the atom cache included). Binaries of the payload from
   * `OWN_CHUNK_BYTES` on are among the chunks as they are: they must not change until written.
   */
  write(control: Term, payload?: Term): Buffer[] {
    const known = payload === undefined ? undefined : knownEncoding(payload);
    // out[0] is the head, written once the sizes are known.
    const out: Buffer[] = [VERSION_BYTE];
    if (!this.options.headers) {
      const c = this.encoder.encode(control);
      out.push(c);
      let size = 1 + c.length;
      if (payload !== undefined) {
        out.push(VERSION_BYTE);
        size += 1 + (known === undefined ? this.encoder.encodeChunks(payload, out) : pushAll(known, out));
      }
      const head = Buffer.allocUnsafe(5);
      writeLengthPrefix(head, size, 4);
      head[4] = FrameTag.PassThrough;
      out[0] = head;
      return out;
    }
    this.cache.begin();
    const controlSize = this.encoder.encodeChunks(control, out);
    const controlEnd = out.length;
    let payloadSize = 0;
    if (payload !== undefined) payloadSize = known === undefined ? this.encoder.encodeChunks(payload, out) : pushAll(known, out);
    const refsSize = this.options.atomCache ? this.cache.headerSize() : 1;
    const size = 2 + refsSize + controlSize + payloadSize;
    if (!this.options.fragments || size <= this.fragmentSize || payload === undefined) {
      // Length prefix, 131, 68 and the atom cache refs in one buffer.
      const head = Buffer.allocUnsafe(6 + refsSize);
      writeLengthPrefix(head, size, 4);
      head[4] = FrameTag.Version;
      head[5] = FrameTag.Header;
      if (this.options.atomCache) this.cache.writeHeader(head, 6);
      else head[6] = 0;
      out[0] = head;
      return out;
    }
    const refs = this.options.atomCache ? this.cache.headerRefs() : NO_REFS;
    return this.fragment(refs, out, controlEnd, controlSize, payloadSize);
  }

  /**
   * The first fragment carries the header and the whole control message (`chunks[1..controlEnd)`);
   * the payload (the chunks after) is split, each fragment's data views of its chunks.
   */
  private fragment(refs: Buffer, chunks: Buffer[], controlEnd: number, controlSize: number, payloadSize: number): Buffer[] {
    const size = this.fragmentSize;
    const firstRoom = Math.max(1, size - (18 + refs.length + controlSize));
    const firstSize = Math.min(firstRoom, payloadSize);
    const count = 1 + Math.ceil(Math.max(0, payloadSize - firstRoom) / size);
    const sequence = this.nextSequence++;
    // Every fragment's length prefix and header in one buffer; the first one's refs after its header.
    const heads = Buffer.allocUnsafe(FRAGMENT_HEAD * count + refs.length);
    fragmentHead(heads, 0, 18 + refs.length + controlSize + firstSize, FrameTag.FragmentStart, sequence, count);
    refs.copy(heads, FRAGMENT_HEAD);
    let at = FRAGMENT_HEAD + refs.length;
    const out: Buffer[] = [heads.subarray(0, at)];
    for (let i = 1; i < controlEnd; i++) out.push(chunks[i]);
    const cursor: Cursor = { chunk: controlEnd, offset: 0 };
    takeBytes(chunks, cursor, firstSize, out);
    let left = payloadSize - firstSize;
    for (let id = count - 1; id >= 1; id--, at += FRAGMENT_HEAD) {
      const n = Math.min(size, left);
      fragmentHead(heads, at, 18 + n, FrameTag.FragmentCont, sequence, id);
      out.push(heads.subarray(at, at + FRAGMENT_HEAD));
      takeBytes(chunks, cursor, n, out);
      left -= n;
    }
    return out;
  }
}

/** Append `chunks` to `out`; returns their size. */
function pushAll(chunks: readonly Buffer[], out: Buffer[]): number {
  let size = 0;
  for (const c of chunks) {
    out.push(c);
    size += c.length;
  }
  return size;
}
