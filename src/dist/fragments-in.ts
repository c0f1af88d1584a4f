/**
 * Reassembles fragmented messages (131,69 start and 131,70 continuation headers), with the memory
 * they may hold bounded: a peer cannot make us buffer without limit.
 *
 * Fragments are held as they came (views of the socket chunks, or of the frame) and copied once,
 * into one buffer of the exact size, when the last fragment is in. A piece that is less than half
 * of the memory behind it (a few bytes of a large socket chunk) is copied on arrival instead, so
 * what the held views keep alive is at most twice what is held: `maxBytes` bounds the bytes held,
 * and the message we allocate is never larger than what the peer sent.
 */
import { DistError } from './errors';

interface Sequence {
  /** The fragment id the next continuation must carry (counts down to 1). */
  next: bigint;
  parts: Buffer[];
  bytes: number;
}

export class FragmentAssembler {
  private readonly sequences = new Map<bigint, Sequence>();
  private heldBytes = 0;

  /**
   * @param maxBytes bytes all unfinished sequences together may hold.
   * @param maxSequences unfinished sequences at once.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly maxSequences = 256,
  ) {}

  /**
   * A start fragment: `body` is everything after sequence and fragment ids (atom cache refs,
   * control message, first part of payload). Returns the whole message body when `fragments` is 1.
   */
  start(sequenceId: bigint, fragments: bigint, body: Buffer): Buffer | null {
    if (fragments < 1n) throw new DistError('fragment', `start fragment with fragment id ${fragments}`);
    if (this.sequences.has(sequenceId)) throw new DistError('fragment', `sequence ${sequenceId} started twice`);
    if (fragments === 1n) return body;
    if (this.sequences.size >= this.maxSequences) {
      throw new DistError('fragment_memory', `more than ${this.maxSequences} fragmented messages at once`);
    }
    this.hold(body.length);
    const seq: Sequence = { next: fragments - 1n, parts: [], bytes: 0 };
    keep(seq, body);
    this.sequences.set(sequenceId, seq);
    return null;
  }

  /**
   * A continuation fragment, as one buffer or as the pieces it came in (views, taken as they are).
   * Returns the whole message body once the last fragment is in.
   */
  continue(sequenceId: bigint, fragmentId: bigint, data: Buffer | readonly Buffer[]): Buffer | null {
    const seq = this.sequences.get(sequenceId);
    if (!seq) throw new DistError('fragment', `continuation for unknown sequence ${sequenceId}`);
    if (fragmentId !== seq.next) {
      throw new DistError('fragment', `sequence ${sequenceId}: fragment ${fragmentId} where ${seq.next} was due`);
    }
    if (Buffer.isBuffer(data)) {
      this.hold(data.length);
      keep(seq, data);
    } else {
      let bytes = 0;
      for (const p of data) bytes += p.length;
      this.hold(bytes);
      for (const p of data) keep(seq, p);
    }
    if (fragmentId > 1n) {
      seq.next = fragmentId - 1n;
      return null;
    }
    this.sequences.delete(sequenceId);
    this.heldBytes -= seq.bytes;
    if (seq.parts.length === 1) return seq.parts[0];
    const out = Buffer.allocUnsafe(seq.bytes);
    let at = 0;
    for (const p of seq.parts) at += p.copy(out, at);
    return out;
  }

  private hold(bytes: number): void {
    this.heldBytes += bytes;
    if (this.heldBytes > this.maxBytes) {
      throw new DistError('fragment_memory', `fragmented messages exceed the limit of ${this.maxBytes} bytes`);
    }
  }

  /** Bytes held by unfinished sequences. */
  get held(): number {
    return this.heldBytes;
  }
}

/** Hold `part` in `seq`: as a view, unless that would keep alive more than twice its size. */
function keep(seq: Sequence, part: Buffer): void {
  if (part.length === 0) return;
  seq.parts.push(part.length * 2 >= part.buffer.byteLength ? part : Buffer.from(part));
  seq.bytes += part.length;
}
