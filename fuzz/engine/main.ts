/**
 * `npm run fuzz` (fuzz/run.js loads this):
 *
 *   npm run fuzz -- --minutes 10                 every target, 10 minutes in all, split evenly
 *   npm run fuzz -- --minutes 4 --target decoder --target text-parser
 *   npm run fuzz -- --runs 2000 --seed 7         a fixed number of mutated inputs per target
 *   npm run fuzz -- --write-seeds                put each target's seeds() that add coverage in its corpus
 *   npm run fuzz -- --minutes 10 --write-docs    and rewrite "## Last long run" of docs/fuzzing.md
 *
 * Each target runs in a child process of its own (`--child <file>`): coverage starts empty, the
 * target's `covers` are instrumented, and a target that crashes the process takes no other with
 * it. (`--child a.ts --child b.ts` runs several in turn in one child, which saves starting
 * TypeScript for each: `npm test` does that.) A timed run (`--minutes`) keeps every input that reached new coverage in
 * fuzz/corpus/<target>/; a counted run (`--runs`, as `npm test` does) writes nothing but findings,
 * unless `--save-corpus`. The exit status is 1 when there was a finding.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { writeDocsSection } from '../../bench/docs-section';
import { addToCorpus, readCorpus, sha1 } from './corpus';
import { saveFinding } from './findings';
import { fuzz, FuzzReport } from './fuzz-loop';
import { loadInstrumented, targetFiles } from './load-target';
import { ROOT } from './require-hook';

interface Flags {
  minutes?: number;
  runs?: number;
  seed: number;
  targets: string[];
  children: string[];
  unguided: boolean;
  writeSeeds: boolean;
  writeDocs: boolean;
  saveCorpus: boolean;
  json: boolean;
  timeoutMs: number;
  maxLength: number;
}

/** What a child prints, on a line of its own after this prefix. */
const REPORT_PREFIX = 'FUZZ-REPORT ';

interface ChildReport extends Omit<FuzzReport, 'findings'> {
  name: string;
  newInputs: number;
  findings: { kind: string; summary: string; key: string; file: string }[];
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    seed: 1,
    targets: [],
    children: [],
    unguided: false,
    writeSeeds: false,
    writeDocs: false,
    saveCorpus: false,
    json: false,
    timeoutMs: 1000,
    maxLength: 4096,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (): number => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
      return n;
    };
    if (flag === '--minutes') flags.minutes = number();
    else if (flag === '--runs') flags.runs = number();
    else if (flag === '--seed') flags.seed = number();
    else if (flag === '--target') flags.targets.push(value());
    else if (flag === '--child') flags.children.push(value());
    else if (flag === '--timeout-ms') flags.timeoutMs = number();
    else if (flag === '--max-length') flags.maxLength = number();
    else if (flag === '--unguided') flags.unguided = true;
    else if (flag === '--write-seeds') flags.writeSeeds = true;
    else if (flag === '--write-docs') flags.writeDocs = true;
    else if (flag === '--save-corpus') flags.saveCorpus = true;
    else if (flag === '--json') flags.json = true;
    else throw new Error(`unknown flag ${flag} (see fuzz/engine/main.ts)`);
  }
  return flags;
}

