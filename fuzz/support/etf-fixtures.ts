/**
 * Terms from fixtures/etf/vectors.json (what erl's term_to_binary wrote), one per kind of term:
 * payloads for the seeds of the targets that carry terms.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decode, Term } from '../../codec';

interface Vector {
  name: string;
  kind: string;
  /** Absent for the large vectors, which are stored compressed (`hex_zlib`). */
  hex?: string;
}

const VECTORS = path.join(__dirname, '..', '..', 'fixtures', 'etf', 'vectors.json');

/** The first small vector of each group (`int`, `atom`, `pid`, `map`, ...) that erl encoded as a term. */
export function fixtureTerms(): Term[] {
  const { vectors } = JSON.parse(fs.readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] };
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const vector of vectors) {
    const group = vector.name.split('/')[0];
    if (vector.kind !== 'term' || vector.hex === undefined || seen.has(group)) continue;
    seen.add(group);
    terms.push(decode(Buffer.from(vector.hex, 'hex')));
  }
  return terms;
}
