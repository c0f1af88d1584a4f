/**
 * `npm run soak -- --minutes N` (bench/soak/run.js compiles this and runs it with --expose-gc):
 * runs the soak, prints its report, exits 0 when nothing was lost, duplicated or reordered while
 * live and memory stayed flat, 1 otherwise (2 for bad arguments).
 *
 * Not named main.ts on purpose: `npm run bench` runs every bench/<name>/main.ts, and a soak is
 * not a benchmark.
 */
import { formatReport } from './report';
import { runSoak, SoakOptions } from './soak';

const USAGE = `usage: npm run soak -- [--minutes N | --seconds N] [--peers N] [--kill-every S] [--pace MS] [--big-pace MS]

  --minutes N      how long the workload runs (default 1)
  --seconds N      the same in seconds
  --peers N        erl peers at once (default 2)
  --kill-every S   kill -9 one peer (in turn) every S seconds, then restart it (default 20)
  --pace MS        pause between two operations of one loop (default 2)
  --big-pace MS    pause between two 1 MiB calls of one loop (default 250)`;

/** Parse `argv` into soak options, or a usage error. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions | { error: string } {
  const options: SoakOptions = { durationMs: 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return { error: '' };
    const value = Number(argv[++i]);
    if (!Number.isFinite(value) || value <= 0) return { error: `${flag} needs a positive number` };
    if (flag === '--minutes') options.durationMs = value * 60_000;
    else if (flag === '--seconds') options.durationMs = value * 1000;
    else if (flag === '--peers') options.peers = Math.round(value);
    else if (flag === '--kill-every') options.killEveryMs = value * 1000;
    else if (flag === '--pace') options.paceMs = value;
    else if (flag === '--big-pace') options.bigPaceMs = value;
    else return { error: `unknown option ${flag}` };
  }
  return options;
}

/** Run the soak as the command line asks; resolves with the exit code. */
export async function soakMain(argv: readonly string[], print: (text: string) => void, progress?: (line: string) => void): Promise<number> {
  const parsed = parseSoakArgs(argv);
  if ('error' in parsed) {
    print(parsed.error ? `${parsed.error}\n${USAGE}` : USAGE);
    return parsed.error ? 2 : 0;
  }
  const report = await runSoak({ ...parsed, progress });
  print(formatReport(report));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  soakMain(
    process.argv.slice(2),
    (text) => console.log(text),
    (line) => console.error(line),
  ).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
