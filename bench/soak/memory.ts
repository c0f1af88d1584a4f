/**
 * Memory of the erlbridge node through the soak: V8 heap used, RSS, and the node's process count,
 * sampled every couple of seconds, each sample right after a full collection when `gc` is exposed
 * (`node --expose-gc`, as `npm run soak` runs it), so a sample is the live set, not wherever the
 * garbage sawtooth happened to be.
 *
 * Flat after warm-up means: the maximum over the last third of the run is at most the maximum over
 * the middle third plus a tolerance. The maxima, not a linear fit: the sawtooth (without forced
 * collections), a kill's burst of reconnection work and 1 MiB values in flight make single samples
 * jump, and a fit's slope over a few minutes follows the jumps; a leak raises the ceiling, and the
 * ceiling of each third is robust to where the jumps fall. The first third is warm-up (JIT, pools,
 * caches filling) and is not judged. Runs shorter than {@link MIN_JUDGED_MS} are too short for a
 * verdict: reported, not judged.
 */
export interface MemorySample {
  atMs: number;
  heapUsed: number;
  rss: number;
  processes: number;
}

export const MIN_JUDGED_MS = 90_000;

/** Allowed growth of the maximum from the middle to the last third: a fraction, and at least a floor. */
const TOLERANCE = {
  heapUsed: { fraction: 0.05, floor: 1 << 20 },
  rss: { fraction: 0.1, floor: 24 << 20 },
  processes: { fraction: 0, floor: 8 },
} as const;

export type Measure = keyof typeof TOLERANCE;
export const MEASURES: readonly Measure[] = ['heapUsed', 'rss', 'processes'];

export interface MeasureSummary {
  start: number;
  afterWarmup: number;
  end: number;
  max: number;
  middleMax: number;
  lastMax: number;
  allowed: number;
  flat: boolean;
}

export interface MemoryVerdict {
  judged: boolean;
  measures: Record<Measure, MeasureSummary>;
  flat: boolean;
}

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private stopped = false;

  constructor(
    private readonly processCount: () => number,
    everyMs = 2000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
    const m = process.memoryUsage();
    this.samples.push({ atMs: Date.now() - this.started, heapUsed: m.heapUsed, rss: m.rss, processes: this.processCount() });
  }

  /** Stop sampling, with one last sample (once). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.sample();
  }

  get forcedGc(): boolean {
    return typeof (globalThis as { gc?: unknown }).gc === 'function';
  }
}

/** The thirds' verdict over `samples` (see the file's comment). */
export function memoryVerdict(samples: readonly MemorySample[], runMs: number): MemoryVerdict {
  const judged = runMs >= MIN_JUDGED_MS && samples.length >= 9;
  const third = Math.floor(samples.length / 3);
  // Too few samples for thirds (a very short run): every sample stands for each third.
  const middle = third > 0 ? samples.slice(third, 2 * third) : samples;
  const last = third > 0 ? samples.slice(2 * third) : samples;
  const measures = {} as Record<Measure, MeasureSummary>;
  for (const measure of MEASURES) {
    const values = samples.map((s) => s[measure]);
    const middleMax = Math.max(...middle.map((s) => s[measure]));
    const lastMax = Math.max(...last.map((s) => s[measure]));
    const { fraction, floor } = TOLERANCE[measure];
    const allowed = middleMax + Math.max(middleMax * fraction, floor);
    measures[measure] = {
      start: values[0],
      afterWarmup: values[third] ?? values[0],
      end: values[values.length - 1],
      max: Math.max(...values),
      middleMax,
      lastMax,
      allowed,
      flat: lastMax <= allowed,
    };
  }
  return { judged, measures, flat: !judged || MEASURES.every((m) => measures[m].flat) };
}
