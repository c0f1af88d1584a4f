/**
 * The fuzz engine itself: coverage guidance finds what blind mutation does not, in the same number
 * of runs from the same seed; hangs (async and sync) and thrown non-Errors are findings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runEngine } from './run-engine';

const TOY = 'test/fuzz/fixtures/toy-target.ts';
const MISBEHAVING = 'test/fuzz/fixtures/misbehaving-target.ts';
const MISBEHAVING_FINDINGS = path.join(ROOT, 'fuzz', 'findings', 'test-misbehaving');

describe('fuzz engine', () => {
  afterAll(() => fs.rmSync(MISBEHAVING_FINDINGS, { recursive: true, force: true }));

  it('finds a bug behind five byte comparisons with coverage guidance, and not without', async () => {
    const runs = ['--runs', '5000', '--seed', '1'];
    const guided = await runEngine([TOY], runs);
    const blind = await runEngine([TOY], [...runs, '--unguided']);
    expect(guided.reports).toHaveLength(1);
    expect(blind.reports).toHaveLength(1);
    expect(guided.reports[0].executions).toBe(blind.reports[0].executions);
    expect(guided.reports[0].findings.map((f) => f.summary)).toEqual([expect.stringMatching(/^TypeError: .*'field'/)]);
    expect(guided.reports[0].edges).toBeGreaterThan(blind.reports[0].edges);
    expect(blind.reports[0].findings).toEqual([]);
    fs.rmSync(path.join(ROOT, 'fuzz', 'findings', 'toy'), { recursive: true, force: true });
  }, 60_000);

  it('reports an async input that never settles, and a thrown string, once each', async () => {
    const run = await runEngine([MISBEHAVING], ['--runs', '300', '--timeout-ms', '100'], { FUZZ_TEST_SEEDS: 'ok,A,T' });
    expect(run.reports).toHaveLength(1);
    const kinds = run.reports[0].findings.map((f) => f.kind).sort();
    expect(kinds).toEqual(['hang', 'non-error throw']);
    for (const finding of run.reports[0].findings) expect(fs.existsSync(path.join(ROOT, finding.file))).toBe(true);
  }, 60_000);

  it('saves a synchronous endless loop as a hang and ends the process', async () => {
    const run = await runEngine([MISBEHAVING], ['--runs', '0', '--timeout-ms', '100'], { FUZZ_TEST_SEEDS: 'ok,loop forever' });
    expect(run.signal).toBe('SIGKILL');
    expect(run.reports).toEqual([]);
    expect(run.stderr).toMatch(/synchronous hang, input saved to fuzz\/findings\/test-misbehaving\//);
    const files = fs.readdirSync(MISBEHAVING_FINDINGS).filter((name) => !name.endsWith('.txt'));
    expect(files.map((name) => fs.readFileSync(path.join(MISBEHAVING_FINDINGS, name), 'utf8'))).toContain('loop forever');
  }, 60_000);
});
