/**
 * The TypeScript gen_server's OTP habits, each side by side with a real erl gen_server
 * (fixtures/procs/probe_server.erl) driven the same way from erl: sys:get_state, get_status,
 * suspend/resume, replace_state; callback timeouts, hibernate and continue; and the
 * "Generic server ... terminating" report, compared with what erl's logger writes for its own.
 */
import * as path from 'path';
import { atom, charlist, isRecord, map, parseTerm, Pid, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { From, GenServer, GenServerContext, startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { ErlangError } from '../../src/process/exceptions';
import { ErlClient, formatTerm } from '../../src';
import { describeOtp, uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';
import { rejection } from '../support/rejection';

const FIXTURES = path.join(__dirname, '../../fixtures/procs');
const CALL_MS = 20000;

/** The TypeScript twin of probe_server.erl: the same requests, the same state `#{n => 1}`. */
class Probe implements GenServer {
  n = 1;
  timeout_to: Pid | undefined;
  continued: Term | undefined;

  handleCall(request: Term, from: From, ctx: GenServerContext): Term {
    if (request === atom('crash')) throw new ErlangError(atom('deliberate'));
    if (isRecord(request, 'timeout', 2)) {
      this.timeout_to = from.pid;
      ctx.timeout(request.get(1) as number);
      return atom('ok');
    }
    if (isRecord(request, 'continue', 2)) {
      ctx.continue(request.get(1));
      return atom('ok');
    }
    if (request === atom('pid')) return ctx.self.pid;
    if (request === atom('hibernate')) {
      ctx.hibernate();
      return atom('ok');
    }
    // get: the state as probe_server's, the fields that are set.
    const state: Record<string, Term> = { n: this.n };
    if (this.timeout_to) state.timeout_to = this.timeout_to;
    if (this.continued !== undefined) state.continued = this.continued;
    return map(state);
  }

  handleInfo(message: Term, ctx: GenServerContext): void {
    if (message === atom('timeout') && this.timeout_to) ctx.self.send(this.timeout_to, tuple(atom('timed_out'), ctx.self.pid));
  }

  handleContinue(arg: Term): void {
    this.continued = arg;
  }
}

/** The structure of a sys:get_status answer, without the pids and names that differ between servers. */
const SHAPE = `fun({status, P, Mod, [PD, SysState, Parent, Dbg, [{header, H}, {data, D1}, {data, D2}]]}) ->
  {status, is_pid(P), Mod, [lists:sort([K || {K, _} <- PD]), SysState, Parent =:= P, Dbg,
   [{header, lists:prefix("Status for generic server ", H)}, {data, [K || {K, _} <- D1]}, {data, [{K, V} || {K, V} <- D2]}]]} end`;

describeOtp('TypeScript gen_server OTP habits, beside an erl gen_server', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let T: string;
  const logs: string[] = [];
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: (l) => logs.push(l) });
    T = `'${ts.name}'`;
    for (const file of ['probe_server.erl', 'log_capture.erl']) {
      await loadErlModule(erl, otp, path.join(FIXTURES, file));
    }
    expect(await erl.eval('log_capture:start()')).toBe('ok');
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('sys:get_state and sys:get_status answer as an erl gen_server does', async () => {
    await startGenServer(ts, new Probe(), { name: 'probe_a' });
    await erl.eval('probe_server:start(probe_a)');
    const tsState = await erl.eval(`sys:get_state({probe_a, ${T}}, 5000)`, CALL_MS);
    expect(tsState).toBe('#{n => 1}');
    expect(tsState).toBe(await erl.eval('sys:get_state(probe_a, 5000)', CALL_MS));
    const tsStatus = await erl.eval(`(${SHAPE})(sys:get_status({probe_a, ${T}}, 5000))`, CALL_MS);
    expect(tsStatus).toBe(await erl.eval(`(${SHAPE})(sys:get_status(probe_a, 5000))`, CALL_MS));
    expect(tsStatus).toContain('running');
    // The header names the server, as erl's names its own.
    const header = (dest: string) => `element(2, hd(lists:last(element(4, sys:get_status(${dest})))))`;
    expect(await erl.eval(header(`{probe_a, ${T}}`), CALL_MS)).toBe(formatTerm(charlist('Status for generic server probe_a')));
    expect(await erl.eval(header('probe_a'), CALL_MS)).toBe(formatTerm(charlist('Status for generic server probe_a')));
  });

  it('sys reaches the server by pid and by global name too', async () => {
    const server = await startGenServer(ts, new Probe());
    expect(await ts.global.registerName('probe_global', server.pid)).toBe('yes');
    // Connected first: global knows nothing of a node it never met (sys:get_state would be noproc, as in erl).
    expect(await erl.eval(`begin true = net_kernel:connect_node(${T}), global:sync() end`, CALL_MS)).toBe('ok');
    expect(await erl.eval('sys:get_state({global, probe_global})', CALL_MS)).toBe('#{n => 1}');
    expect(await erl.eval('(' + SHAPE + ')(sys:get_status({global, probe_global}))', CALL_MS)).toContain('running');
    expect(await erl.eval('sys:get_state(gen_server:call({global, probe_global}, pid))', CALL_MS)).toBe('#{n => 1}');
  });

  it('sys:suspend holds calls and casts but answers sys; sys:resume lets them through', async () => {
    const probe = new Probe();
    await startGenServer(ts, probe, { name: 'probe_b' });
    await erl.eval('probe_server:start(probe_b)');
    expect(await erl.eval(`sys:suspend({probe_b, ${T}})`, CALL_MS)).toBe('ok');
    expect(await erl.eval('sys:suspend(probe_b)', CALL_MS)).toBe('ok');
    const suspended = await erl.eval(`(${SHAPE})(sys:get_status({probe_b, ${T}}))`, CALL_MS);
    expect(suspended).toBe(await erl.eval(`(${SHAPE})(sys:get_status(probe_b))`, CALL_MS));
    expect(suspended).toContain('suspended');
    const held = `try gen_server:call(Dest, get, 300) catch exit:{timeout, _} -> held end`;
    expect(await erl.eval(`begin Dest = {probe_b, ${T}}, ${held} end`, CALL_MS)).toBe('held');
    expect(await erl.eval(`begin Dest = probe_b, ${held} end`, CALL_MS)).toBe('held');
    expect(await erl.eval(`sys:get_state({probe_b, ${T}})`, CALL_MS)).toBe('#{n => 1}');
    expect(await erl.eval(`sys:resume({probe_b, ${T}})`, CALL_MS)).toBe('ok');
    expect(await erl.eval('sys:resume(probe_b)', CALL_MS)).toBe('ok');
    expect(await erl.eval(`gen_server:call({probe_b, ${T}}, get)`, CALL_MS)).toBe(await erl.eval('gen_server:call(probe_b, get)'));
  });

  it('sys:replace_state: an erl fun fails as a failing fun does in erl; TypeScript replaceState works', async () => {
    const probe = new Probe();
    const server = await startGenServer(ts, probe, { name: 'probe_c' });
    await erl.eval('probe_server:start(probe_c)');
    const failure = `try sys:replace_state(Dest, F) catch error:R -> R end`;
    const tsFailure = await erl.eval(`begin Dest = {probe_c, ${T}}, F = fun(S) -> S end, ${failure} end`, CALL_MS);
    expect(tsFailure).toBe('{callback_failed,{gen_server,system_replace_state},{error,undef}}');
    // erl's own server, given a fun that fails with undef, says the same.
    expect(await erl.eval(`begin Dest = probe_c, F = fun(_) -> error(undef) end, ${failure} end`, CALL_MS)).toBe(tsFailure);
    expect(await erl.eval(`sys:get_state({probe_c, ${T}})`, CALL_MS)).toBe('#{n => 1}');

    expect(formatTerm(await server.replaceState((s) => void ((s as Probe).n = 5)))).toBe('#{n => 5}');
    expect(await erl.eval(`sys:get_state({probe_c, ${T}})`, CALL_MS)).toBe('#{n => 5}');
    const thrown = await rejection(
      server.replaceState(() => {
        throw new TypeError('nope');
      }),
    );
    expect(thrown).toBeInstanceOf(ErlangError);
    expect(formatTerm((thrown as ErlangError).reason)).toBe(
      formatTerm(parseTerm('{callback_failed,{gen_server,system_replace_state},{error,{js_error,<<"TypeError: nope">>}}}')),
    );
    expect(probe.n).toBe(5);
  });

  it('a callback timeout ends in handleInfo(timeout) unless a message comes first, as in erl', async () => {
    await startGenServer(ts, new Probe(), { name: 'probe_d' });
    await erl.eval('probe_server:start(probe_d)');
    const fires = (dest: string) =>
      `begin ok = gen_server:call(${dest}, {timeout, 100}), receive {timed_out, _} -> fired after 2000 -> silent end end`;
    expect(await erl.eval(fires(`{probe_d, ${T}}`), CALL_MS)).toBe('fired');
    expect(await erl.eval(fires('probe_d'), CALL_MS)).toBe('fired');
    const cancelled = (dest: string) =>
      `begin ok = gen_server:call(${dest}, {timeout, 400}), ${dest} ! poke, receive {timed_out, _} -> fired after 1000 -> silent end end`;
    expect(await erl.eval(cancelled(`{probe_d, ${T}}`), CALL_MS)).toBe('silent');
    expect(await erl.eval(cancelled('probe_d'), CALL_MS)).toBe('silent');
    // sys requests do not cancel it (gen_server restarts the same timeout after one).
    const throughSys = (dest: string) =>
      `begin ok = gen_server:call(${dest}, {timeout, 300}), _ = sys:get_state(${dest}), receive {timed_out, _} -> fired after 2000 -> silent end end`;
    expect(await erl.eval(throughSys(`{probe_d, ${T}}`), CALL_MS)).toBe('fired');
    expect(await erl.eval(throughSys('probe_d'), CALL_MS)).toBe('fired');
  });

  it('continue runs before the next message, hibernate changes nothing visible, as in erl', async () => {
    await startGenServer(ts, new Probe(), { name: 'probe_e' });
    await erl.eval('probe_server:start(probe_e)');
    const run = (dest: string) =>
      `begin ok = gen_server:call(${dest}, {continue, c1}), ok = gen_server:call(${dest}, hibernate), gen_server:call(${dest}, get) end`;
    const tsAnswer = await erl.eval(run(`{probe_e, ${T}}`), CALL_MS);
    expect(tsAnswer).toBe('#{continued => c1,n => 1}');
    expect(tsAnswer).toBe(await erl.eval(run('probe_e'), CALL_MS));

    // Without handleContinue the server dies of undef naming the callback, as gen_server does.
    await startGenServer(
      ts,
      {
        handleCall: (_r: Term, _f: From, ctx: GenServerContext) => {
          ctx.continue(atom('go'));
          return atom('ok');
        },
      },
      { name: 'bare_continue' },
    );
    const down = await erl.eval(
      `begin Ref = monitor(process, {bare_continue, ${T}}), ok = gen_server:call({bare_continue, ${T}}, x), receive {'DOWN', Ref, _, _, R} -> R after 5000 -> none end end`,
      CALL_MS,
    );
    expect(down).toBe('{undef,[{bare_continue,handle_continue,[go,#{}],[]}]}');
  });

  it('a crash logs "Generic server ... terminating" as erl does for its own server', async () => {
    await startGenServer(ts, new Probe(), { name: 'probe_f' });
    await erl.eval('probe_server:start(probe_f)');
    await erl.eval('log_capture:take()');
    const before = logs.length;
    expect(await erl.eval(`catch gen_server:call({probe_f, ${T}}, crash)`, CALL_MS)).toMatch(/^\{'EXIT',\{\{deliberate,/);
    // erl's server, called from the TypeScript node, so that both clients are remote.
    await rejection(new ErlClient(ts).call(['probe_f', erl.name], atom('crash')));
    let erlText = '';
    await waitFor('erl to log its crash', async () => {
      erlText = await erl.eval(
        `case [log_capture:text(E) || #{msg := {report, #{label := {gen_server, terminate}}}} = E <- log_capture:take()] of [T] -> T; [] -> none end`,
      );
      return erlText !== 'none';
    });
    const ours = logs.slice(before).find((l) => l.includes('Generic server'));
    expect(ours).toBeDefined();
    const erlLines = reportLines(erlTextOf(erlText), [erl.name, ts.name]);
    const tsLines = reportLines(ours as string, [erl.name, ts.name]);
    expect(tsLines.header).toMatch(/^=ERROR REPORT==== \d{1,2}-[A-Z][a-z]{2}-\d{4}::\d\d:\d\d:\d\d\.\d{6} ===$/);
    expect(erlLines.header).toMatch(/^=ERROR REPORT==== \d{1,2}-[A-Z][a-z]{2}-\d{4}::\d\d:\d\d:\d\d\.\d{6} ===$/);
    // Line for line the same, but for the server's name and the reason's stack (erl's module, our class).
    expect(tsLines.body.map(stackless)).toEqual(erlLines.body.map(stackless));
    expect(tsLines.body[0]).toBe('**Genericserverprobe_fterminating');
    expect(tsLines.body[2]).toBe('**WhenServerstate==#{n=>1}');
  });

  it('a cast to a server without handleCast: {bad_cast, Msg}, reported with the cast as the last message', async () => {
    const server = await startGenServer(ts, { handleCall: () => atom('ok') }, { name: 'no_casts' });
    const before = logs.length;
    expect(await erl.eval(`gen_server:cast({no_casts, ${T}}, hi)`)).toBe('ok');
    expect(formatTerm(await server.process.done)).toBe('{bad_cast,hi}');
    const report = logs.slice(before).join('\n');
    expect(report).toContain('** Generic server no_casts terminating \n');
    expect(report).toContain("** Last message in was {'$gen_cast',hi}\n");
    expect(report).toContain('** Reason for termination ==\n** {bad_cast,hi}');
  });
});

/** erl's text of the report, from the binary ~w printed it as. */
function erlTextOf(printed: string): string {
  const m = /^<<(.*)>>$/s.exec(printed);
  if (!m) throw new Error(`not a binary: ${printed}`);
  return Buffer.from(m[1].split(',').map(Number)).toString('utf8');
}

/** A report's header line, and its `**` lines with continuation lines joined on, spaces gone, pids and node names replaced. */
function reportLines(text: string, nodes: string[]): { header: string; body: string[] } {
  const [header, ...rest] = text.replace(/\n+$/, '').split('\n');
  const body: string[] = [];
  for (const line of rest) {
    if (line.startsWith('**') || body.length === 0) body.push(line);
    else body[body.length - 1] += line;
  }
  const normal = (l: string) => {
    let out = l.replace(/#Pid<[^>]*>|<[^<>\s]+@[^<>\s]+\.\d+\.\d+>|<\d+\.\d+\.\d+>/g, 'PID');
    for (const n of nodes) out = out.split(`'${n}'`).join('NODE').split(n).join('NODE');
    return out.replace(/\s/g, '');
  };
  return { header, body: body.map(normal) };
}

/** A report line with the stack of its reason left out (erl's names its module and gen_server; ours our class). */
function stackless(line: string): string {
  return line.replace(/^(\*\*\{deliberate),.*$/, '$1');
}
