/**
 * docs/benchmarks.md is shared by the benches: each rewrites its own `## Title` section and leaves
 * the others as they are.
 */
import * as fs from 'fs';
import * as path from 'path';

const INTRO = `# Benchmarks

Written by \`npm run bench\` (bench/run.js). Each section comes from one bench and states the
machine it ran on; every number there is set beside a baseline measured in the same run (an \`erl\`
node doing the same job, or another library), so compare ratios, not raw numbers, across machines.
`;

/** Replace (or append) the `## title` section of `file` with `body`. */
export function writeDocsSection(file: string, title: string, body: string): void {
  const section = `## ${title}\n\n${body.trim()}\n`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `## ${title}`);
  if (start < 0) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
    if (end < 0) end = lines.length;
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = lines.slice(end).join('\n').trim();
    text = `${before}\n\n${section}${after ? `\n${after}\n` : ''}`;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
