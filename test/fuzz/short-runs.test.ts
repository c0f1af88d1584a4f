/**
 * A short deterministic run of every fuzz target in fuzz/targets/ (fixed seed, fixed number of
 * mutated inputs): its seeds and its kept corpus (fuzz/corpus/<target>/) replay without a finding,
 * and so do the mutants. `npm run fuzz -- --minutes N` is the long run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runEngine } from './run-engine';

/** Mutated inputs per target: all targets together stay within ~40 s on a loaded 2-core machine. */
const RUNS = 1500;
const SEED = 20261207;

const TARGETS = fs
  .readdirSync(path.join(ROOT, 'fuzz', 'targets'))
  .filter((name) => name.endsWith('.ts'))
  .sort()
  .map((name) => name.slice(0, -3));

function corpusFiles(target: string): number {
  const folder = path.join(ROOT, 'fuzz', 'corpus', target);
  return fs.existsSync(folder) ? fs.readdirSync(folder).length : 0;
}

describe('fuzz targets, short runs', () => {
  it('every target has a kept corpus', () => {
    expect(TARGETS.filter((target) => corpusFiles(target) === 0)).toEqual([]);
  });

  it(`runs every target for ${RUNS} mutated inputs from seed ${SEED} without a finding`, async () => {
    const run = await runEngine(
      TARGETS.map((target) => `fuzz/targets/${target}.ts`),
      ['--runs', String(RUNS), '--seed', String(SEED)],
      {},
      170_000,
    );
    expect({ code: run.code, signal: run.signal, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(run.reports.map((r) => r.name)).toEqual(TARGETS);
    for (const report of run.reports) {
      expect({ target: report.name, findings: report.findings }).toEqual({ target: report.name, findings: [] });
      // The seeds and every kept input ran before the mutants.
      expect(report.executions).toBeGreaterThanOrEqual(RUNS + corpusFiles(report.name));
      // Its `covers` were instrumented.
      expect(report.edgesFromSeeds).toBeGreaterThan(0);
    }
  }, 180_000);
});
