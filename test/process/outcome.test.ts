/**
 * The one outcome mapping (src/process/outcome.ts), without erl: how each JavaScript exception is
 * classified and how each outcome is written as a process exit, a `catch` and back as an
 * exception. test/rpc/outcome-erl.test.ts referees the same against real erl nodes.
 */
import { atom, bin, formatTerm, Term, Tuple, tuple } from '../../codec';
import { ErlangError, ErlangExit, ErlangThrow, RemoteError } from '../../src/process/exceptions';
import { caught, exitReason, exitReasonOf, isExitTuple, jsErrorReason, Outcome, outcomeOf, raise } from '../../src/process/outcome';

const site = { module: atom('calc'), function: atom('add'), arity: 2 };
const text = (t: Term) => formatTerm(t);

describe('outcomeOf: JavaScript exceptions as Erlang classifies them', () => {
  it('ErlangThrow, ErlangExit and ErlangError keep their class and value', () => {
    const thrown = outcomeOf(new ErlangThrow(atom('ball')), site);
    expect(thrown.kind).toBe('throw');
    expect(text((thrown as { value: Term }).value)).toBe('ball');
    expect(outcomeOf(new ErlangExit(atom('shutdown')))).toEqual({ kind: 'exit', reason: atom('shutdown') });
    const error = outcomeOf(new ErlangError(atom('badarith')), site) as Extract<Outcome, { kind: 'error' }>;
    expect(error.kind).toBe('error');
    expect(error.reason).toBe(atom('badarith'));
  });

  it('an error carries a stack naming the call site, with the JavaScript file and line', () => {
    const error = outcomeOf(new ErlangError(atom('badarith')), site) as Extract<Outcome, { kind: 'error' }>;
    expect(text(error.stack)).toMatch(/^\[\{calc,add,2,\[\{file,\[[\d,]+\]\},\{line,\d+\}\]\}\]$/);
    const [frame] = error.stack as Tuple[];
    const [file] = frame.get(3) as Tuple[];
    expect(String.fromCharCode(...(file.get(1) as number[]))).toMatch(/outcome\.test\.ts$/);
    // Without a site (a bare process body) the stack is empty, never made up.
    expect(text((outcomeOf(new ErlangError(atom('x'))) as { stack: Term }).stack)).toBe('[]');
  });

  it('a RemoteError keeps the stack it came with', () => {
    const stack = [tuple(atom('m'), atom('f'), 0, [])];
    expect(outcomeOf(new RemoteError(atom('r'), stack), site)).toEqual({ kind: 'error', reason: atom('r'), stack });
  });

  it('any other JavaScript value is an error {js_error, <<"Name: message">>}', () => {
    expect(text((outcomeOf(new TypeError('boom'), site) as { reason: Term }).reason)).toBe(
      text(tuple(atom('js_error'), bin('TypeError: boom'))),
    );
    expect(text(jsErrorReason('plain string'))).toBe(text(tuple(atom('js_error'), bin('plain string'))));
  });
});

describe('the forms of an outcome', () => {
  const ret: Outcome = { kind: 'return', value: 42 };
  const thr: Outcome = { kind: 'throw', value: atom('ball'), stack: [tuple(atom('m'), atom('f'), 1, [])] };
  const ext: Outcome = { kind: 'exit', reason: atom('shutdown') };
  const err: Outcome = { kind: 'error', reason: atom('badarith'), stack: [tuple(atom('m'), atom('f'), 1, [])] };

  it('exitReason is how a BEAM process ends: normal, {{nocatch, V}, Stack}, R, {R, Stack}', () => {
    expect(text(exitReason(ret))).toBe('normal');
    expect(text(exitReason(thr))).toBe('{{nocatch,ball},[{m,f,1,[]}]}');
    expect(text(exitReason(ext))).toBe('shutdown');
    expect(text(exitReason(err))).toBe('{badarith,[{m,f,1,[]}]}');
  });

  it('exitReasonOf of a thrown value goes through the same mapping', () => {
    expect(text(exitReasonOf(new ErlangThrow(bin('x'))))).toBe('{{nocatch,<<120>>},[]}');
    expect(text(exitReasonOf(new TypeError('t')))).toBe(text(tuple(tuple(atom('js_error'), bin('TypeError: t')), [])));
    expect(text(exitReasonOf(new ErlangExit(atom('normal'))))).toBe('normal');
  });

  it("caught is `catch Expr`: the value, {'EXIT', R}, {'EXIT', {R, Stack}}", () => {
    expect(caught(ret)).toBe(42);
    expect(caught(thr)).toBe(atom('ball'));
    expect(text(caught(ext))).toBe("{'EXIT',shutdown}");
    expect(text(caught(err))).toBe("{'EXIT',{badarith,[{m,f,1,[]}]}}");
    expect(isExitTuple(caught(ext))).toBe(true);
    expect(isExitTuple(caught(ret))).toBe(false);
  });

  it('raise turns an outcome back into its exception, and a return into its value', () => {
    expect(raise(ret)).toBe(42);
    expect(() => raise(thr)).toThrow(ErlangThrow);
    expect(() => raise(ext)).toThrow(ErlangExit);
    try {
      raise(err);
      throw new Error('raise returned');
    } catch (e) {
      expect(e).toBeInstanceOf(RemoteError);
      expect(text((e as RemoteError).stacktrace)).toBe('[{m,f,1,[]}]');
    }
    // And outcomeOf(raise(x)) is x again for errors: the mapping is one both ways.
    try {
      raise(err);
    } catch (e) {
      expect(outcomeOf(e)).toEqual(err);
    }
  });

  it('every exception class has its Erlang class as a string code', () => {
    expect([new ErlangError(1).code, new ErlangExit(1).code, new ErlangThrow(1).code, new RemoteError(1, []).code]).toEqual([
      'error',
      'exit',
      'throw',
      'error',
    ]);
  });
});
