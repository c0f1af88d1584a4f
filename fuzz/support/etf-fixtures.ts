/**
 * Terms from fixtures/etf/vectors.json (what erl's term_to_binary wrote), one per kind of term:
 * payloads for the seeds of the targets that carry terms.
 */
import { decode, Term } from '../../codec';
import { loadVectorFile } from '../../test/support/arbitrary';

/** The first small vector of each group (`int`, `atom`, `pid`, `map`, ...) that erl encoded as a term. */
export function fixtureTerms(): Term[] {
  const { vectors } = loadVectorFile('vectors.json');
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const vector of vectors) {
    const group = vector.name.split('/')[0];
    // The large vectors have no `hex`: they are stored compressed, and are not small.
    if (vector.kind !== 'term' || vector.hex === undefined || seen.has(group)) continue;
    seen.add(group);
    terms.push(decode(Buffer.from(vector.hex, 'hex')));
  }
  return terms;
}
