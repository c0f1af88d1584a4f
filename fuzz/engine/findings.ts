/**
 * Findings: an input that made a target throw an error it does not expect, throw something that
 * is not an Error, or not settle in time. Saved as fuzz/findings/<target>/<sha1> (the input) and
 * <sha1>.txt (what happened), one per top stack frame: the same bug found through many inputs is
 * kept once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sha1 } from './corpus';
import { ROOT } from './require-hook';

export type FindingKind = 'crash' | 'non-error throw' | 'hang';

export interface Finding {
  readonly kind: FindingKind;
  /** The error's name and message (or what was thrown). */
  readonly summary: string;
  readonly stack: string;
  /** What deduplicates: kind, error name and the top frame that is not the engine's. */
  readonly key: string;
  readonly input: Buffer;
}

export function findingsFolder(target: string): string {
  return path.join(ROOT, 'fuzz', 'findings', target);
}

/** The first stack frame outside the engine, as "file:line". */
function topFrame(stack: string): string {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  const own = frames.find((line) => !line.includes(`${path.sep}fuzz${path.sep}engine${path.sep}`)) ?? frames[0] ?? '';
  return own.trim().replace(ROOT + path.sep, '');
}

export function describeFinding(kind: FindingKind, thrown: unknown, input: Buffer): Finding {
  if (thrown instanceof Error) {
    const stack = thrown.stack ?? `${thrown.name}: ${thrown.message}`;
    return { kind, summary: `${thrown.name}: ${thrown.message}`, stack, key: `${kind} ${thrown.name} ${topFrame(stack)}`, input };
  }
  const summary = `${typeof thrown}: ${String(thrown)}`.slice(0, 200);
  return { kind, summary, stack: '', key: `${kind} ${typeof thrown}`, input };
}

/** Write `finding` under fuzz/findings/<target>/; returns the input's file. */
export function saveFinding(target: string, finding: Finding): string {
  const folder = findingsFolder(target);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, sha1(finding.input));
  fs.writeFileSync(file, finding.input);
  fs.writeFileSync(
    `${file}.txt`,
    `${finding.kind}: ${finding.summary}\nkey: ${finding.key}\ninput (hex): ${finding.input.toString('hex').slice(0, 4096)}\n\n${finding.stack}\n`,
  );
  return file;
}
