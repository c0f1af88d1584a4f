/**
 * The fuzzing loop: run the starting inputs, keep those that reach new coverage, then mutate
 * corpus entries at random and keep every mutant that reaches new coverage too. With guidance off
 * (for the engine's self-test) the corpus never grows: the same mutations, blind.
 */
import { FuzzTarget } from '../target';
import { collectNewCoverage, edgesCovered, resetCoverage, traceCompares } from './coverage';
import { execute, Outcome } from './execute';
import { Finding } from './findings';
import { mutate } from './mutate';
import { Random } from './random';
import { Watchdog } from './watchdog';

export interface FuzzOptions {
  readonly seed: number;
  /** Mutated inputs to run (after the starting ones); Infinity to run until `deadline`. */
  readonly runs: number;
  /** Stop at this `Date.now()`. */
  readonly deadline: number;
  /** Grow the corpus with inputs that reach new coverage (the point); false only to test that it matters. */
  readonly guided: boolean;
  /** How long an async input may take to settle. */
  readonly timeoutMs: number;
  readonly maxLength: number;
  /** Catch synchronous hangs too, with a {@link Watchdog} (a thread). */
  readonly watchdog: boolean;
  /** How many of the starting inputs are seeds (the rest: the kept corpus), for {@link FuzzReport.edgesFromSeeds}. */
  readonly seedCount: number;
  /** Called with each input that reached new coverage, starting ones included. */
  readonly onNewInput?: (input: Buffer) => void;
}

export interface FuzzReport {
  /** Inputs run, the starting ones included. */
  readonly executions: number;
  readonly seconds: number;
  /** Edges reached by the seeds alone, by the seeds and the kept corpus, and by the end. */
  readonly edgesFromSeeds: number;
  readonly edgesAtStart: number;
  readonly edges: number;
  readonly corpusSize: number;
  /** One per distinct top stack frame. */
  readonly findings: Finding[];
}

/** Fuzz `target` starting from `initial` (its seeds and corpus). */
export async function fuzz(target: FuzzTarget, initial: readonly Buffer[], options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const random = new Random(options.seed);
  const corpus: Buffer[] = [];
  const findings = new Map<string, Finding>();
  const watchdog = options.watchdog ? new Watchdog(target.name, Math.max(1000, options.timeoutMs * 5)) : undefined;
  const sources = { dictionary: target.dictionary ?? [], corpus, maxLength: options.maxLength };
  let executions = 0;

  const runOne = async (input: Buffer): Promise<boolean> => {
    watchdog?.arm(input);
    let outcome: Outcome | Promise<Outcome> = execute(target, input, options.timeoutMs);
    if (outcome instanceof Promise) outcome = await outcome;
    executions++;
    if (outcome !== undefined && !findings.has(outcome.key)) findings.set(outcome.key, outcome);
    return collectNewCoverage();
  };

  try {
    traceCompares(false);
    resetCoverage();
    let edgesFromSeeds = 0;
    for (const [k, input] of initial.entries()) {
      if (await runOne(input)) {
        corpus.push(input);
        options.onNewInput?.(input);
      } else if (!options.guided) {
        corpus.push(input);
      }
      if (k + 1 === options.seedCount) edgesFromSeeds = edgesCovered();
    }
    const edgesAtStart = edgesCovered();
    traceCompares(true);
    for (let run = 0; run < options.runs; run++) {
      if ((run & 255) === 0) {
        if (Date.now() >= options.deadline) break;
        // Let timers and I/O a target left behind run, now and then.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // The newest entries a third of the time: they are where coverage grows.
      const parent =
        corpus.length === 0
          ? Buffer.alloc(0)
          : random.oneIn(3)
            ? corpus[corpus.length - 1 - random.below(Math.min(corpus.length, 4))]
            : random.pick(corpus);
      const mutant = mutate(parent, random, sources);
      if ((await runOne(mutant)) && options.guided) {
        corpus.push(mutant);
        options.onNewInput?.(mutant);
      }
    }
    return {
      executions,
      seconds: (Date.now() - started) / 1000,
      edgesFromSeeds,
      edgesAtStart,
      edges: edgesCovered(),
      corpusSize: corpus.length,
      findings: [...findings.values()],
    };
  } finally {
    await watchdog?.stop();
  }
}
