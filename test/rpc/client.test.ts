/**
 * TypeScript calling into real erl: erpc calls with every exception class, rpc:call's badrpc
 * results, rex, timeouts and AbortSignal (and that they clean up), gen_server call/cast/send to a
 * clean-room erl gen_server (fixtures/dist_demo/echo_gs.erl), remote spawn with links and
 * monitors, and `erlbridge call` against a clean-room kvs.erl.
 */
import * as path from 'path';
import { atom, equals, formatTerm, ImproperList, isRecord, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { main } from '../../src/cli';
import { ErlNode } from '../../src/node/node';
import { ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { ErlClient, ErlTimeoutError, ErpcError, GenCallError, RemoteError, SpawnError } from '../../src';
import { describeOtp, stageFile, uniqueName } from '../support/otp';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';
import { rejection } from '../support/rejection';

const FIXTURES = path.join(__dirname, '../../fixtures/dist_demo');

/** Compile and load fixture modules in a running erl node (no .beam files left behind). */
async function loadFixtures(otp: Parameters<typeof stageFile>[0], erl: OtpNode, files: string[]): Promise<void> {
  for (const f of files) {
    expect(await loadErlModule(erl, otp, path.join(FIXTURES, f))).toBe(f.replace(/\.erl$/, ''));
  }
}

/** Reject if `p` does not settle within `ms`. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms))]);
}

describeOtp('TypeScript client into erl', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let client: ErlClient;
  let E: string;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: () => undefined });
    client = new ErlClient(ts);
    E = erl.name;
    await loadFixtures(otp, erl, ['echo_gs.erl', 'kvs.erl']);
    expect(await erl.eval(`element(1, echo_gs:start())`)).toBe('ok');
    expect(await erl.eval(`kvs:start()`)).toBe('true');
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('rpc returns values; throw, exit and error reject with the class, the terms and the remote stack', async () => {
    expect(await client.rpc(E, 'erlang', 'node', [])).toBe(atom(E));
    expect(equals(await client.rpc(E, 'lists', 'reverse', [[1, 2, 3]]), [3, 2, 1])).toBe(true);
    const thrown = await rejection(client.rpc(E, 'erlang', 'throw', [tuple(atom('ball'), 1)]));
    expect(thrown).toBeInstanceOf(ErlangThrow);
    expect(equals((thrown as ErlangThrow).value, tuple(atom('ball'), 1))).toBe(true);
    const exited = await rejection(client.rpc(E, 'erlang', 'exit', [atom('bye')]));
    expect(exited).toBeInstanceOf(ErlangExit);
    expect((exited as ErlangExit).reason).toBe(atom('bye'));
    const failed = (await rejection(client.rpc(E, 'erlang', 'error', [atom('boom')]))) as RemoteError;
    expect(failed).toBeInstanceOf(RemoteError);
    expect(failed.reason).toBe(atom('boom'));
    expect(Array.isArray(failed.stacktrace) && failed.stacktrace.length > 0).toBe(true);
    const undef = (await rejection(client.rpc(E, 'nosuchmod', 'f', [1]))) as RemoteError;
    expect(undef.reason).toBe(atom('undef'));
    expect(formatTerm((undef.stacktrace as Term[])[0])).toMatch(/^\{nosuchmod,f,\[1\],/);
  });

  it('rpcCall answers what rpc:call answers, badrpc included; rex gives the same through the rex server', async () => {
    expect(await client.rpcCall(E, 'kvs', 'store', [atom('weather'), atom('fine')])).toBe(true);
    expect(formatTerm(await client.rpcCall(E, 'kvs', 'lookup', [atom('weather')]))).toBe('{ok,fine}');
    expect(formatTerm(await client.rpcCall(E, 'nosuchmod', 'f', []))).toBe("{badrpc,{'EXIT',{undef,[{nosuchmod,f,[],[]}]}}}");
    expect(formatTerm(await client.rpcCall(E, 'erlang', 'exit', [atom('bye')]))).toBe("{badrpc,{'EXIT',bye}}");
    expect(formatTerm(await client.rpcCall(E, 'erlang', 'throw', [atom('ball')]))).toBe('ball');
    // What erl's own rpc:call says for the same calls, compared as text.
    for (const [m, f, a] of [
      ['nosuchmod', 'f', '[]'],
      ['erlang', 'exit', '[bye]'],
      ['erlang', 'throw', '[ball]'],
      ['kvs', 'lookup', '[weather]'],
    ]) {
      const theirs = await erl.eval(`rpc:call(node(), ${m}, ${f}, ${a})`);
      const ours = formatTerm(await client.rpcCall(E, m, f, a === '[]' ? [] : [atom(a.slice(1, -1))]));
      expect(ours).toBe(theirs);
    }
    expect(formatTerm(await client.rpcCall(`nobody@${E.split('@')[1]}`, 'erlang', 'node', []))).toBe('{badrpc,nodedown}');
    expect(formatTerm(await client.rpc(E, 'kvs', 'lookup', [atom('weather')], { rex: true }))).toBe('{ok,fine}');
    expect(formatTerm(await client.rpcCall(E, 'nosuchmod', 'f', [], { rex: true }))).toMatch(/^\{badrpc,\{'EXIT',\{undef,/);
  });

  it('an unreachable node is ErpcError noconnection; a timeout is ErlTimeoutError and abandons the call', async () => {
    const down = (await rejection(client.rpc(`nobody@${E.split('@')[1]}`, 'erlang', 'node', []))) as ErpcError;
    expect(down).toBeInstanceOf(ErpcError);
    expect(down.why).toBe(atom('noconnection'));
    const before = ts.processes.size;
    const t0 = Date.now();
    const late = (await rejection(client.rpc(E, 'timer', 'sleep', [1000], { timeout: 150 }))) as ErlTimeoutError;
    expect(late).toBeInstanceOf(ErlTimeoutError);
    expect(late.operation).toBe('rpc');
    expect(Date.now() - t0).toBeLessThan(900);
    expect(ts.processes.size).toBe(before);
    expect(formatTerm(await client.rpcCall(E, 'timer', 'sleep', [1000], { timeout: 100 }))).toBe('{badrpc,timeout}');
    // The late results of both go nowhere; the next call is answered normally.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await client.rpc(E, 'erlang', 'node', [], { timeout: 5000 })).toBe(atom(E));
  });

  it('calls waiting on a node that goes down end with ErpcError noconnection; a given-up call takes its monitor back', async () => {
    const waiting = Promise.all([1, 2, 3].map(() => rejection(client.rpc(E, 'timer', 'sleep', [5000]))));
    await new Promise((r) => setTimeout(r, 200));
    expect(ts.disconnect(E)).toBe(true);
    for (const why of await within(2000, waiting)) expect((why as ErpcError).why).toBe(atom('noconnection'));
    // Timed out after the spawn was answered: erl's process, still sleeping, is soon no longer monitored from here.
    expect(await rejection(client.rpc(E, 'timer', 'sleep', [1500], { timeout: 300 }))).toBeInstanceOf(ErlTimeoutError);
    const monitored = `length([P || P <- processes(), process_info(P, current_function) =:= {current_function, {timer, sleep, 1}}, {monitored_by, By} <- [process_info(P, monitored_by)], lists:any(fun(B) -> is_pid(B) andalso node(B) =:= '${ts.name}' end, By)])`;
    let count = await erl.eval(monitored);
    for (let i = 0; i < 10 && count !== '0'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      count = await erl.eval(monitored);
    }
    expect(count).toBe('0');
    expect(await client.rpc(E, 'erlang', 'node', [], { timeout: 5000 })).toBe(atom(E));
  });

  it('an AbortSignal rejects with its reason, at once or while waiting', async () => {
    const ac = new AbortController();
    const waiting = client.rpc(E, 'timer', 'sleep', [2000], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user gave up')), 50);
    const why = (await rejection(within(1000, waiting))) as Error;
    expect(why.message).toBe('user gave up');
    const already = AbortSignal.abort();
    expect(await rejection(client.call(['echo_gs', E], tuple(atom('echo'), 1), { signal: already }))).toBe(already.reason);
    const ac2 = new AbortController();
    const calling = client.call(['echo_gs', E], atom('never'), { timeout: 10000, signal: ac2.signal });
    ac2.abort();
    expect(((await rejection(within(1000, calling))) as Error).name).toBe('AbortError');
  });

  it('50 concurrent rpcs each get their own answer', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.rpc(E, 'erlang', 'abs', [-i])));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gen_server call to an erl gen_server: replies, a delayed reply, the alias tag erl sees, cast and send', async () => {
    const dest = ['echo_gs', E] as const;
    expect(equals(await client.call(dest, tuple(atom('echo'), [1.5, 'x'])), [1.5, 'x'])).toBe(true);
    const t0 = Date.now();
    expect(await client.call(dest, tuple(atom('later'), 300, atom('slowly')))).toBe(atom('slowly'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    // erl's own gen_servers answer too: net_kernel's is_auth is what net_adm:ping asks.
    expect(await client.call(['net_kernel', E], tuple(atom('is_auth'), atom(ts.name)))).toBe(atom('yes'));
    const from = (await client.call(dest, atom('whoami'))) as Tuple;
    // erl's gen_server sees {Pid, [alias|Ref]}, the OTP 24+ form, with our pid and alias.
    expect(from.get(0)).toBeInstanceOf(Pid);
    expect((from.get(0) as Pid).node.name).toBe(ts.name);
    const tag = from.get(1) as ImproperList;
    expect(tag).toBeInstanceOf(ImproperList);
    expect(tag.elements).toEqual([atom('alias')]);
    expect(tag.tail).toBeInstanceOf(Reference);
    client.cast(dest, atom('c1'));
    client.send(dest, atom('i1'));
    client.cast(dest, tuple(atom('c2'), 2));
    expect(formatTerm(await client.call(dest, atom('seen')))).toBe('[{cast,c1},{info,i1},{cast,{c2,2}}]');
    // Concurrent calls, one slow: each gets its own answer.
    const [a, b] = await Promise.all([
      client.call(dest, tuple(atom('later'), 200, atom('a'))),
      client.call(dest, tuple(atom('echo'), atom('b'))),
    ]);
    expect([a, b]).toEqual([atom('a'), atom('b')]);
  });

  it('call failures: noproc, timeout, a server that stops, a node that is not there', async () => {
    const noproc = (await rejection(client.call(['no_such_server', E], atom('hi')))) as GenCallError;
    expect(noproc).toBeInstanceOf(GenCallError);
    expect(noproc.why).toBe(atom('noproc'));
    expect(formatTerm(noproc.reason)).toBe(`{noproc,{gen_server,call,[{no_such_server,${E}},hi,5000]}}`);
    const late = (await rejection(client.call(['echo_gs', E], atom('never'), { timeout: 200 }))) as ErlTimeoutError;
    expect(late).toBeInstanceOf(ErlTimeoutError);
    expect(late.operation).toBe('call');
    // The server stops with a reason while answering: the reply comes first, as gen_server sends it.
    expect(await client.call(['echo_gs', E], tuple(atom('stop'), atom('enough')))).toBe(atom('ok'));
    // (It is still registered while it terminates; a call then gets DOWN enough, as in Erlang.)
    await erl.eval(
      `(fun W(0) -> still_there; W(N) -> case whereis(echo_gs) of undefined -> gone; _ -> timer:sleep(10), W(N - 1) end end)(300)`,
    );
    const gone = (await rejection(client.call(['echo_gs', E], atom('seen')))) as GenCallError;
    expect(gone.why).toBe(atom('noproc'));
    expect(await erl.eval(`element(1, echo_gs:start())`)).toBe('ok');
    // A server that dies while our call waits: the DOWN reason.
    const pid = await client.rpc(E, 'erlang', 'whereis', [atom('echo_gs')]);
    const pending = rejection(client.call(pid as Pid, atom('never'), { timeout: 5000 }));
    await new Promise((r) => setTimeout(r, 100));
    await erl.eval(`exit(whereis(echo_gs), kill)`);
    const killed = (await pending) as GenCallError;
    expect(killed.why).toBe(atom('killed'));
    expect(await erl.eval(`element(1, echo_gs:start())`)).toBe('ok');
    const nodedown = (await rejection(client.call(['echo_gs', `nobody@${E.split('@')[1]}`], atom('hi')))) as GenCallError;
    expect(formatTerm(nodedown.why)).toBe(`{nodedown,nobody@${E.split('@')[1]}}`);
  });

  it('spawn on erl returns a working pid; links and monitors on it; unknown functions die with undef', async () => {
    const me = ts.spawn(undefined, { trapExit: true });
    const pid = await client.spawn(E, 'echo_gs', 'echo_loop', []);
    expect(pid.node.name).toBe(E);
    me.send(pid, tuple(me.pid, atom('hello')));
    expect(equals(await me.receive(undefined, { timeout: 5000 }), tuple(atom('echo'), pid, atom('hello')))).toBe(true);
    // monitor and link through the process, then the remote process exits with a reason.
    const ref = me.monitor(pid);
    me.link(pid);
    me.send(pid, tuple(me.pid, atom('stop'), atom('done_here')));
    const got = [await me.receive(undefined, { timeout: 5000 }), await me.receive(undefined, { timeout: 5000 })];
    const down = got.find((m) => isRecord(m, 'DOWN')) as Tuple;
    const exit = got.find((m) => isRecord(m, 'EXIT')) as Tuple;
    expect(equals(down, tuple(atom('DOWN'), ref, atom('process'), pid, atom('done_here')))).toBe(true);
    expect(equals(exit, tuple(atom('EXIT'), pid, atom('done_here')))).toBe(true);

    // spawn_link and spawn_monitor made as `me`.
    const linked = await client.spawn(E, 'echo_gs', 'echo_loop', [], { from: me, link: true });
    me.send(linked, tuple(me.pid, atom('stop'), atom('linked_bye')));
    expect(equals(await me.receive(undefined, { timeout: 5000 }), tuple(atom('EXIT'), linked, atom('linked_bye')))).toBe(true);
    const mon = await client.spawnMonitor(E, 'echo_gs', 'echo_loop', [], { from: me });
    me.send(mon.pid, tuple(me.pid, atom('stop'), atom('watched')));
    expect(
      equals(await me.receive(undefined, { timeout: 5000 }), tuple(atom('DOWN'), mon.ref, atom('process'), mon.pid, atom('watched'))),
    ).toBe(true);

    const undef = await client.spawnMonitor(E, 'no_such_module', 'f', [1], { from: me });
    const why = await me.receive<Tuple>(undefined, { timeout: 5000 });
    expect(isRecord(why, 'DOWN', 5) && equals(why.get(1), undef.ref)).toBe(true);
    expect(formatTerm(why.get(4))).toMatch(/^\{undef,\[\{no_such_module,f,\[1\],/);

    // A spawn_link given up on (timeout 0) is undone when its reply still comes: unlinked, and
    // the new process is told `abandoned`, as BEAM's spawn_request_abandon does.
    const loops = `length([P || P <- processes(), process_info(P, current_function) =:= {current_function, {echo_gs, echo_loop, 0}}])`;
    const before = await erl.eval(loops);
    expect(await rejection(client.spawn(E, 'echo_gs', 'echo_loop', [], { from: me, link: true, timeout: 0 }))).toBeInstanceOf(
      ErlTimeoutError,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await erl.eval(loops)).toBe(before);
    expect(me.alive).toBe(true);
    const ac = new AbortController();
    ac.abort(new Error('no spawn for you'));
    expect(((await rejection(client.spawn(E, 'echo_gs', 'echo_loop', [], { signal: ac.signal }))) as Error).message).toBe(
      'no spawn for you',
    );

    const nowhere = await rejection(client.spawn(`nobody@${E.split('@')[1]}`, 'erlang', 'node', []));
    expect(nowhere).toBeInstanceOf(SpawnError);
    expect((nowhere as SpawnError).reason).toBe(atom('noconnection'));
    await expect(client.spawn(E, 'm', 'f', [], { link: true })).rejects.toThrow(TypeError);
    me.exit();
  });

  it('rpc to this node itself runs its own registry, with the same outcomes (erpc:call(node(), ...))', async () => {
    ts.modules.registerModule('selfmod', {
      twice: (x: Term) => (x as number) * 2,
      toss: (x: Term) => {
        throw new ErlangThrow(x);
      },
      quit: () => {
        throw new ErlangExit(atom('bye'));
      },
      slow: () => new Promise((r) => setTimeout(() => r(atom('late')), 500)),
    });
    expect(await client.rpc(ts.name, 'selfmod', 'twice', [21])).toBe(42);
    expect(((await rejection(client.rpc(ts.name, 'selfmod', 'toss', [atom('x')]))) as ErlangThrow).value).toBe(atom('x'));
    expect(((await rejection(client.rpc(ts.name, 'selfmod', 'quit', []))) as ErlangExit).reason).toBe(atom('bye'));
    expect(((await rejection(client.rpc(ts.name, 'selfmod', 'nope', []))) as RemoteError).reason).toBe(atom('undef'));
    expect(await rejection(client.rpc(ts.name, 'selfmod', 'slow', [], { timeout: 50 }))).toBeInstanceOf(ErlTimeoutError);
    expect(formatTerm(await client.rpcCall(ts.name, 'selfmod', 'quit', []))).toBe("{badrpc,{'EXIT',bye}}");
    expect(formatTerm(await client.rpcCall(ts.name, 'selfmod', 'nope', [], { rex: true }))).toBe(
      "{badrpc,{'EXIT',{undef,[{selfmod,nope,[],[]}]}}}",
    );
  });

  it('no helper process outlives its operation', async () => {
    const before = ts.processes.size;
    await Promise.all([
      client.rpc(E, 'erlang', 'node', []),
      client.call(['echo_gs', E], tuple(atom('echo'), 1)),
      client.spawn(E, 'erlang', 'node', []),
      rejection(client.call(['nobody_here', E], 1)),
      rejection(client.rpc(E, 'timer', 'sleep', [500], { timeout: 10 })),
    ]);
    expect(ts.processes.size).toBe(before);
  });

  it('erlbridge call NODE MOD FUN ARGS against the Erlang kvs: results, badrpc (exit 0), and an unreachable node (exit 1)', async () => {
    const run = async (...args: string[]) => {
      let stdout = '';
      let stderr = '';
      const out = jest.spyOn(process.stdout, 'write').mockImplementation((d) => ((stdout += String(d)), true));
      const err = jest.spyOn(process.stderr, 'write').mockImplementation((d) => ((stderr += String(d)), true));
      try {
        const code = await main(['call', ...args, '--cookie', cookie, '--epmd-port', String(epmd.port)]);
        return { code, stdout, stderr };
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
    };
    expect(await run(E, 'kvs', 'store', '[weather, {sunny, 21.5}]')).toEqual({ code: 0, stdout: 'true\n', stderr: '' });
    expect(await run(E, 'kvs', 'lookup', '[weather]')).toEqual({ code: 0, stdout: '{ok,{sunny,21.5}}\n', stderr: '' });
    expect(await erl.eval(`kvs:lookup(weather)`)).toBe('{ok,{sunny,21.5}}');
    expect(await run(E, 'kvs', 'lookup', '[nothing_here]')).toEqual({ code: 0, stdout: 'undefined\n', stderr: '' });
    expect(await run(E, 'kvs', 'nosuchfun', '[]')).toEqual({
      code: 0,
      stdout: "{badrpc,{'EXIT',{undef,[{kvs,nosuchfun,[],[]}]}}}\n",
      stderr: '',
    });
    expect(await run(E, 'timer', 'sleep', '[2000]', '--timeout', '100')).toEqual({ code: 0, stdout: '{badrpc,timeout}\n', stderr: '' });
    const unreachable = await run(`nobody@${E.split('@')[1]}`, 'kvs', 'lookup', '[weather]');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toMatch(/^erlbridge call: cannot reach nobody@/);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await run(E, 'kvs', 'lookup', 'weather');
    expect(bad.code).toBe(2);
  });
});
