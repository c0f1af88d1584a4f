/**
 * parseTerm reads back what prettyTerm writes: strings, `<<"...">>` and `<<"..."/utf8>>`, escapes,
 * `\x{...}` in atoms, line breaks and indentation, for random terms under random layouts. (Pids,
 * ports, references and funs are left out: their `~p` text, like erl's, is not Erlang syntax. A
 * charlist printed as a string reads back as the same list; a binary as the same bytes.)
 */
import fc from 'fast-check';
import { charlist, equals, ErlMap, ImproperList, Term, Tuple } from '../../codec';
import { parseTerm, prettyTerm, PrettyOptions } from '../../codec/text';
import { atomArb, binaryArb, bitstringArb, byteListArb, floatArb, integerArb, withoutNegativeZero } from '../support/arbitrary';
import { showTerm } from '../support/arbitrary';

/** Text in every range the printer treats differently: ASCII, escapes, Latin-1, beyond. */
const textArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('hello world', 'tab\there\nnew "quoted" \\ back', 'λx', 'é', '\x1b\x7f\x9f\xa0'),
);

const leafArb: fc.Arbitrary<Term> = fc.oneof(
  { arbitrary: integerArb, weight: 4 },
  { arbitrary: floatArb, weight: 2 },
  { arbitrary: atomArb, weight: 4 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: binaryArb, weight: 2 },
  { arbitrary: bitstringArb, weight: 1 },
  { arbitrary: byteListArb, weight: 2 },
  { arbitrary: textArb.map(charlist), weight: 4 },
  { arbitrary: textArb.map((s) => Buffer.from(s, 'utf8')), weight: 3 },
  { arbitrary: textArb.map((s) => Buffer.from(s, 'latin1')), weight: 2 },
);

const { term: termArb } = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { maxDepth: 5, depthSize: 'small', withCrossShrink: true },
    { arbitrary: leafArb, weight: 5 },
    { arbitrary: fc.array(tie('term'), { maxLength: 8 }), weight: 2 },
    { arbitrary: fc.array(tie('term'), { maxLength: 6 }).map((items) => new Tuple(items)), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.array(tie('term'), { minLength: 1, maxLength: 4 }), tie('term'))
        .filter(([, tail]) => !Array.isArray(tail) && !(tail instanceof ImproperList))
        .map(([items, tail]) => new ImproperList(items, tail)),
      weight: 1,
    },
    {
      arbitrary: fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 5 }).map((entries) => {
        const m = new ErlMap();
        for (const [k, v] of entries) m.set(withoutNegativeZero(k), v);
        return m;
      }),
      weight: 1,
    },
  ),
}));

const optionsArb: fc.Arbitrary<PrettyOptions> = fc.record({
  encoding: fc.constantFrom('latin1' as const, 'unicode' as const),
  printableRange: fc.constantFrom('latin1' as const, 'unicode' as const),
  lineLength: fc.oneof(fc.constant(80), fc.constant(0), fc.integer({ min: 10, max: 120 })),
  column: fc.integer({ min: 1, max: 60 }),
  otp: fc.constantFrom(25, 27, 29),
});

describe('parseTerm(prettyTerm(t))', () => {
  it('is t, for random terms and layouts', () => {
    fc.assert(
      fc.property(termArb, optionsArb, (term, options) => {
        const text = prettyTerm(term, options);
        const parsed = parseTerm(text);
        if (!equals(parsed, term)) throw new Error(`read back ${showTerm(parsed)} from\n${text}`);
      }),
      { numRuns: 300 },
    );
  });

  it('reads strings, printable binaries and UTF-8 binaries back', () => {
    const term = new Tuple([charlist('a "b"\n'), Buffer.from('tab\t'), Buffer.from('λé', 'utf8'), charlist('é')]);
    const text = prettyTerm(term, { printableRange: 'unicode' });
    expect(text).toBe('{"a \\"b\\"\\n",<<"tab\\t">>,<<"λé"/utf8>>,"é"}');
    expect(equals(parseTerm(text), term)).toBe(true);
  });
});
