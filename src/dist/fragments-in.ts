/**
 * Reassembles fragmented messages (131,69 start and 131,70 continuation headers), with the memory
 * they may hold bounded: a peer cannot make us buffer without limit.
 *
 * Each fragment's data is copied once, as it arrives, into the buffer the whole message ends in:
 * no views of socket chunks are held (they die with their read) and nothing is joined at the end.
 * That buffer is sized from the start fragment (fragment count times its size, as OTP fragments
 * at one size) but never more than {@link RESERVE_AHEAD} (or, past that, the bytes received) beyond
 * what the peer has sent, nor past what `maxBytes` leaves: a peer's declared count alone cannot
 * make us allocate much that it never sends. A message larger than the reservation (or a peer
 * whose fragments grow) grows it, with one copy of what it holds.
 */
import { DistError } from './errors';

/**
 * Bytes a sequence may reserve beyond the bytes it has received: enough for a 10 MB message in
 * one allocation, little enough that a lying fragment count costs at most this much per sequence.
 */
export const RESERVE_AHEAD = 16 << 20;
/** Per-fragment slack in the size estimate, so a first fragment a little shorter than the rest (its header counted in) does not force a copy at the end. */
const FRAGMENT_SLACK = 256;

interface Sequence {
  /** The fragment id the next continuation must carry (counts down to 1). */
  next: bigint;
  /** The message so far in its first `length` bytes; the rest is reserved for what is due. */
  buffer: Buffer;
  length: number;
  /** Bytes of the largest fragment so far, to estimate what the remaining ones need. */
  largest: number;
}

export class FragmentAssembler {
  private readonly sequences = new Map<bigint, Sequence>();
  private heldBytes = 0;
  /** Bytes allocated for unfinished sequences (their buffers' sizes). */
  private reservedBytes = 0;

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
   * control message, first part of payload). Returns the whole message body when `fragments` is 1:
   * then `body` itself, so the caller must not reuse its memory while the message is in use.
   */
  start(sequenceId: bigint, fragments: bigint, body: Buffer): Buffer | null {
    if (fragments < 1n) throw new DistError('fragment', `start fragment with fragment id ${fragments}`);
    if (this.sequences.has(sequenceId)) throw new DistError('fragment', `sequence ${sequenceId} started twice`);
    if (fragments === 1n) return body;
    if (this.sequences.size >= this.maxSequences) {
      throw new DistError('fragment_memory', `more than ${this.maxSequences} fragmented messages at once`);
    }
    this.hold(body.length);
    const seq: Sequence = { next: fragments - 1n, buffer: Buffer.alloc(0), length: 0, largest: body.length };
    this.reserve(seq, body.length, remainingEstimate(fragments - 1n, body.length));
    seq.length = body.copy(seq.buffer);
    this.sequences.set(sequenceId, seq);
    return null;
  }

  /**
   * A continuation fragment, as one buffer or as the pieces it came in; they are copied at once,
   * so the caller may reuse their memory afterwards. Returns the whole message body once the last
   * fragment is in.
   */
  continue(sequenceId: bigint, fragmentId: bigint, data: Buffer | readonly Buffer[]): Buffer | null {
    const seq = this.sequences.get(sequenceId);
    if (!seq) throw new DistError('fragment', `continuation for unknown sequence ${sequenceId}`);
    if (fragmentId !== seq.next) {
      throw new DistError('fragment', `sequence ${sequenceId}: fragment ${fragmentId} where ${seq.next} was due`);
    }
    let bytes = 0;
    if (Buffer.isBuffer(data)) bytes = data.length;
    else for (const p of data) bytes += p.length;
    this.hold(bytes);
    if (bytes > seq.largest) seq.largest = bytes;
    if (seq.length + bytes > seq.buffer.length) this.reserve(seq, seq.length + bytes, remainingEstimate(fragmentId - 1n, seq.largest));
    if (Buffer.isBuffer(data)) seq.length += data.copy(seq.buffer, seq.length);
    else for (const p of data) seq.length += p.copy(seq.buffer, seq.length);
    if (fragmentId > 1n) {
      seq.next = fragmentId - 1n;
      return null;
    }
    this.sequences.delete(sequenceId);
    this.heldBytes -= seq.length;
    this.reservedBytes -= seq.buffer.length;
    return seq.length === seq.buffer.length ? seq.buffer : seq.buffer.subarray(0, seq.length);
  }

  /**
   * Give `seq` a buffer of at least `needed` bytes, with room for `more` beyond it when the limits
   * allow, keeping what it holds. The room ahead is at most RESERVE_AHEAD or `needed` (so growth is
   * geometric past RESERVE_AHEAD, and never more than twice what the peer sent), and never past
   * what `maxBytes` leaves.
   */
  private reserve(seq: Sequence, needed: number, more: number): void {
    const others = this.reservedBytes - seq.buffer.length;
    const ahead = Math.min(more, Math.max(RESERVE_AHEAD, needed));
    const size = Math.max(needed, Math.min(needed + ahead, this.maxBytes - others));
    const buffer = Buffer.allocUnsafe(size);
    seq.buffer.copy(buffer, 0, 0, seq.length);
    seq.buffer = buffer;
    this.reservedBytes = others + size;
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

  /** Bytes allocated for unfinished sequences: what they hold and what is reserved for the rest. */
  get reserved(): number {
    return this.reservedBytes;
  }
}

/** What `fragments` more fragments of about `size` bytes each would add (capped, the count may be anything up to 2^64). */
function remainingEstimate(fragments: bigint, size: number): number {
  const capped = Number(fragments > 1n << 32n ? 1n << 32n : fragments);
  return capped * (size + FRAGMENT_SLACK);
}
