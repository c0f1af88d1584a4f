/**
 * bench/codec: erlbridge's ETF codec against BEAM's term_to_binary/binary_to_term, the other ETF
 * codecs on npm and msgpackr, on five workloads, both directions. Run with `npm run bench`
 * (`npm run bench -- --quick` for a smoke run). See bench/README.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BeamResult, runBeam } from './beam';
import { benchDir, Codec, firstLine, loadCodecs } from './codecs';
import { Clock, FULL, lastSink, measureTogether, QUICK, Timing } from './measure';
import { CellResult, Compat, DIRECTIONS, goals, key, renderMarkdown, Results } from './report';
import { writeDocsSection } from '../docs-section';
import { WorkloadId, WORKLOADS } from './workloads';

interface Options {
  quick: boolean;
  explicitNoWrite?: boolean;
  clock: Clock;
  write: boolean;
  workloads: WorkloadId[];
  codecs?: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, clock: 'cpu', write: true, workloads: WORKLOADS.map((w) => w.id) };
  let writeSet = false;
  for (const a of argv) {
    if (a === '--quick') o.quick = true;
    else if (a === '--write') [o.write, writeSet] = [true, true];
    else if (a === '--no-write') [o.write, writeSet, o.explicitNoWrite] = [false, true, true];
    else if (a === '--clock=cpu' || a === '--clock=wall') o.clock = a.slice(8) as Clock;
    else if (a.startsWith('--workloads=')) {
      o.workloads = [...a.slice(12)].filter((c): c is WorkloadId => WORKLOADS.some((w) => w.id === c));
    } else if (a.startsWith('--codecs=')) o.codecs = new Set(a.slice(9).split(',').filter(Boolean));
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- [--quick] [--clock=cpu|wall] [--workloads=abcde] [--codecs=msgpackr,erlpack,...] [--write|--no-write]\n' +
          '  --clock      what a batch is timed by: process CPU time (default; a busy machine does not count) or wall clock\n' +
          '  --quick      short warm-up and rounds: a smoke run (does not write docs/benchmarks.md unless --write)\n' +
          '  --workloads  a subset of a..e      --codecs  a subset of the comparison codecs (erlbridge always runs)',
      );
      process.exit(0);
    } else {
      console.error(`bench/codec: unknown argument ${a} (try --help)`);
      process.exit(2);
    }
  }
  if (o.quick && !writeSet) o.write = false;
  // a partial run must not overwrite the full table
  if ((o.workloads.length < WORKLOADS.length || o.codecs) && !writeSet) o.write = false;
  return o;
}

function loud(text: string): void {
  console.error(`\n!!! bench/codec: ${text}\n`);
}

interface Ready {
  codec: Codec;
  input: unknown;
  bytes: Uint8Array;
}

function main(): void {
  const opt = parseArgs(process.argv.slice(2));
  const timing: Timing = { ...(opt.quick ? QUICK : FULL), clock: opt.clock };
  const root = path.resolve(benchDir(), '..');
  const outDir = path.join(benchDir(), '.build');
  const started = Date.now();
  if (!(globalThis as { gc?: unknown }).gc) loud('run without --expose-gc: batches are not separated by a full GC');

  const { codecs, skipped } = loadCodecs(opt.codecs);
  for (const s of skipped) loud(`${s.name} is not installed or does not load, skipped: ${s.reason}`);

  console.log(
    `bench/codec: ${opt.quick ? 'quick' : 'full'} run, workloads ${opt.workloads.join('')}, codecs ${codecs.map((c) => c.name).join(', ')}`,
  );
  // BEAM runs workload by workload, right before the JavaScript codecs do the same workload, so
  // that a busy stretch of a shared machine is more likely to hit both sides of the ratio.
  console.log('BEAM baseline: erl, one workload at a time');
  let beam: BeamResult | { error: string } = runBeam([], timing, outDir);
  let beamError: string | undefined;
  if ('error' in beam) {
    beamError = beam.error;
    loud(`no BEAM baseline: ${beam.error}`);
  }
  const loadBefore = os.loadavg()[0];

  const cpu = os.cpus()[0]?.model?.trim() ?? '?';
  const results: Results = {
    machine: {
      cpu,
      cores: os.cpus().length,
      node: process.version,
      otp: 'error' in beam ? 'n/a' : `${beam.otp} (erts ${beam.erts})`,
      date: new Date().toISOString().slice(0, 10),
      mode:
        (opt.quick
          ? `quick run (warm-up ${timing.warmupMs} ms, median of ${timing.rounds} rounds of ~${timing.roundMs} ms)`
          : `median of ${timing.rounds} interleaved rounds of ~${timing.roundMs} ms per cell after ${timing.warmupMs} ms warm-up`) +
        (timing.clock === 'cpu' ? ', timed by process CPU time (user + system, all threads), not wall clock' : ', timed by wall clock'),
    },
    workloads: WORKLOADS.filter((w) => opt.workloads.includes(w.id)),
    codecs,
    skipped,
    beamError,
    cells: new Map<string, CellResult>(),
    compat: new Map<string, Compat>(),
    notes: new Map<string, string>(),
    warnings: [],
  };

  for (const w of results.workloads) {
    if (!beamError) {
      const t0 = Date.now();
      beam = runBeam([w.id], timing, outDir);
      if ('error' in beam) {
        beamError = beam.error;
        results.beamError = beamError;
        loud(`no BEAM baseline for ${w.label}: ${beam.error}`);
      } else console.log(`${w.label}: BEAM ... ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const beamBytes = 'error' in beam ? undefined : beam.bytes.get(w.id);
    if (!('error' in beam)) {
      for (const d of DIRECTIONS) {
        const ns = beam.nsPerOp.get(`${w.id}:${d}`);
        if (ns === undefined) {
          results.cells.set(key('BEAM', w.id, d), { failure: 'no result from erl' });
        } else {
          const nsPerOp = timing.clock === 'cpu' ? ns.cpu : ns.wall;
          results.cells.set(key('BEAM', w.id, d), {
            measured: {
              nsPerOp,
              opsPerSec: 1e9 / nsPerOp,
              cpuNsPerOp: ns.cpu,
              wallNsPerOp: ns.wall,
              spread: NaN,
              batch: 0,
              rounds: timing.rounds,
            },
          });
        }
      }
    }

    // Sanity first: a codec is timed on a workload only if it decodes what it encoded.
    const ready: Ready[] = [];
    for (const codec of codecs) {
      const fail = (why: string): void => {
        for (const d of DIRECTIONS) results.cells.set(key(codec.name, w.id, d), { failure: why });
        loud(`${codec.name} on ${w.label}: ${why}`);
      };
      let prepared;
      try {
        prepared = codec.prepare(w.id);
      } catch (e) {
        fail(`cannot build the input: ${firstLine(e)}`);
        continue;
      }
      if (prepared.note) results.notes.set(`${codec.name}:${w.id}`, prepared.note);
      let bytes: Buffer;
      try {
        bytes = Buffer.from(codec.encode(prepared.input)); // a copy: encoders may reuse their buffer
      } catch (e) {
        fail(`encode throws: ${firstLine(e)}`);
        continue;
      }
      let back: unknown;
      try {
        back = codec.decode(bytes);
      } catch (e) {
        fail(`decoding its own encoding throws: ${firstLine(e)}`);
        continue;
      }
      if (!codec.same(back, prepared.expected)) {
        fail('decode(encode(x)) is not x: not timed');
        continue;
      }
      ready.push({ codec, input: prepared.input, bytes });

      if (codec.kind !== 'msgpack' && beamBytes) {
        const compat: Compat = { sameBytes: Buffer.compare(bytes, beamBytes) === 0, reads: undefined };
        try {
          const fromOtp = codec.decode(beamBytes);
          compat.reads = codec.same(fromOtp, prepared.expected) ? 'same' : 'other';
        } catch (e) {
          compat.reads = 'throws';
          compat.detail = firstLine(e);
        }
        results.compat.set(`${codec.name}:${w.id}`, compat);
        if (codec.kind === 'erlbridge' && !compat.sameBytes) {
          let at = 0;
          while (at < bytes.length && bytes[at] === beamBytes[at]) at++;
          results.warnings.push(
            `${codec.name} ${w.label}: encode() differs from term_to_binary at byte ${at} ` +
              `(${bytes.length} bytes vs ${beamBytes.length}; got ${bytes[at]}, OTP wrote ${beamBytes[at]})`,
          );
        }
        if (codec.kind === 'erlbridge' && compat.reads !== 'same') {
          results.warnings.push(
            `${codec.name} ${w.label}: decode() of term_to_binary's bytes ${compat.reads === 'throws' ? `throws: ${compat.detail}` : 'is not the term'}`,
          );
        }
      }
    }
    if (!beamBytes && !beamError) results.warnings.push(`no bytes from erl for ${w.label}`);
    for (const d of DIRECTIONS) {
      process.stdout.write(`${w.label} ${d}: ${ready.map((r) => r.codec.name).join(', ')} ...`);
      const t0 = Date.now();
      const fns = ready.map((r) => (d === 'encode' ? () => r.codec.encode(r.input) : () => r.codec.decode(r.bytes)));
      let measured;
      try {
        measured = measureTogether(fns, timing);
      } catch (e) {
        // a codec that passed the sanity check but throws later (e.g. out of stack under a JIT'd frame)
        console.log('');
        loud(`${w.label} ${d}: a codec threw while timed (${firstLine(e)}); timing them one by one`);
        measured = fns.map((fn, i) => {
          try {
            return measureTogether([fn], timing)[0];
          } catch (e2) {
            results.cells.set(key(ready[i].codec.name, w.id, d), { failure: `throws while timed: ${firstLine(e2)}` });
            return undefined;
          }
        });
      }
      measured.forEach((m, i) => {
        if (m) results.cells.set(key(ready[i].codec.name, w.id, d), { measured: m });
      });
      console.log(` ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  void lastSink();
  const loadAfter = os.loadavg()[0];
  results.machine.mode += `; load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end`;

  const md = renderMarkdown(results);
  console.log('\n## Codec\n');
  console.log(md);
  const docs = path.join(root, 'docs', 'benchmarks.md');
  if (opt.write) {
    writeDocsSection(docs, 'Codec', md);
    console.log(`wrote the ## Codec section of ${path.relative(process.cwd(), docs) || docs}`);
  } else {
    const why = opt.explicitNoWrite ? '--no-write' : opt.quick ? 'a quick run' : 'a partial run';
    console.log(`(not written to ${path.relative(process.cwd(), docs)}: ${why}; pass --write to write it)`);
  }
  const json = path.join(outDir, 'codec-results.json');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(
    json,
    JSON.stringify(
      {
        machine: results.machine,
        cells: Object.fromEntries(results.cells),
        compat: Object.fromEntries(results.compat),
        goals: goals(results),
        skipped,
        warnings: results.warnings,
      },
      null,
      1,
    ),
  );
  console.log(`raw numbers: ${path.relative(process.cwd(), json)}; took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
