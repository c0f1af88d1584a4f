/**
 * Turns the frames of an established connection into control messages (and payloads), for both
 * wire formats: pass-through (112, each term with its own 131) and the distribution header
 * (131,68 / 131,69 / 131,70) with the atom cache and fragments.
 */
import { Atom, AtomLimitError, Decoder, DecodeError, DecodeOptions, Term } from '../../codec';
import { AtomCacheIn } from './atom-cache-in';
import { DistError } from './errors';
import { FragmentAssembler } from './fragments-in';
import { Packet, PacketParts } from './packets';
import { FrameTag } from './header';

/** A control message and, for the kinds that carry one, its payload (the message or exit reason). */
export interface DistMessage {
  control: Term;
  payload?: Term;
}

export interface MessageReaderOptions {
  /** True when DIST_HDR_ATOM_CACHE or FRAGMENTS was negotiated: frames carry the 131,68 header. */
  headers: boolean;
  /** Bytes unfinished fragmented messages may hold at once. */
  maxFragmentBytes: number;
  /** Limits for the terms, as for any untrusted bytes. */
  decode?: DecodeOptions;
}

export class MessageReader {
  private readonly cache = new AtomCacheIn();
  private readonly fragments: FragmentAssembler;
  /** The references the term being decoded resolves ATOM_CACHE_REFs through (filled per message). */
  private readonly refs: Array<Atom | undefined> = [];
  private readonly decoder: Decoder;
  /** Atom references of unfinished fragmented messages, taken when their first fragment came. */
  private readonly pendingRefs = new Map<bigint, Array<Atom | undefined>>();

  constructor(private readonly options: MessageReaderOptions) {
    this.fragments = new FragmentAssembler(options.maxFragmentBytes);
    // A received binary is kept by whoever gets the message: as a view when it is most of its
    // frame or reassembled message (a large value, not copied again), as a copy when it is a small
    // part of it (so it does not keep a socket chunk or a whole message alive).
    this.decoder = new Decoder({ copyBinaries: 'small', ...options.decode, atomCache: this.refs });
  }

  /**
   * One frame in; a message out, or null for a tick or a fragment that completes nothing yet. A
   * frame in pieces ({@link PacketParts}) is joined only when it must be contiguous: a continuation
   * fragment's data goes to the assembler as the pieces it came in.
   */
  read(input: Packet): DistMessage | null {
    if (input.length === 0) return null;
    let frame: Buffer;
    if (input instanceof PacketParts) {
      if (this.options.headers) {
        const head = input.head(Math.min(input.length, 18));
        if (head.length === 18 && head[0] === FrameTag.Version && head[1] === FrameTag.FragmentCont) {
          const seq = head.readBigUInt64BE(2);
          return this.completed(seq, this.fragments.continue(seq, head.readBigUInt64BE(10), input.from(18)));
        }
      }
      frame = input.contiguous();
    } else {
      frame = input;
    }
    if (!this.options.headers) {
      if (frame[0] !== FrameTag.PassThrough) throw new DistError('bad_header', `expected a pass-through frame (112), got byte ${frame[0]}`);
      this.refs.length = 0;
      return this.terms(frame, 1, true);
    }
    if (frame.length < 2 || frame[0] !== FrameTag.Version) throw new DistError('bad_header', `frame does not start with 131 (got ${frame[0]})`);
    switch (frame[1]) {
      case FrameTag.Header: {
        const at = this.cache.readRefs(frame, 2);
        this.useRefs(this.cache.refs);
        return this.terms(frame, at, false);
      }
      case FrameTag.FragmentStart: {
        if (frame.length < 18) throw new DistError('fragment', 'truncated fragment header');
        const seq = frame.readBigUInt64BE(2);
        const count = frame.readBigUInt64BE(10);
        // The atom cache update belongs to the moment the first fragment arrives.
        const at = this.cache.readRefs(frame, 18);
        const body = this.fragments.start(seq, count, frame.subarray(at));
        if (body === null) {
          this.pendingRefs.set(seq, this.cache.refs.slice());
          return null;
        }
        this.useRefs(this.cache.refs);
        return this.terms(body, 0, false);
      }
      case FrameTag.FragmentCont: {
        if (frame.length < 18) throw new DistError('fragment', 'truncated fragment header');
        const seq = frame.readBigUInt64BE(2);
        return this.completed(seq, this.fragments.continue(seq, frame.readBigUInt64BE(10), frame.subarray(18)));
      }
      default:
        throw new DistError('bad_header', `unknown distribution header 131,${frame[1]}`);
    }
  }

  /** The message a continuation completed, decoded with the atom references of its start. */
  private completed(seq: bigint, body: Buffer | null): DistMessage | null {
    if (body === null) return null;
    this.useRefs(this.pendingRefs.get(seq) ?? []);
    this.pendingRefs.delete(seq);
    return this.terms(body, 0, false);
  }

  private useRefs(refs: ReadonlyArray<Atom | undefined>): void {
    this.refs.length = refs.length;
    for (let i = 0; i < refs.length; i++) this.refs[i] = refs[i];
  }

  /** The control term and optional payload from `at`; pass-through terms carry their own 131. */
  private terms(buf: Buffer, at: number, versioned: boolean): DistMessage {
    try {
      const control = this.term(buf, at, versioned);
      if (control.end === buf.length) return { control: control.term };
      const payload = this.term(buf, control.end, versioned);
      if (payload.end !== buf.length) throw new DistError('bad_term', `${buf.length - payload.end} bytes after the payload`);
      return { control: control.term, payload: payload.term };
    } catch (e) {
      // A full atom table is not this peer's syntax error: the node's log tells it apart.
      if (e instanceof DecodeError && !(e instanceof AtomLimitError)) throw new DistError('bad_term', `undecodable term: ${e.message}`);
      throw e;
    }
  }

  private term(buf: Buffer, at: number, versioned: boolean): { term: Term; end: number } {
    if (versioned) {
      if (buf[at] !== FrameTag.Version) throw new DistError('bad_term', `term at byte ${at} does not start with 131`);
      at += 1;
    }
    return this.decoder.decodeAt(buf, at);
  }
}
