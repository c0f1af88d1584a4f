#!/usr/bin/env node
'use strict';
/*
 * Entry point of `npm run soak -- --minutes N` (flags: bench/soak/cli.ts, or `--help`).
 *
 * As bench/run.js does for the benches: compiles bench/soak/cli.ts and the library sources it
 * imports with the root TypeScript (through a tsconfig written into bench/.build, which extends
 * bench/tsconfig.json and names only the soak, so the benches are not compiled too), then runs it
 * with `node --expose-gc` (memory is sampled after full collections) and exits with its code.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const bench = path.resolve(__dirname, '..');
const root = path.resolve(bench, '..');
const build = path.join(bench, '.build');
const out = path.join(build, 'soak');

function main() {
  fs.mkdirSync(build, { recursive: true });
  const tsconfig = path.join(build, 'soak-tsconfig.json');
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { outDir: 'soak' }, include: [], files: ['../soak/cli.ts'] }, null, 2),
  );
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  console.error('soak: compiling (bench/soak/cli.ts and what it imports)...');
  const compiled = spawnSync(process.execPath, [tsc, '-p', tsconfig], { cwd: root, stdio: 'inherit' });
  if (compiled.status !== 0) {
    console.error('soak: bench/soak does not compile; fix the errors above');
    process.exit(1);
  }
  const cli = path.join(out, 'bench', 'soak', 'cli.js');
  const r = spawnSync(process.execPath, ['--expose-gc', cli, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`soak: ${r.error.message}`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

main();
