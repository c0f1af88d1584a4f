/**
 * Seed material read from fixtures/ (what real erl wrote), for the targets' `seeds()`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadVectorFile, Vector, VECTOR_FILES } from '../../test/support/arbitrary';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');

/** Seeds longer than this are left out: the engine's default longest input. */
const MAX_SEED = 4096;

function vectors(): Vector[] {
  return VECTOR_FILES.flatMap((file) => loadVectorFile(file).vectors);
}

/** Distinct buffers, in first-seen order. */
function distinct(buffers: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return buffers.filter((b) => b.length <= MAX_SEED && !seen.has(b.toString('latin1')) && seen.add(b.toString('latin1')) !== undefined);
}

/**
 * Every External Term Format byte string of fixtures/etf/vectors*.json (terms erl encoded, and the
 * inputs erl decoded or rejected) and fixtures/text/pretty-*.tsv (`T` lines), each once.
 */
export function etfVectors(): Buffer[] {
  const fromJson = vectors().flatMap((v) => [v.hex, v.input].filter((hex) => hex !== undefined).map((hex) => Buffer.from(hex, 'hex')));
  const fromTsv = textFixtureLines()
    .filter((line) => line.startsWith('T '))
    .map((line) => Buffer.from(line.slice(2).trim(), 'hex'));
  return distinct([...fromJson, ...fromTsv]);
}

function textFixtureLines(): string[] {
  const folder = path.join(FIXTURES, 'text');
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('.tsv'))
    .sort()
    .flatMap((name) => fs.readFileSync(path.join(folder, name), 'utf8').split('\n'));
}

/**
 * Erlang text erl wrote: the `text` of every ETF vector (`~w`), what `io_lib:format` printed in
 * fixtures/text/pretty-*.tsv with `~p` and `~w` (other directives repeat these), and the
 * `file:consult` file fixtures/lib_chan/lib_chan.conf.
 */
export function erlangTexts(): Buffer[] {
  const fromJson = vectors().flatMap((v) => (v.text === undefined ? [] : [Buffer.from(v.text, 'utf8')]));
  const fromTsv = textFixtureLines()
    .map((line) => line.split('\t'))
    .filter((fields) => fields.length === 4 && (fields[0] === 'p' || fields[0] === 'w') && fields[1] === '-1' && fields[2] === '1')
    .map((fields) => Buffer.from(fields[3], 'base64'));
  const consult = fs.readFileSync(path.join(FIXTURES, 'lib_chan', 'lib_chan.conf'));
  return distinct([...fromJson, ...fromTsv, consult]);
}
