/**
 * prettyTerm against a live erl of every OTP variant (25, and 27 and 29 where their chroots
 * exist): random terms go to erl as term_to_binary hex in one file, one erl run decodes them all
 * and prints each with io_lib:format as ~p, ~tp, ~P at depth 5 and ~tp from column 10.
 *
 * OTP 26+ print maps in an internal order (atom keys by atom index), so there the directives
 * carry the `k` modifier (`~kp`: map key order), which prettyTerm prints; OTP 25 has no `k` and
 * prints maps of more than 32 keys in hash order, so those are left out there.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { encode, ErlMap, ExportFun, Fun, ImproperList, Pid, Port, Reference, Term, Tuple } from '../../codec';
import { prettyTerm, PrettyOptions } from '../../codec/text';
import { hasLargeMap, termArb } from '../support/arbitrary';
import { describeOtp, erlEval, stageFile } from '../support/otp';

/** Pids, ports, references and local funs of other nodes print with erl's node index: not comparable. */
function hasOpaque(t: Term): boolean {
  const stack: Term[] = [t];
  while (stack.length > 0) {
    const x = stack.pop() as Term;
    if (x instanceof Pid || x instanceof Port || x instanceof Reference || x instanceof Fun) return true;
    // erl writes the UTF-8 bytes of a non-ASCII fun name as Latin-1 characters (see print.ts).
    if (x instanceof ExportFun && Array.from(x.module.name + x.function.name).some((c) => c.charCodeAt(0) > 0x7f)) return true;
    if (Array.isArray(x)) stack.push(...x);
    else if (x instanceof Tuple) stack.push(...x.elements);
    else if (x instanceof ImproperList) stack.push(...x.elements, x.tail);
    else if (x instanceof ErlMap) stack.push(...x.keys(), ...x.values());
  }
  return false;
}

const TERMS: Term[] = fc.sample(termArb({ maxDepth: 4, maxLength: 8 }), { numRuns: 600, seed: 20261207 }).filter((t) => !hasOpaque(t));

/** The directives each term is printed with, and the prettyTerm options that should match. */
const CASES: Array<{ directive: (k: string) => string; options: PrettyOptions; prefix: number }> = [
  { directive: (k) => `~${k}p`, options: { encoding: 'latin1' }, prefix: 0 },
  { directive: (k) => `~t${k}p`, options: { encoding: 'unicode' }, prefix: 0 },
  { directive: (k) => `~${k}P`, options: { encoding: 'latin1', depth: 5 }, prefix: 0 },
  { directive: (k) => `~t${k}p`, options: { encoding: 'unicode', column: 10 }, prefix: 9 },
];

describeOtp('prettyTerm vs io_lib:format', (otp) => {
  const release = Number(otp.release);
  const terms = release >= 26 ? TERMS : TERMS.filter((t) => !hasLargeMap(t));
  let printed: string[][] = [];

  beforeAll(() => {
    const file = path.join(os.tmpdir(), `erlbridge-pretty-${process.pid}-${otp.release}.hex`);
    fs.writeFileSync(file, terms.map((t) => encode(t).toString('hex')).join('\n') + '\n');
    const k = release >= 26 ? 'k' : '';
    const formats = CASES.map((c) => `{"${'.'.repeat(c.prefix)}${c.directive(k)}", ${c.prefix}, ${c.options.depth ?? -1}}`).join(', ');
    const code = `
      {ok, Bin} = file:read_file("${stageFile(otp, file)}"),
      Print = fun(T, {Fmt, Cut, D}) ->
          Args = case D of -1 -> [T]; _ -> [T, D] end,
          Chars = lists:nthtail(Cut, lists:flatten(io_lib:format(Fmt, Args))),
          base64:encode(unicode:characters_to_binary(Chars))
        end,
      Lines = [lists:join($\\t, [Print(binary_to_term(binary:decode_hex(H)), F) || F <- [${formats}]])
               || H <- binary:split(Bin, <<"\\n">>, [global, trim])],
      io:put_chars(lists:join($\\n, Lines)), halt().`;
    const out = erlEval(otp, code, [], 120000);
    fs.unlinkSync(file);
    printed = out.split('\n').map((line) => line.split('\t').map((b) => Buffer.from(b, 'base64').toString('utf8')));
  }, 130000);

  it('prints hundreds of random terms as erl does', () => {
    expect(terms.length).toBeGreaterThan(200);
    expect(printed.length).toBe(terms.length);
    const mismatches: string[] = [];
    terms.forEach((term, i) => {
      CASES.forEach((c, j) => {
        const ours = prettyTerm(term, { ...c.options, otp: release });
        if (ours !== printed[i][j])
          mismatches.push(`${c.directive('')} ${encode(term).toString('hex')}\n--- erl:\n${printed[i][j]}\n--- ours:\n${ours}`);
      });
    });
    expect(mismatches.slice(0, 3)).toEqual([]);
  });
});
