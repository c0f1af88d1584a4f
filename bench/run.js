#!/usr/bin/env node
'use strict';
/*
 * Entry point of `npm run bench`.
 *
 *   npm run bench                      every bench (bench/<name>/main.ts), full run
 *   npm run bench -- --quick           a short smoke run (does not rewrite docs/benchmarks.md)
 *   npm run bench -- codec [flags]     only the named bench(es); flags go to each (try --help)
 *
 * 1. Installs the comparison libraries listed in bench/package.json into bench/node_modules
 *    (`npm ci --prefix bench`, or `npm install` when there is no lock), once, and again when
 *    bench/package.json or its lock changes. They are never dependencies of erlbridge itself.
 * 2. Compiles the benches and the library sources they import with the root TypeScript into
 *    bench/.build/js (bench/tsconfig.json).
 * 3. Runs each bench with `node --expose-gc`; they print their tables and write their section of
 *    docs/benchmarks.md.
 */
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const bench = __dirname;
const root = path.resolve(bench, '..');
const build = path.join(bench, '.build');

function loud(text) {
  console.error(`\n!!! bench: ${text}\n`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) return { ok: false, why: r.error.message };
  return { ok: r.status === 0, why: r.signal ? `killed by ${r.signal}` : `exit ${r.status}`, status: r.status };
}

function installComparisonLibraries() {
  const lock = path.join(bench, 'package-lock.json');
  const stampFile = path.join(bench, 'node_modules', '.erlbridge-bench-installed');
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(path.join(bench, 'package.json')));
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  const stamp = hash.digest('hex');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return;
  const verb = fs.existsSync(lock) ? 'ci' : 'install';
  console.log(`bench: installing the comparison libraries (npm ${verb} --prefix bench)...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = run(npm, [verb, '--prefix', bench, '--no-audit', '--no-fund'], { cwd: root });
  if (!r.ok) {
    loud(`npm ${verb} --prefix bench failed (${r.why}): the libraries that are missing will be skipped`);
    return;
  }
  fs.writeFileSync(stampFile, stamp);
}

function compile() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  fs.rmSync(path.join(build, 'js'), { recursive: true, force: true });
  console.log('bench: compiling (tsc -p bench/tsconfig.json)...');
  const r = run(process.execPath, [tsc, '-p', path.join(bench, 'tsconfig.json')], { cwd: root });
  if (!r.ok) {
    loud(`the bench does not compile (${r.why}); fix the errors above`);
    process.exit(1);
  }
}

function gitRev() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'codec'], { cwd: root, encoding: 'utf8' });
  return `${r.stdout.trim()}${dirty.stdout && dirty.stdout.trim() ? ', codec/ with uncommitted changes' : ''}`;
}

function main() {
  const args = process.argv.slice(2);
  const all = fs
    .readdirSync(bench, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
    .filter((d) => fs.existsSync(path.join(bench, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
  const named = args.filter((a) => !a.startsWith('-'));
  const flags = args.filter((a) => a.startsWith('-'));
  const unknown = named.filter((n) => !all.includes(n));
  if (unknown.length) {
    console.error(`bench: no bench named ${unknown.join(', ')} (there are: ${all.join(', ')})`);
    process.exit(2);
  }
  const selected = named.length ? named : all;

  installComparisonLibraries();
  compile();

  let failed = 0;
  for (const name of selected) {
    const main = path.join(build, 'js', 'bench', name, 'main.js');
    console.log(`\nbench: ${name}`);
    const env = { ...process.env, ERLBRIDGE_BENCH_DIR: bench };
    const rev = gitRev();
    if (rev) env.ERLBRIDGE_BENCH_REV = rev;
    const r = run(process.execPath, ['--expose-gc', main, ...flags], { cwd: root, env });
    if (!r.ok) {
      loud(`${name} failed (${r.why})`);
      failed++;
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
