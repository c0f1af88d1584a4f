/**
 * The soak's report as text: per direction and kind, the totals and every way of going wrong;
 * kills and restarts; memory at start, after warm-up, at the end and its maximum, with the
 * flatness verdict; the violations. The last line is the report as JSON (`SOAK-REPORT {...}`) for
 * programs (the CI test reads it).
 */
import { MEASURES, MIN_JUDGED_MS } from './memory';
import { SoakReport } from './soak';
import { KIND_LABELS } from './tally';

export const REPORT_MARKER = 'SOAK-REPORT ';

const MIB = 1 << 20;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

export function formatReport(report: SoakReport): string {
  const seconds = report.runMs / 1000;
  const lines: string[] = [];
  const o = report.options;
  lines.push(
    `soak: ${seconds.toFixed(0)} s, ${o.peers} erl peers (${o.otp}), a peer killed (kill -9) every ${o.killEveryMs / 1000} s, pace ${o.paceMs} ms (1 MiB: ${o.bigPaceMs} ms)`,
  );
  lines.push(`kills: ${report.kills}, restarts: ${report.restarts}`);
  lines.push('');
  lines.push(
    '| direction | operation | sent | answered | per s | received | lost while live | duplicated | reordered | in flight at kills |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { direction, kind, row } of report.rows) {
    // An erl sender dies with its count at a kill -9: what it had in flight is not known here.
    const atKill = direction === 'erl→TS' && (kind === 'message' || kind === 'ack') ? 'n/a' : String(row.atKill);
    // An ack is answered by nothing; a DOWN has no receiver-side count of its own.
    const answered = kind === 'ack' ? '—' : String(row.answered);
    const perSecond = ((kind === 'ack' ? row.received : row.answered) / seconds).toFixed(0);
    const received = kind === 'monitor' || kind === 'peer_monitor' ? '—' : String(row.received);
    lines.push(
      `| ${direction} | ${KIND_LABELS[kind]} | ${row.sent} | ${answered} | ${perSecond} | ${received} | ${row.lostLive} | ${row.duplicated} | ${row.reordered} | ${atKill} |`,
    );
  }
  lines.push('');
  const m = report.memory;
  lines.push(
    `memory (${report.samples} samples${report.forcedGc ? ', each after a full GC' : ', no forced GC: run with --expose-gc for live-set samples'}):`,
  );
  lines.push('| measure | start | after warm-up | end | max | max of middle third | max of last third | allowed | flat |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const measure of MEASURES) {
    const s = m.measures[measure];
    const f = measure === 'processes' ? (n: number) => String(Math.round(n)) : mib;
    lines.push(
      `| ${measure} | ${f(s.start)} | ${f(s.afterWarmup)} | ${f(s.end)} | ${f(s.max)} | ${f(s.middleMax)} | ${f(s.lastMax)} | ${f(s.allowed)} | ${s.flat ? 'yes' : 'NO'} |`,
    );
  }
  lines.push(
    m.judged
      ? `memory verdict: ${m.flat ? 'flat after warm-up' : 'GROWING after warm-up'}`
      : `memory verdict: not judged (runs shorter than ${MIN_JUDGED_MS / 1000} s are too short to tell a leak from warm-up)`,
  );
  lines.push(
    `node log: ${report.nodeLogLines} lines${report.nodeLog.length ? `; the first: ${report.nodeLog[0].split('\n').join(' / ')}` : ''}`,
  );
  lines.push('');
  lines.push(`violations: ${report.violationCount}`);
  for (const v of report.violations) lines.push(`  [${v.where}] ${v.direction} ${v.kind}: ${v.what}`);
  lines.push(report.ok ? 'soak: OK, nothing lost, duplicated or reordered while live' : 'soak: FAILED');
  lines.push(`${REPORT_MARKER}${JSON.stringify(report)}`);
  return lines.join('\n');
}
