/**
 * The soak's checkers on their own: the receiver's sequence check tells lost, reordered and
 * duplicated apart, and the memory verdict tells a flat series from a growing one.
 */
import { memoryVerdict, MemorySample } from '../../bench/soak/memory';
import { SequenceCheck } from '../../bench/soak/sequence';

function arrive(seqs: number[]): SequenceCheck {
  const check = new SequenceCheck();
  for (const seq of seqs) check.arrive(seq);
  return check;
}

describe('SequenceCheck', () => {
  it('takes 1, 2, 3, ... as they should come', () => {
    const check = new SequenceCheck();
    expect([1, 2, 3].map((s) => check.arrive(s))).toEqual(['next', 'next', 'next']);
    expect({ lost: check.lost, duplicated: check.duplicated, reordered: check.reordered, highest: check.highest }).toEqual({
      lost: 0,
      duplicated: 0,
      reordered: 0,
      highest: 3,
    });
  });

  it('counts a gap lost, and a stream that starts late too', () => {
    expect(arrive([1, 2, 5, 6]).lost).toBe(2);
    expect(arrive([3, 4]).lost).toBe(2);
  });

  it('counts a late arrival from a gap reordered, no longer lost', () => {
    const check = arrive([1, 3, 2, 4]);
    expect({ lost: check.lost, reordered: check.reordered, duplicated: check.duplicated }).toEqual({
      lost: 0,
      reordered: 1,
      duplicated: 0,
    });
  });

  it('counts a number seen before duplicated, also one that filled a gap', () => {
    const check = arrive([1, 2, 2, 4, 3, 3, 1]);
    expect({ lost: check.lost, reordered: check.reordered, duplicated: check.duplicated }).toEqual({
      lost: 0,
      reordered: 1,
      duplicated: 3,
    });
  });
});

describe('memoryVerdict', () => {
  const series = (values: number[]): MemorySample[] =>
    values.map((v, i) => ({ atMs: i * 2000, heapUsed: v, rss: 100 << 20, processes: 10 }));
  const MIB = 1 << 20;

  it('calls a sawtooth with a steady ceiling flat', () => {
    const values = Array.from({ length: 60 }, (_, i) => (i < 20 ? 10 + i : 30 + (i % 5)) * MIB);
    const verdict = memoryVerdict(series(values), 120_000);
    expect({ judged: verdict.judged, flat: verdict.flat }).toEqual({ judged: true, flat: true });
  });

  it('calls a ceiling that keeps rising growing', () => {
    const values = Array.from({ length: 60 }, (_, i) => (30 + i * 0.5) * MIB);
    const verdict = memoryVerdict(series(values), 120_000);
    expect({ judged: verdict.judged, flat: verdict.flat, heapFlat: verdict.measures.heapUsed.flat }).toEqual({
      judged: true,
      flat: false,
      heapFlat: false,
    });
  });

  it('does not judge a run too short to tell warm-up from a leak', () => {
    const values = Array.from({ length: 15 }, (_, i) => (30 + i * 5) * MIB);
    const verdict = memoryVerdict(series(values), 30_000);
    expect({ judged: verdict.judged, flat: verdict.flat, heapFlat: verdict.measures.heapUsed.flat }).toEqual({
      judged: false,
      flat: true,
      heapFlat: false,
    });
  });
});
