/**
 * What erl spawns on the TypeScript node, and what is logged when it ends badly: the served
 * functions of a registered module are spawnable (as exported functions are on BEAM), a spawn
 * that dies of an error or a throw is reported as BEAM reports it ("Error in process ..."), here
 * and in the log of the erl that spawned it (its group leader's node), with the same event erl's
 * logger gets for a process of its own (fixtures/procs/log_capture.erl reads erl's log).
 */
import * as path from 'path';
import { atom, formatTerm, parseTerm, Pid, Term, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { ErlProcess } from '../../src/process/process';
import { describeOtp, uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';

const FIXTURES = path.join(__dirname, '../../fixtures/procs');
const CALL_MS = 20000;

/** An "Error in process" event without what differs between two processes: the pid, the node, the time. */
const SHAPE = `fun(#{level := L, msg := {F, [P, N, R]}, meta := M}) ->
  {L, F, node(P) =:= N, R, lists:sort(maps:keys(M)), maps:get(error_logger, M), maps:get(pid, M) =:= P, maps:get(gl, M) =:= group_leader()} end`;

/** `spawn_monitor(Node, M, F, A)` and the DOWN reason, in erl. */
const RUN = `fun(Node, M, F, A) -> {P, R} = spawn_monitor(Node, M, F, A), receive {'DOWN', R, process, P, Why} -> {P, Why} after 5000 -> timeout end end`;

/** A text with the binary erl printed (~w) as its bytes turned back into text. */
function binaryText(term: Term): string {
  if (!Buffer.isBuffer(term)) throw new Error(`not a binary: ${formatTerm(term)}`);
  return term.toString('utf8');
}

/** A report's text with pids, node names and times made alike, to compare two processes' reports. */
function alike(text: string, nodes: string[]): string {
  let out = text.replace(/<\d+\.\d+\.\d+>/g, 'PID').replace(/^=(\w+) REPORT==== .* ===$/m, '=$1 REPORT==== TIME ===');
  for (const n of nodes) out = out.split(n).join('NODE');
  return out;
}

describeOtp('erl spawning on the TypeScript node: served functions and crash reports', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let T: string;
  const logs: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l), output: () => undefined });
    T = `'${ts.name}'`;
    ts.modules.registerModule('calc', {
      add: (a: Term, b: Term) => (a as number) + (b as number),
      quit: () => {
        throw new ErlangExit(atom('bye'));
      },
      toss: (x: Term) => {
        throw new ErlangThrow(x);
      },
      crash: () => {
        (undefined as unknown as { oops(): void }).oops();
      },
      who: () => atom('the_function'),
    });
    // Both a served function and a spawnable body for calc:who/1: the body wins, as documented.
    ts.modules.registerModule('calc2', { who: () => atom('the_function') });
    ts.modules.registerSpawnable('calc2', 'who', (self: ErlProcess, to: Term) => self.send(to as Pid, tuple(atom('spawnable'), self.pid)));
    await loadErlModule(erl, otp, path.join(FIXTURES, 'log_capture.erl'));
    expect(await erl.eval('log_capture:start()')).toBe('ok');
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('spawn(Ts, M, F, A) of nothing served: undef, and erl logs the same event as for its own spawn', async () => {
    const before = logs.length;
    const answer = parseTerm(
      await erl.eval(
        `begin _ = log_capture:take(), Shape = ${SHAPE},
          P1 = spawn(${T}, nosuch, f, [1, 2]), P2 = spawn(nosuch, f, [1, 2]),
          Es = log_capture:take(2),
          [E1] = [E || #{meta := #{pid := P}} = E <- Es, P =:= P1], [E2] = [E || #{meta := #{pid := P}} = E <- Es, P =:= P2],
          {Shape(E1) =:= Shape(E2), Shape(E1), log_capture:text(E1), log_capture:text(E2)} end`,
        CALL_MS,
      ),
    ) as Tuple;
    const [same, shape, ourText, erlText] = answer.elements;
    expect(formatTerm(shape)).toBe(
      formatTerm(
        parseTerm(
          '{error,"Error in process ~p on node ~p with exit value:~n~p~n",true,{undef,[{nosuch,f,[1,2],[]}]},' +
            '[error_logger,gl,pid,time],#{emulator=>true,tag=>error},true,true}',
        ),
      ),
    );
    expect(same).toBe(true);
    // erl writes both events alike: "Error in process <P> on node N with exit value:", the reason.
    expect(alike(binaryText(ourText), [ts.name, erl.name])).toBe(alike(binaryText(erlText), [ts.name, erl.name]));
    expect(binaryText(ourText)).toContain(`on node ${ts.name} with exit value:\n{undef,[{nosuch,f,[1,2],[]}]}`);
    // And the TypeScript node's own log has it too.
    await waitFor('the local report', () => logs.length > before);
    expect(logs.slice(before).join('\n')).toMatch(
      new RegExp(
        `^=ERROR REPORT==== .* ===\\nError in process <0\\.\\d+\\.\\d+> on node ${ts.name} with exit value:\\n\\{undef,\\[\\{nosuch,f,\\[1,2\\],\\[\\]\\}\\]\\}$`,
      ),
    );
  });

  it("spawn(Ts, Fun) with no TypeScript for the fun: undef, in erl's log", async () => {
    const answer = await erl.eval(
      `begin _ = log_capture:take(), P = spawn(${T}, fun() -> ok end),
        [#{level := error, msg := {_, [P, N, {undef, [{erl_eval, F, 0, []}]}]}}] = [E || #{meta := #{pid := Q}} = E <- log_capture:take(1), Q =:= P],
        {N, is_atom(F)} end`,
      CALL_MS,
    );
    expect(answer).toBe(`{${ts.name},true}`);
  });

  it('served functions are spawnable: value dropped, exits normal or with the reason; errors and throws reported as in erl', async () => {
    const answer = parseTerm(
      await erl.eval(
        `begin _ = log_capture:take(), Run = ${RUN},
          Ours = [Run(${T}, calc, add, [1, 2]), Run(${T}, calc, quit, []), Run(${T}, calc, toss, [x]), Run(${T}, calc, crash, [])],
          Theirs = [Run(node(), lists, sum, [[1, 2]]), Run(node(), erlang, exit, [bye]), Run(node(), erlang, throw, [x]), Run(node(), erlang, error, [oops])],
          Es = log_capture:take(4),
          Reported = fun(Runs) -> [lists:any(fun(#{meta := #{pid := Q}}) -> Q =:= P end, Es) || {P, _} <- Runs] end,
          {[Why || {_, Why} <- Ours], Reported(Ours), Reported(Theirs)} end`,
        CALL_MS,
      ),
    ) as Tuple;
    const [reasons, ours, theirs] = answer.elements as [Term[], Term, Term];
    expect(reasons.slice(0, 2).map((r) => formatTerm(r))).toEqual(['normal', 'bye']);
    expect(formatTerm(reasons[2])).toMatch(/^\{\{nocatch,x\},\[\{calc,toss,1,/);
    expect(formatTerm(reasons[3])).toMatch(/^\{\{js_error,<<.*>>\},\[\{calc,crash,0,\[\{file,/);
    // Reported for the throw and the error, not for normal or an exit: as erl reports its own.
    expect(formatTerm(ours)).toBe('[false,false,true,true]');
    expect(formatTerm(ours)).toBe(formatTerm(theirs));
  });

  it('erpc:cast ends as erpc:execute_cast makes it end: errors as {exception, ...} and throws reported, exits not', async () => {
    const answer = await erl.eval(
      `begin _ = log_capture:take(),
        ok = erpc:cast(${T}, nosuch, f, [1]), ok = erpc:cast(node(), nosuch, f, [1]),
        ok = erpc:cast(${T}, calc, quit, []), ok = erpc:cast(node(), erlang, exit, [bye]),
        ok = erpc:cast(${T}, calc, toss, [x]), ok = erpc:cast(node(), erlang, throw, [x]),
        Es = log_capture:take(4), timer:sleep(300),
        Reasons = [{node(P) =:= node(), R} || #{msg := {_, [P, _, R]}} <- Es ++ log_capture:take()],
        lists:sort([{Here, case R of
            {{exception, {undef, [{nosuch, f, [1], []}]}}, [{erpc, execute_cast, 3, _}]} -> undef;
            {{nocatch, x}, [_ | _]} -> nocatch;
            Other -> Other end} || {Here, R} <- Reasons]) end`,
      CALL_MS,
    );
    expect(answer).toBe('[{false,nocatch},{false,undef},{true,nocatch},{true,undef}]');
  });

  it('registerSpawnable wins over a served function of the same name', async () => {
    expect(
      await erl.eval(`begin spawn(${T}, calc2, who, [self()]), receive {spawnable, P} -> node(P) after 5000 -> none end end`, CALL_MS),
    ).toBe(ts.name);
  });

  it("a served function's JavaScript error is logged here with its stack, function and arguments; erl logs nothing", async () => {
    const before = logs.length;
    await erl.eval('log_capture:take()');
    expect(await erl.eval(`rpc:call(${T}, calc, crash, [])`, CALL_MS)).toMatch(
      /^\{badrpc,\{'EXIT',\{\{js_error,<<.*>>\},\[\{calc,crash,0,/,
    );
    await waitFor('the served error report', () => logs.length > before);
    const report = logs.slice(before).join('\n');
    expect(report).toMatch(
      /^=ERROR REPORT==== .* ===\nServed function calc:crash\/0 threw a JavaScript error\n\*\* Arguments == \[\]\n\*\* TypeError: /,
    );
    expect(report).toContain(path.basename(__filename));
    // rpc caught the error on the erl side too: erl's logger gets nothing, as for an rpc of erl's own.
    expect(await erl.eval(`begin {badrpc, _} = rpc:call(node(), erlang, error, [oops]), log_capture:take() end`, CALL_MS)).toBe('[]');
  });
});
