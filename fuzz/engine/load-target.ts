/**
 * Finding and loading targets: every fuzz/targets/<name>.ts exports `target`. A target is loaded
 * twice: once plainly to read its `covers`, then (after the project's modules are forgotten)
 * again with exactly those files instrumented.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FuzzTarget } from '../target';
import { instrumentedLoaded, instrumentOnly, ROOT, unloadProject } from './require-hook';

export const TARGETS_FOLDER = path.join(ROOT, 'fuzz', 'targets');

/** The files of fuzz/targets/, by target name. */
export function targetFiles(): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(TARGETS_FOLDER)) return files;
  for (const name of fs.readdirSync(TARGETS_FOLDER).sort()) {
    if (name.endsWith('.ts')) files.set(name.slice(0, -3), path.join(TARGETS_FOLDER, name));
  }
  return files;
}

/** The `target` export of `file`, loaded as the hook stands. */
export function loadTarget(file: string): FuzzTarget {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.resolve(file)) as { target?: FuzzTarget };
  if (loaded.target === undefined) throw new Error(`${file} exports no \`target\``);
  return loaded.target;
}

/** Load `file`'s target with its `covers` instrumented (and nothing else). */
export function loadInstrumented(file: string): FuzzTarget {
  instrumentOnly([]);
  const plain = loadTarget(file);
  unloadProject();
  instrumentOnly(plain.covers);
  const target = loadTarget(file);
  const missing = plain.covers.filter((cover) => !instrumentedLoaded.has(path.resolve(ROOT, cover)));
  if (missing.length > 0) throw new Error(`${target.name} covers ${missing.join(', ')}, which it never loads`);
  return target;
}
