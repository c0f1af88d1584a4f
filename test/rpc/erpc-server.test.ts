/**
 * erl calling into TypeScript: the book's kvs session, undef for everything not registered
 * (os:cmd included), erpc's exception classes, casts, multicall, rex, timeouts and parallel callers.
 */
import * as fs from 'fs';
import { atom, Term } from '../../codec';
import { EpmdServer } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlangError, ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { ErlProcess } from '../../src/process/process';
import { CallContext } from '../../src/rpc/modules';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('rpc into TypeScript', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let T: string;
  const cookie = uniqueName('cookie');
  const executed: string[] = [];

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('bilbo'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined });
    T = `'${ts.name}'`;
    serveKvs(ts);
    ts.modules.registerModule('demo', {
      boom: () => {
        throw new ErlangError(atom('badarith'));
      },
      quit: () => {
        throw new ErlangExit(atom('bye'));
      },
      toss: (x: Term) => {
        throw new ErlangThrow(x);
      },
      crash: () => {
        executed.push('crash');
        return (undefined as unknown as { x: () => Term }).x();
      },
      slow: async () => {
        await new Promise((r) => setTimeout(r, 500));
        executed.push('slow done');
        return atom('late');
      },
      echo: (x: Term) => x,
      nothing: () => undefined,
      notATerm: () => ({ plain: 'object' }),
    });
    ts.modules.registerModule('erlang', { node: () => atom(ts.name) });
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it("the book's session: store weather fine, lookup weather, lookup weater", async () => {
    expect(await erl.eval(`rpc:call(${T}, kvs, store, [weather, fine])`)).toBe('true');
    expect(await erl.eval(`rpc:call(${T}, kvs, lookup, [weather])`)).toBe('{ok,fine}');
    expect(await erl.eval(`rpc:call(${T}, kvs, lookup, [weater])`)).toBe('undefined');
    expect(await erl.eval(`begin {kvs, ${T}} ! {self(), {lookup, weather}}, receive {kvs, R} -> R after 5000 -> timeout end end`)).toBe(
      '{ok,fine}',
    );
    expect(
      await erl.eval(
        `begin {kvs, ${T}} ! {self(), {store, {location, joe}, "Stockholm"}}, receive {kvs, R} -> R after 5000 -> timeout end end`,
      ),
    ).toBe('true');
    expect(await erl.eval(`rpc:call(${T}, kvs, lookup, [{location, joe}]) =:= {ok, "Stockholm"}`)).toBe('true');
  });

  it('anything not registered is undef, exactly as on an Erlang node; os:cmd never runs', async () => {
    expect(await erl.eval(`rpc:call(${T}, nosuchmod, f, [])`)).toBe("{badrpc,{'EXIT',{undef,[{nosuchmod,f,[],[]}]}}}");
    expect(
      await erl.eval(
        `rpc:call(${T}, os, cmd, ["touch /tmp/erlbridge-pwned"]) =:= {badrpc, {'EXIT', {undef, [{os, cmd, ["touch /tmp/erlbridge-pwned"], []}]}}}`,
      ),
    ).toBe('true');
    expect(await erl.eval(`rpc:call(${T}, kvs, store, [only_one])`)).toBe("{badrpc,{'EXIT',{undef,[{kvs,store,[only_one],[]}]}}}");
    expect(
      await erl.eval(`try erpc:call(${T}, os, cmd, ["id"]) catch error:{exception, undef, [{os, cmd, ["id"], []}]} -> refused end`),
    ).toBe('refused');
    expect(fs.existsSync('/tmp/erlbridge-pwned')).toBe(false);
  });

  it('erpc exception classes map like BEAM: error, exit, throw, JS errors', async () => {
    expect(await erl.eval(`try erpc:call(${T}, demo, boom, []) catch error:{exception, badarith, [{demo, boom, 0, _}]} -> ok end`)).toBe(
      'ok',
    );
    expect(await erl.eval(`element(1, element(2, rpc:call(${T}, demo, boom, [])))`)).toBe("'EXIT'");
    expect(await erl.eval(`try erpc:call(${T}, demo, quit, []) catch exit:{exception, bye} -> ok end`)).toBe('ok');
    expect(await erl.eval(`rpc:call(${T}, demo, quit, [])`)).toBe("{badrpc,{'EXIT',bye}}");
    expect(await erl.eval(`try erpc:call(${T}, demo, toss, [ball]) catch throw:ball -> ok end`)).toBe('ok');
    expect(await erl.eval(`rpc:call(${T}, demo, toss, [ball])`)).toBe('ball');
    expect(
      await erl.eval(`try erpc:call(${T}, demo, crash, []) catch error:{exception, {js_error, _}, [{demo, crash, 0, _}]} -> ok end`),
    ).toBe('ok');
    expect(await erl.eval(`rpc:call(${T}, demo, nothing, [])`)).toBe('ok');
    // A result that has no Erlang term is an error of the call, on every path that sends it.
    const encodeError = `{js_error, <<"EncodeError: ", _/binary>>}`;
    expect(
      await erl.eval(`try erpc:call(${T}, demo, notATerm, []) catch error:{exception, ${encodeError}, [{demo, notATerm, 0, _}]} -> ok end`),
    ).toBe('ok');
    expect(await erl.eval(`case rpc:block_call(${T}, demo, notATerm, []) of {badrpc, {'EXIT', {${encodeError}, _}}} -> ok end`)).toBe('ok');
    expect(await erl.eval(`rpc:call(${T}, demo, echo, [still_fine])`)).toBe('still_fine');
  });

  it('casts run; multicall spans the erl node and the TS node', async () => {
    expect(await erl.eval(`rpc:cast(${T}, kvs, store, [cast_key, 42])`)).toBe('true');
    expect(await erl.eval(`erpc:cast(${T}, kvs, store, [ecast_key, 43])`)).toBe('ok');
    await new Promise((r) => setTimeout(r, 200));
    expect(await erl.eval(`{rpc:call(${T}, kvs, lookup, [cast_key]), rpc:call(${T}, kvs, lookup, [ecast_key])}`)).toBe('{{ok,42},{ok,43}}');
    expect(await erl.eval(`rpc:multicall([node(), ${T}], erlang, node, [])`)).toBe(`{[${erl.name},${ts.name}],[]}`);
    expect(await erl.eval(`erpc:multicall([${T}, ${T}], demo, echo, [x])`)).toBe('[{ok,x},{ok,x}]');
  });

  it('rex: block_call and the C-node style request', async () => {
    expect(await erl.eval(`rpc:block_call(${T}, kvs, lookup, [weather])`)).toBe('{ok,fine}');
    expect(
      await erl.eval(
        `begin {rex, ${T}} ! {self(), {call, kvs, lookup, [weather], user}}, receive {rex, R} -> R after 5000 -> timeout end end`,
      ),
    ).toBe('{ok,fine}');
    expect(
      await erl.eval(
        `begin {rex, ${T}} ! {self(), {call, os, cmd, ["id"], user}}, receive {rex, R} -> element(1, R) after 5000 -> timeout end end`,
      ),
    ).toBe('badrpc');
  });

  it('a timed-out call is abandoned: the caller gets timeout, the late result goes nowhere', async () => {
    expect(await erl.eval(`try erpc:call(${T}, demo, slow, [], 100) catch error:{erpc, timeout} -> timeout end`)).toBe('timeout');
    await new Promise((r) => setTimeout(r, 700));
    expect(executed).toContain('slow done');
    expect(await erl.eval(`begin receive M -> {stray, M} after 100 -> clean end end`)).toBe('clean');
  });

  it('a served call makes a process only when the function asks for it or keeps running', async () => {
    let asked: ErlProcess | undefined;
    let keptSelf: (() => ErlProcess) | undefined;
    let during: boolean | undefined;
    ts.modules.registerModule('procs', {
      plain: (x: Term) => x,
      self: function (this: CallContext) {
        asked = this.self;
        return this.self.pid;
      },
      keep: function (this: CallContext) {
        keptSelf = () => this.self;
        return atom('kept');
      },
      wait: async function (this: CallContext) {
        await new Promise((r) => setTimeout(r, 50));
        during = this.self.alive && ts.processes.get(this.self.pid) === this.self;
        return atom('waited');
      },
    });
    // Connected first: a new connection starts processes of its own (global's, pg's).
    expect(await erl.eval(`rpc:call(${T}, procs, plain, [6])`)).toBe('6');
    const create = jest.spyOn(ts.processes, 'create');
    try {
      expect(await erl.eval(`rpc:call(${T}, procs, plain, [7])`)).toBe('7');
      expect(create).not.toHaveBeenCalled();
      // The pid the function sees is the one erl was given, and its process ends with the call.
      const seen = await erl.eval(
        `begin R = make_ref(), Q = spawn_request(${T}, erpc, execute_call, [R, procs, self, []], [monitor]), receive {spawn_reply, Q, ok, P} -> receive {'DOWN', Q, process, P, {R, return, P}} -> same; Other -> Other after 5000 -> no_down end after 5000 -> no_reply end end`,
      );
      expect(seen).toBe('same');
      expect(asked?.alive).toBe(false);
      expect(ts.processes.get(asked!.pid)).toBeUndefined();
      // Asked for after the call: the ended process, not a new live one.
      const size = ts.processes.size;
      expect(await erl.eval(`rpc:call(${T}, procs, keep, [])`)).toBe('kept');
      expect(keptSelf!().alive).toBe(false);
      expect(ts.processes.size).toBe(size);
      // A call that goes on past its turn runs in a live process of the table.
      expect(await erl.eval(`rpc:call(${T}, procs, wait, [], 5000)`)).toBe('waited');
      expect(during).toBe(true);
    } finally {
      create.mockRestore();
    }
  });

  it('parallel callers each get their own answers; 10 MB values round-trip', async () => {
    const out = await erl.eval(
      `begin Self = self(), Ps = [spawn(fun() -> true = rpc:call(${T}, kvs, store, [{k, N}, N * N]), Self ! {N, rpc:call(${T}, kvs, lookup, [{k, N}])} end) || N <- lists:seq(1, 50)], lists:all(fun(N) -> receive {N, {ok, V}} -> V =:= N * N after 10000 -> false end end, lists:seq(1, 50)) end`,
    );
    expect(out).toBe('true');
    expect(
      await erl.eval(
        `begin B = binary:copy(<<"x">>, 10000000), true = rpc:call(${T}, kvs, store, [big, B]), {ok, B2} = rpc:call(${T}, kvs, lookup, [big]), B2 =:= B end`,
      ),
    ).toBe('true');
  });

  it('every term shape stored from erl comes back =:=', async () => {
    const out = await erl.eval(
      `begin Ts = [self(), make_ref(), fun lists:map/2, fun() -> ok end, 1 bsl 200, -(1 bsl 70), 1.0, -0.5, <<1,2:3>>, <<>>, [1, 2 | 3], #{{a, b} => [1], 1.0 => x, 1 => y}, "charlist", [256, 1000], {}, [], 'λ', <<"λ"/utf8>>], lists:all(fun(T) -> true = rpc:call(${T}, kvs, store, [{shape, T}, T]), rpc:call(${T}, kvs, lookup, [{shape, T}]) =:= {ok, T} end, Ts) end`,
    );
    expect(out).toBe('true');
  });
});
