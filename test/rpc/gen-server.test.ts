/**
 * The TypeScript gen_server: gen_server:call/cast/multi_call/stop and plain messages from real erl
 * (delayed replies through `reply(from, value)`, timeouts, noproc, crashes), and TypeScript-to-
 * TypeScript calls on one node and between two nodes.
 */
import { atom, equals, formatTerm, isRecord, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { From, GenServer, GenServerContext, NOREPLY, reply, startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { ErlangError } from '../../src/process/exceptions';
import { ErlClient, ErlTimeoutError, GenCallError } from '../../src';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';
import { rejection } from '../support/rejection';

/** A server that remembers casts and infos and answers a few requests. */
class Recorder implements GenServer {
  readonly seen: Term[] = [];
  readonly terminated: Term[] = [];
  readonly parked: From[] = [];
  inits = 0;

  init(): void {
    this.inits++;
  }

  handleCall(request: Term, from: From, ctx: GenServerContext) {
    if (isRecord(request, 'echo', 2)) return request.get(1);
    if (isRecord(request, 'later', 3)) {
      setTimeout(() => reply(from, request.get(2)), request.get(1) as number);
      return NOREPLY;
    }
    if (request === atom('park')) {
      this.parked.push(from);
      return NOREPLY;
    }
    if (request === atom('release')) {
      for (const f of this.parked.splice(0)) reply(f, atom('released'));
      return atom('ok');
    }
    if (request === atom('never')) return NOREPLY;
    if (request === atom('whoami')) return from.term;
    if (request === atom('seen')) return [...this.seen];
    if (request === atom('nothing')) return undefined;
    if (request === atom('crash')) throw new ErlangError(atom('deliberate'));
    if (isRecord(request, 'stop', 2)) {
      ctx.stop(request.get(1));
      return atom('stopping');
    }
    return tuple(atom('unknown'), request);
  }

  handleCast(request: Term): void {
    this.seen.push(tuple(atom('cast'), request));
  }

  handleInfo(message: Term): void {
    this.seen.push(tuple(atom('info'), message));
  }

  terminate(reason: Term): void {
    this.terminated.push(reason);
  }
}

describeOtp('TypeScript gen_server', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let T: string;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined });
    T = `'${ts.name}'`;
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('erl gen_server:call gets replies, a delayed reply, and sees its own [alias|Ref] tag come back', async () => {
    const impl = new Recorder();
    const server = await startGenServer(ts, impl, { name: 'recorder' });
    expect(impl.inits).toBe(1);
    expect(await erl.eval(`gen_server:call({recorder, ${T}}, {echo, [1.0, <<"b">>, {x}]})`)).toBe('[1.0,<<98>>,{x}]');
    expect(await erl.eval(`gen_server:call({recorder, ${T}}, nothing)`)).toBe('ok');
    expect(
      await erl.eval(
        `begin T0 = erlang:monotonic_time(millisecond), R = gen_server:call({recorder, ${T}}, {later, 300, slow}), {R, erlang:monotonic_time(millisecond) - T0 >= 290} end`,
      ),
    ).toBe('{slow,true}');
    // The From the TypeScript server got is exactly erl's {self(), [alias|Mref]}.
    expect(await erl.eval(`begin {P, [alias|R]} = gen_server:call({recorder, ${T}}, whoami), {P =:= self(), is_reference(R)} end`)).toBe(
      '{true,true}',
    );
    // Several erl callers parked at once, all answered later by reply/2, each with its own answer.
    const parked = erl.eval(
      `begin Me = self(), [spawn(fun() -> Me ! {N, gen_server:call({recorder, ${T}}, park)} end) || N <- [1, 2, 3]], timer:sleep(200), ok = gen_server:call({recorder, ${T}}, release), [receive {N, R} -> R after 5000 -> timeout end || N <- [1, 2, 3]] end`,
    );
    expect(await parked).toBe('[released,released,released]');
    await server.stop();
  });

  it('cast, plain {Name, Node} ! Msg, and multi_call (OTP 25 middleman tags, OTP 27+ [[alias|A]|M] tags)', async () => {
    const impl = new Recorder();
    const server = await startGenServer(ts, impl, { name: 'recorder2' });
    expect(await erl.eval(`gen_server:cast({recorder2, ${T}}, {hello, 1})`)).toBe('ok');
    expect(await erl.eval(`begin {recorder2, ${T}} ! plain, ok end`)).toBe('ok');
    expect(await erl.eval(`gen_server:call({recorder2, ${T}}, seen)`)).toBe('[{cast,{hello,1}},{info,plain}]');
    expect(await erl.eval(`gen_server:multi_call([${T}], recorder2, {echo, multi})`)).toBe(`{[{${ts.name},multi}],[]}`);
    expect(await erl.eval(`gen_server:multi_call([${T}, node()], recorder2, {echo, m2})`)).toBe(`{[{${ts.name},m2}],[${erl.name}]}`);
    await server.stop();
  });

  it('erl sees timeouts, noproc, a crash (terminate runs), sys requests, and gen_server:stop (terminate with its reason)', async () => {
    const impl = new Recorder();
    const server = await startGenServer(ts, impl, { name: 'recorder3' });
    expect(
      await erl.eval(`try gen_server:call({recorder3, ${T}}, never, 200) catch exit:{timeout, {gen_server, call, _}} -> timeout end`),
    ).toBe('timeout');
    expect(await erl.eval(`try gen_server:call({no_such_server, ${T}}, hi) catch exit:{Why, {gen_server, call, _}} -> Why end`)).toBe(
      'noproc',
    );
    // As erl's: the reason with a stack naming the callback (the class, as the module) and its arity.
    expect(
      await erl.eval(
        `try gen_server:call({recorder3, ${T}}, crash) catch exit:{{deliberate, [{'Recorder', handle_call, 3, _}]}, {gen_server, call, _}} -> stack end`,
      ),
    ).toBe('stack');
    expect(impl.terminated.map((t) => formatTerm(t))).toEqual([
      expect.stringMatching(/^\{deliberate,\[\{'Recorder',handle_call,3,\[\{file,/),
    ]);
    expect(server.process.alive).toBe(false);

    const impl2 = new Recorder();
    await startGenServer(ts, impl2, { name: 'recorder3' });
    // sys answers (the state: the server's term fields); sys's debug requests are not served: unknown_system_msg.
    expect(await erl.eval(`lists:sort(maps:to_list(sys:get_state({recorder3, ${T}})))`)).toBe(
      '[{inits,1},{parked,[]},{seen,[]},{terminated,[]}]',
    );
    expect(await erl.eval(`sys:trace({recorder3, ${T}}, true)`)).toBe('{error,{unknown_system_msg,{debug,{trace,true}}}}');
    expect(await erl.eval(`gen_server:stop({recorder3, ${T}}, {shutdown, asked}, 5000)`)).toBe('ok');
    expect(impl2.terminated.map((t) => formatTerm(t))).toEqual(['{shutdown,asked}']);
    expect(ts.whereis('recorder3')).toBeUndefined();

    // {stop, R} from handleCall: the caller gets its reply, then the server terminates with R.
    const impl3 = new Recorder();
    await startGenServer(ts, impl3, { name: 'recorder3' });
    expect(await erl.eval(`gen_server:call({recorder3, ${T}}, {stop, normal})`)).toBe('stopping');
    await new Promise((r) => setTimeout(r, 50));
    expect(impl3.terminated).toEqual([atom('normal')]);
  });

  it('TypeScript to TypeScript: on one node, and from another TypeScript node', async () => {
    const impl = new Recorder();
    const server = await startGenServer(ts, impl, { name: 'local_rec' });
    const client = new ErlClient(ts);
    expect(await client.call('local_rec', tuple(atom('echo'), 42))).toBe(42);
    expect(await server.call(tuple(atom('later'), 50, atom('l')))).toBe(atom('l'));
    client.cast('local_rec', atom('c'));
    server.cast(atom('d'));
    client.send('local_rec', atom('i'));
    expect(formatTerm(await client.call(server.pid, atom('seen')))).toBe('[{cast,c},{cast,d},{info,i}]');
    const noproc = (await rejection(client.call('nobody_local', atom('x')))) as GenCallError;
    expect(noproc).toBeInstanceOf(GenCallError);
    expect(noproc.why).toBe(atom('noproc'));
    expect(await rejection(server.call(atom('never'), { timeout: 50 }))).toBeInstanceOf(ErlTimeoutError);
    await expect(startGenServer(ts, new Recorder(), { name: 'local_rec' })).rejects.toThrow(/already_started/);

    const other = await ErlNode.start({ name: uniqueName('ts2'), cookie, epmdPort: epmd.port, log: () => undefined });
    try {
      const remote = new ErlClient(other);
      expect(equals(await remote.call(['local_rec', ts.name], tuple(atom('echo'), 'bin')), Buffer.from('bin'))).toBe(true);
      expect(await remote.call(['local_rec', ts.name], tuple(atom('later'), 100, atom('remote_late')))).toBe(atom('remote_late'));
      expect(((await rejection(remote.call(['nobody_here', ts.name], atom('x')))) as GenCallError).why).toBe(atom('noproc'));
      const crashed = (await rejection(remote.call(['local_rec', ts.name], atom('crash')))) as GenCallError;
      expect(formatTerm(crashed.why)).toMatch(/^\{deliberate,\[\{'Recorder',handle_call,3,/);
    } finally {
      await other.stop();
    }
    expect(server.process.alive).toBe(false);
  });

  it('init that throws fails the start and leaves no name behind', async () => {
    const failing: GenServer = {
      init() {
        throw new ErlangError(atom('no_way'));
      },
    };
    await expect(startGenServer(ts, failing, { name: 'never_started' })).rejects.toThrow(/no_way/);
    expect(ts.whereis('never_started')).toBeUndefined();
    // A server without handleCall exits {bad_call, Req}, as a missing clause would crash it.
    const bare = await startGenServer(ts, {}, { name: 'bare' });
    expect(await erl.eval(`try gen_server:call({bare, ${T}}, hi) catch exit:{Why, _} -> Why end`)).toBe('{bad_call,hi}');
    expect(bare.process.alive).toBe(false);
  });
});
