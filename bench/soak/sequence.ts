/**
 * The receiver's check of one numbered stream (one sender, one receiver, one connection lifetime):
 * numbers must arrive 1, 2, 3, ... A gap counts the skipped numbers lost until one of them turns up
 * late (then it is reordered, no longer lost); a number already seen is duplicated. The numbers a
 * gap leaves missing are remembered (at most {@link MAX_MISSING} per gap), so the two stay apart.
 */
export type Arrival = 'next' | 'gap' | 'reordered' | 'duplicated';

const MAX_MISSING = 1000;

export class SequenceCheck {
  private last = 0;
  private readonly missing = new Set<number>();
  /** Numbers skipped and not (yet) seen. */
  lost = 0;
  duplicated = 0;
  reordered = 0;

  get highest(): number {
    return this.last;
  }

  arrive(seq: number): Arrival {
    if (seq === this.last + 1) {
      this.last = seq;
      return 'next';
    }
    if (seq > this.last + 1) {
      for (let s = this.last + 1; s < seq && s <= this.last + MAX_MISSING; s++) this.missing.add(s);
      this.lost += seq - this.last - 1;
      this.last = seq;
      return 'gap';
    }
    if (this.missing.delete(seq)) {
      this.lost--;
      this.reordered++;
      return 'reordered';
    }
    this.duplicated++;
    return 'duplicated';
  }
}

/** The streams one receiver checks, by the sender's tag. */
export class SequenceChecks {
  private readonly streams = new Map<string, SequenceCheck>();

  get(tag: string): SequenceCheck {
    let check = this.streams.get(tag);
    if (check === undefined) this.streams.set(tag, (check = new SequenceCheck()));
    return check;
  }

  /** Sum of lost / duplicated / reordered over every stream. */
  totals(): { lost: number; duplicated: number; reordered: number } {
    const sum = { lost: 0, duplicated: 0, reordered: 0 };
    for (const c of this.streams.values()) {
      sum.lost += c.lost;
      sum.duplicated += c.duplicated;
      sum.reordered += c.reordered;
    }
    return sum;
  }
}
