/**
 * What a fuzz target is: one parser or entry point of erlbridge, fed arbitrary bytes by the
 * coverage-guided engine in fuzz/engine/. A target file exports one `target`; the engine runs it
 * on seeds made from fixtures/ and on mutations of every input that reached new code.
 */
export interface FuzzTarget {
  /** Names the target on the command line and its corpus folder, fuzz/corpus/<name>/. */
  readonly name: string;
  /**
   * The library sources (paths from the repository root, e.g. `codec/decoder.ts`) whose
   * coverage guides this target. Only these are instrumented when the target runs.
   */
  readonly covers: readonly string[];
  /** Seed inputs built from fixtures/ (real erl output), so that their provenance is code. */
  seeds(): Buffer[];
  /**
   * Run one input. Returning (or resolving) means the input was handled; throwing an error that
   * {@link expected} accepts means it was refused cleanly. Anything else is a finding. An async
   * target must settle on its own within a few hundred milliseconds.
   */
  run(input: Buffer): void | Promise<void>;
  /** Whether `error` is a clean refusal of bad input (a typed error), not a bug. */
  expected(error: unknown): boolean;
  /** Tokens the mutator may splice in: tags, magic numbers, names the parser looks for. */
  readonly dictionary?: readonly Buffer[];
}
