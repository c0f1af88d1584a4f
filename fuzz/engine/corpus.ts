/** The corpus folders, fuzz/corpus/<target>/: one input per file, named by the sha1 of its bytes. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './require-hook';

export function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export function corpusFolder(target: string): string {
  return path.join(ROOT, 'fuzz', 'corpus', target);
}

/** The inputs kept for `target`, in name order (so runs are reproducible). */
export function readCorpus(target: string): Buffer[] {
  const folder = corpusFolder(target);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => /^[0-9a-f]{40}$/.test(name))
    .sort()
    .map((name) => fs.readFileSync(path.join(folder, name)));
}

/** Keep `input` for `target`; false if it was there already. */
export function addToCorpus(target: string, input: Buffer): boolean {
  const folder = corpusFolder(target);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, sha1(input));
  if (fs.existsSync(file)) return false;
  fs.writeFileSync(file, input);
  return true;
}
