/**
 * Timing. Each cell (codec × workload × direction) is warmed up, then given a batch size that takes
 * about `roundMs`; the cells of one workload and direction then run their batches in interleaved
 * rounds (so that a noisy stretch of the machine hits all codecs alike), each batch after a full
 * GC (so a codec pays for its own garbage, not its neighbour's). The result is the median time per
 * operation over the rounds.
 *
 * Time is the CPU time of the whole process (user + system, all threads: V8's GC helpers count)
 * by default, as on the BEAM side: on a shared two-core machine, wall-clock time mostly measures
 * how long the bench waited for a core. `--clock=wall` uses wall-clock time instead; both are
 * recorded in the raw results.
 */

export type Clock = 'cpu' | 'wall';

export interface Timing {
  warmupMs: number;
  roundMs: number;
  rounds: number;
  clock: Clock;
}

export const FULL: Timing = { warmupMs: 250, roundMs: 120, rounds: 7, clock: 'cpu' };
export const QUICK: Timing = { warmupMs: 30, roundMs: 15, rounds: 3, clock: 'cpu' };

export interface Measured {
  /** Median nanoseconds per operation, by the chosen clock. */
  nsPerOp: number;
  opsPerSec: number;
  /** Median CPU and wall nanoseconds per operation. */
  cpuNsPerOp: number;
  wallNsPerOp: number;
  /** (max - min) / median over the rounds, as a fraction: how noisy this cell was. */
  spread: number;
  batch: number;
  rounds: number;
}

type Runner = (fn: () => unknown, n: number) => unknown;

/**
 * A fresh copy of the loop for each cell, so each has its own type feedback and optimised code and
 * no cell is slowed by a call site that has seen every other codec (a shared loop would go
 * megamorphic).
 */
function makeRunner(): Runner {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a new function per cell is the point (above)
  return new Function('fn', 'n', 'let sink; for (let i = 0; i < n; i++) sink = fn(); return sink;') as Runner;
}

let sink: unknown;
/** Keeps results observable so no engine can drop the work. */
export function lastSink(): unknown {
  return sink;
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** Wall nanoseconds of a batch (for warm-up and sizing). */
function batch(run: Runner, fn: () => unknown, n: number): number {
  if (gc) gc();
  const t0 = process.hrtime.bigint();
  sink = run(fn, n);
  return Number(process.hrtime.bigint() - t0);
}

/** CPU and wall nanoseconds of a batch. */
function timed(run: Runner, fn: () => unknown, n: number): { cpu: number; wall: number } {
  if (gc) gc();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  sink = run(fn, n);
  const t1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) * 1000, wall: Number(t1 - t0) };
}

interface Cell {
  fn: () => unknown;
  run: Runner;
  n: number;
  rounds: number;
  cpu: number[];
  wall: number[];
}

function warm(cell: Cell, t: Timing): void {
  const budget = t.warmupMs * 1e6;
  let n = 1;
  let spent = 0;
  let ops = 0;
  while (spent < budget || ops < 3) {
    spent += batch(cell.run, cell.fn, n);
    ops += n;
    n *= 2;
  }
  const perOp = spent / ops;
  cell.n = Math.max(1, Math.round((t.roundMs * 1e6) / perOp));
  // an operation slower than a whole round: fewer rounds, so one slow cell cannot eat the budget
  cell.rounds = perOp > t.roundMs * 1e6 ? Math.min(t.rounds, 3) : t.rounds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times the functions together, interleaved; returns one result per function, in order. */
export function measureTogether(fns: Array<() => unknown>, t: Timing): Measured[] {
  const cells: Cell[] = fns.map((fn) => ({ fn, run: makeRunner(), n: 1, rounds: t.rounds, cpu: [], wall: [] }));
  for (const c of cells) warm(c, t);
  const maxRounds = Math.max(0, ...cells.map((c) => c.rounds));
  for (let r = 0; r < maxRounds; r++) {
    // rotate the order each round so no codec always runs first (or right after the same one)
    for (let k = 0; k < cells.length; k++) {
      const c = cells[(k + r) % cells.length];
      if (c.cpu.length < c.rounds) {
        const x = timed(c.run, c.fn, c.n);
        c.cpu.push(x.cpu / c.n);
        c.wall.push(x.wall / c.n);
      }
    }
  }
  return cells.map((c) => {
    const samples = t.clock === 'cpu' ? c.cpu : c.wall;
    const nsPerOp = median(samples);
    return {
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      cpuNsPerOp: median(c.cpu),
      wallNsPerOp: median(c.wall),
      spread: (Math.max(...samples) - Math.min(...samples)) / nsPerOp,
      batch: c.n,
      rounds: samples.length,
    };
  });
}
