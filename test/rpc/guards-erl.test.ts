/**
 * Served functions with argument patterns, refereed by erl: a TypeScript `calc` made of clauses
 * and fixtures/guards/calc.erl, its Erlang twin with the same guards, are called by the same erl
 * caller with the same arguments (rpc:call and erpc:call). What the caller gets must be identical,
 * function_clause included, once the stack frames' locations (erl's file and line; TypeScript's
 * `[]`) are blanked. The exact function_clause term is also checked on its own, so that two equal
 * wrong answers cannot pass.
 *
 * Also: float results (`fadd(1.5, 2.5)` is `4.0`), and the integer forms a module can ask for.
 */
import * as path from 'path';
import { atom, P, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { clause, clauses } from '../../src/rpc/clause';
import type { CallContext } from '../../src/rpc/modules';
import { describeOtp, uniqueName } from '../support/otp';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';

const FIXTURES = path.join(__dirname, '../../fixtures/guards');
const CALL_TIMEOUT = 5000; // erl gives up on a call after this; the eval after twice as long
const EVAL_TIMEOUT = 2 * CALL_TIMEOUT + 2000;

/** Every stack frame's location blanked, everywhere in a term: erl's has file and line. */
const NORM =
  'Norm = fun N({M, F, A, L}) when is_atom(M), is_atom(F), is_list(L) -> {M, F, A, []}; ' +
  'N(T) when is_tuple(T) -> list_to_tuple([N(E) || E <- tuple_to_list(T)]); ' +
  'N(L) when is_list(L) -> [N(E) || E <- L]; N(X) -> X end';

/** The calls made on both nodes: `calc:F(Args)`, args in Erlang text. */
const CALLS: [string, string][] = [
  ['add', '[1, 2]'],
  ['add', '[1 bsl 60, 1]'],
  ['add', '[-(1 bsl 70), 1 bsl 53]'],
  ['add', '[a, b]'],
  ['add', '[1, 2.0]'],
  ['add', '[1]'],
  ['fadd', '[1.5, 2.5]'],
  ['fadd', '[1, 2]'],
  ['fadd', '[1.5, x]'],
  ['swap', '[{1, two}]'],
  ['swap', '[{1, 2, 3}]'],
  ['swap', '[[1, 2]]'],
  ['utf8_size', '[<<"héllo"/utf8>>]'],
  ['utf8_size', '["héllo"]'],
  ['utf8_size', '[hello]'],
  ['norm', '[up, 3]'],
  ['norm', '[down, 3]'],
  ['norm', '[sideways, 3]'],
  ['total', '[#{a => 1, b => 2, c => 3}]'],
  ['total', '[#{a => 1}]'],
  ['total', '[#{a => 1, b => x}]'],
  ['who', '[{person, <<"joe">>, 42}]'],
  ['who', '[{person, "joe", 42}]'],
  ['who', '[{animal, <<"joe">>, 42}]'],
];

describeOtp('served clauses against their Erlang twin', (otp) => {
  let epmd: EpmdServer;
  let caller: OtpNode;
  let ref: OtpNode;
  let ts: ErlNode;
  let T: string;
  let R: string;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    [caller, ref, ts] = await Promise.all([
      startOtpNode(otp, { sname: uniqueName('caller'), cookie, epmdPort: epmd.port }),
      startOtpNode(otp, { sname: uniqueName('ref'), cookie, epmdPort: epmd.port }),
      ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined }),
    ]);
    expect(await loadErlModule(ref, otp, path.join(FIXTURES, 'calc.erl'))).toBe('calc');
    T = `'${ts.name}'`;
    R = `'${ref.name}'`;

    ts.modules.registerModule('calc', {
      add: clause([P.bigint, P.bigint], (a, b) => a + b),
      fadd: clause([P.number, P.number], (a, b) => a + b, { returns: 'float' }),
      swap: clause([P.tuple(P.any, P.any)], ([a, b]) => tuple(b, a)),
      utf8_size: clause([P.string], (s) => Buffer.byteLength(s)),
      norm: clauses(
        clause([P.atom('up'), P.int], (_, n) => n),
        clause([P.atom('down'), P.int], (_, n) => -n),
      ),
      total: clause([P.map({ a: P.int, b: P.int })], ({ a, b }) => a + b),
      who: clause([P.record('person', { name: P.binary, age: P.int })], ({ name }) => name),
    });
    ts.modules.registerModule('more', {
      whoami: clause([], function (this: CallContext) {
        return this.self.pid;
      }),
      half: clause([P.int], (n) => Promise.resolve(n / 2), { returns: 'float' }),
      person: clause([P.string, P.int], (name, age) => ({ name, age, tags: ['a', null] }), { returns: 'js' }),
    });
    // Integer forms: the same plain function, integers as the module asks.
    const kind = (x: Term): Term => tuple(atom(typeof x), x);
    const kinds = (l: Term): Term => (l as Term[]).map((x) => atom(typeof x));
    ts.modules.registerModule('as_bigint', { kind, kinds }, { integers: 'bigint' });
    ts.modules.registerModule('as_number', { kind, kinds }, { integers: 'number' });
    ts.modules.registerModule('as_mixed', { kind, kinds });
  });

  afterAll(async () => {
    await ts?.stop();
    await Promise.all([caller?.stop(), ref?.stop()]);
    await epmd?.close();
  });

  /** What `probe` (an expression of the node name) gives against the Erlang twin and against TypeScript. */
  function both(probe: (node: string) => string): Promise<string[]> {
    return Promise.all([R, T].map((n) => caller.eval(`begin ${NORM}, ${probe(n)} end`, EVAL_TIMEOUT)));
  }

  it.each(CALLS)('rpc:call calc:%s(%s) is what the Erlang function gives', async (f, args) => {
    const [erl, tsOut] = await both((n) => `Norm(rpc:call(${n}, calc, ${f}, ${args}, ${CALL_TIMEOUT}))`);
    expect(tsOut).toBe(erl);
    expect(tsOut).not.toMatch(/js_error|badrpc,timeout|nodedown/); // undef only for add/1, as on erl
  });

  it.each(CALLS)('erpc:call calc:%s(%s) raises what the Erlang function raises', async (f, args) => {
    const [erl, tsOut] = await both(
      (n) => `Norm(try {value, erpc:call(${n}, calc, ${f}, ${args}, ${CALL_TIMEOUT})} catch C:E -> {C, E} end)`,
    );
    expect(tsOut).toBe(erl);
  });

  it('function_clause is error function_clause with the call as the stack, as erl gives it', async () => {
    expect(await caller.eval(`rpc:call(${T}, calc, add, [a, b], ${CALL_TIMEOUT})`)).toBe(
      "{badrpc,{'EXIT',{function_clause,[{calc,add,[a,b],[]}]}}}",
    );
    expect(await caller.eval(`begin ${NORM}, Norm(rpc:call(${R}, calc, add, [a, b], ${CALL_TIMEOUT})) end`)).toBe(
      "{badrpc,{'EXIT',{function_clause,[{calc,add,[a,b],[]}]}}}",
    );
    expect(await caller.eval(`try erpc:call(${T}, calc, swap, [x], ${CALL_TIMEOUT}) catch error:E -> E end`)).toBe(
      '{exception,function_clause,[{calc,swap,[x],[]}]}',
    );
  });

  it('a float-typed result stays a float: fadd(1.5, 2.5) =:= 4.0, fadd(1, 2) =:= 3.0', async () => {
    expect(await caller.eval(`rpc:call(${T}, calc, fadd, [1.5, 2.5], ${CALL_TIMEOUT}) =:= 4.0`)).toBe('true');
    expect(await caller.eval(`rpc:call(${T}, calc, fadd, [1, 2], ${CALL_TIMEOUT}) =:= 3.0`)).toBe('true');
    expect(await caller.eval(`rpc:call(${T}, calc, add, [1 bsl 60, 1], ${CALL_TIMEOUT}) =:= (1 bsl 60) + 1`)).toBe('true');
  });

  it('clauses run with their call context, may be async, and convert results as asked', async () => {
    expect(await caller.eval(`begin P = rpc:call(${T}, more, whoami, [], ${CALL_TIMEOUT}), {is_pid(P), node(P)} end`)).toBe(
      `{true,${ts.name}}`,
    );
    expect(await caller.eval(`rpc:call(${T}, more, half, [4], ${CALL_TIMEOUT}) =:= 2.0`)).toBe('true');
    expect(await caller.eval(`rpc:call(${T}, more, half, [x], ${CALL_TIMEOUT})`)).toBe(
      "{badrpc,{'EXIT',{function_clause,[{more,half,[x],[]}]}}}",
    );
    expect(
      await caller.eval(
        `rpc:call(${T}, more, person, ["joe", 42], ${CALL_TIMEOUT}) =:= #{name => <<"joe">>, age => 42, tags => [<<"a">>, null]}`,
      ),
    ).toBe('true');
    // rex (rpc:block_call) finds the same served function.
    expect(await caller.eval(`rpc:block_call(${T}, calc, add, [a, b], ${CALL_TIMEOUT})`)).toBe(
      "{badrpc,{'EXIT',{function_clause,[{calc,add,[a,b],[]}]}}}",
    );
  });

  it('integers: bigint always, number always (a too-large one is system_limit), or mixed', async () => {
    const call = (m: string, arg: string, f = 'kind'): Promise<string> =>
      caller.eval(`rpc:call(${T}, ${m}, ${f}, [${arg}], ${CALL_TIMEOUT})`);
    expect(await call('as_bigint', '7')).toBe('{bigint,7}');
    expect(await call('as_bigint', '[1, 1 bsl 60, 2.5, x]', 'kinds')).toBe('[bigint,bigint,object,object]');
    expect(await call('as_bigint', '{[1], #{2 => 3}}')).toMatch(/^{object,{\[1\],#{2 ?=> ?3}}}$/);
    expect(await call('as_bigint', '1.0')).toBe('{object,1.0}');
    expect(await call('as_number', '7')).toBe('{number,7}');
    expect(await call('as_number', '1 bsl 53 - 1')).toBe('{number,9007199254740991}');
    expect(await call('as_number', '1 bsl 60')).toBe("{badrpc,{'EXIT',{system_limit,[{as_number,kind,[1152921504606846976],[]}]}}}");
    expect(await call('as_number', '[1, 1 bsl 53]')).toBe("{badrpc,{'EXIT',{system_limit,[{as_number,kind,[[1,9007199254740992]],[]}]}}}");
    expect(await call('as_mixed', '7')).toBe('{number,7}');
    expect(await call('as_mixed', '1 bsl 60')).toBe('{bigint,1152921504606846976}');
    expect(await call('as_mixed', '[1, 1 bsl 60]', 'kinds')).toBe('[number,bigint]');
    expect(await call('as_number', '[1, 2.5]', 'kinds')).toBe('[number,object]');
  });
});