/** Child: fuzz the target in `file` and print a {@link ChildReport}. */
async function runChild(file: string, flags: Flags, seconds: number): Promise<void> {
  const target = loadInstrumented(file);
  const seeds = target.seeds();
  const seen = new Set(seeds.map(sha1));
  const kept = readCorpus(target.name).filter((input) => !seen.has(sha1(input)));
  let newInputs = 0;
  const report = await fuzz(target, [...seeds, ...kept], {
    seed: flags.seed,
    runs: flags.runs ?? Infinity,
    deadline: Date.now() + seconds * 1000,
    guided: !flags.unguided,
    timeoutMs: flags.timeoutMs,
    maxLength: flags.maxLength,
    watchdog: true,
    seedCount: seeds.length,
    onNewInput: (input) => {
      if (flags.saveCorpus && addToCorpus(target.name, input)) newInputs++;
    },
  });
  const findings = report.findings.map((f) => ({
    kind: f.kind,
    summary: f.summary,
    key: f.key,
    file: path.relative(ROOT, saveFinding(target.name, f)),
  }));
  const out: ChildReport = { ...report, name: target.name, newInputs, findings };
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(out)}\n`);
}

function table(reports: ChildReport[], failures: string[]): string {
  const rows = reports.map(
    (r) =>
      `| ${r.name} | ${r.executions.toLocaleString('en-US')} | ${Math.round(r.executions / Math.max(r.seconds, 0.001)).toLocaleString('en-US')} | ${r.edgesFromSeeds} → ${r.edges} | ${r.corpusSize} (+${r.newInputs}) | ${r.findings.length} |`,
  );
  const lines = [
    '| target | executions | exec/s | edges (seeds → after) | corpus (+new) | findings |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    ...rows,
  ];
  for (const r of reports) for (const f of r.findings) lines.push('', `- ${r.name}: ${f.kind}: ${f.summary} (${f.file})`);
  for (const failure of failures) lines.push('', `- ${failure}`);
  return lines.join('\n');
}

/** Parent: run each chosen target in a child, print the table, maybe write the docs. */
function runParent(flags: Flags): number {
  const files = targetFiles();
  const names = flags.targets.length > 0 ? flags.targets : [...files.keys()];
  for (const name of names) if (!files.has(name)) throw new Error(`no target ${name} in fuzz/targets/`);

  // Seeds go into the corpus as a run of no mutants that keeps what it runs: those that add coverage.
  if (flags.writeSeeds) {
    flags.runs ??= flags.minutes === undefined ? 0 : undefined;
    flags.saveCorpus = true;
  }

  const seconds = flags.minutes === undefined ? Infinity : (flags.minutes * 60) / names.length;
  const reports: ChildReport[] = [];
  const failures: string[] = [];
  for (const name of names) {
    // A timed run whose child died (a synchronous hang kills it) goes on in a new child for the time left.
    const until = Date.now() + seconds * 1000;
    let line: string | undefined;
    for (let attempt = 0; line === undefined && attempt < 5; attempt++) {
      const left = (until - Date.now()) / 1000;
      if (attempt > 0 && (flags.minutes === undefined || left < 10)) break;
      const args = [path.join(ROOT, 'fuzz', 'run.js'), '--child', files.get(name) as string, '--seed', String(flags.seed + attempt)];
      args.push('--timeout-ms', String(flags.timeoutMs), '--max-length', String(flags.maxLength));
      if (flags.runs !== undefined) args.push('--runs', String(flags.runs));
      if (flags.minutes !== undefined) args.push('--minutes', String(left / 60));
      if (flags.minutes !== undefined || flags.saveCorpus) args.push('--save-corpus');
      if (flags.unguided) args.push('--unguided');
      const child = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      line = child.stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
      if (line === undefined) {
        failures.push(
          `${name}: the child process ended without a report (status ${child.status}, signal ${child.signal}); see fuzz/findings/${name}/`,
        );
      }
    }
    if (line === undefined) continue;
    const report = JSON.parse(line.slice(REPORT_PREFIX.length)) as ChildReport;
    reports.push(report);
    if (!flags.json)
      console.log(
        table([report], [])
          .split('\n')
          .slice(reports.length === 1 ? 0 : 2)
          .join('\n'),
      );
  }

  if (flags.json) console.log(JSON.stringify({ reports, failures }));
  else for (const failure of failures) console.log(failure);

  if (flags.writeDocs) {
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const how = flags.minutes !== undefined ? `--minutes ${flags.minutes}` : `--runs ${flags.runs}`;
    const body = `\`npm run fuzz -- ${how} --seed ${flags.seed}${flags.targets.map((t) => ` --target ${t}`).join('')}\`, ${when} UTC, Node ${process.version}, ${os.cpus().length} × ${cpu}.\n\n${table(reports, failures)}`;
    writeDocsSection(path.join(ROOT, 'docs', 'fuzzing.md'), 'Last long run', body);
  }
  return failures.length > 0 || reports.some((r) => r.findings.length > 0) ? 1 : 0;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.children.length > 0) {
    for (const file of flags.children) await runChild(file, flags, flags.minutes === undefined ? Infinity : flags.minutes * 60);
    process.exit(0);
  }
  process.exitCode = runParent(flags);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
