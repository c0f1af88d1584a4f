/**
 * Reassembles fragmented messages (131,69 start and 131,70 continuation headers), with the memory
 * they may hold bounded: a peer cannot make us buffer without limit.
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
    const part = Buffer.from(body); // a copy: the frame is a view into a larger socket chunk
    this.hold(part.length);
    this.sequences.set(sequenceId, { next: fragments - 1n, parts: [part], bytes: part.length });
    return null;
  }

  /** A continuation fragment. Returns the whole message body once the last fragment is in. */
  continue(sequenceId: bigint, fragmentId: bigint, data: Buffer): Buffer | null {
    const seq = this.sequences.get(sequenceId);
    if (!seq) throw new DistError('fragment', `continuation for unknown sequence ${sequenceId}`);
    if (fragmentId !== seq.next) {
      throw new DistError('fragment', `sequence ${sequenceId}: fragment ${fragmentId} where ${seq.next} was due`);
    }
    this.hold(data.length);
    seq.parts.push(data);
    seq.bytes += data.length;
    if (fragmentId > 1n) {
      seq.next = fragmentId - 1n;
      return null;
    }
    this.sequences.delete(sequenceId);
    this.heldBytes -= seq.bytes;
    return Buffer.concat(seq.parts, seq.bytes);
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
