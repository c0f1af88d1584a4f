/**
 * erl spawning on the TypeScript node: spawn/spawn_link/spawn_monitor(Ts, M, F, A) of registered
 * spawnables (unknown ones give a pid that exits with undef), and the book's dist_demo — a
 * clean-room fixtures/dist_demo/dist_demo.erl compiled in erl, whose `spawn(Ts, Fun)` the
 * TypeScript loop of src/demo/dist-demo.ts serves, also from `erlbridge node`.
 */
import * as path from 'path';
import { atom, Pid, Term, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { main } from '../../src/cli';
import { serveDistDemo } from '../../src/demo/dist-demo';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlangError, ErlangExit, ErlangThrow } from '../../src/process/exceptions';
import { ErlProcess as TsProcess } from '../../src/process/process';
import { describeOtp, uniqueName } from '../support/otp';
import { loadErlModule, OtpNode, startOtpNode } from '../support/otp-node';

const DIST_DEMO = path.join(__dirname, '../../fixtures/dist_demo/dist_demo.erl');

/** Evaluate `body` (which ends with a value) in a fresh erl process, so flags like trap_exit stay there. */
function inProcess(body: string): string {
  return `begin Me = self(), spawn(fun() -> Me ! {'$res', begin ${body} end} end), receive {'$res', X} -> X after 10000 -> no_answer end end`;
}

describeOtp('erl spawning on the TypeScript node', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  let T: string;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined, output: () => undefined });
    T = `'${ts.name}'`;
    serveKvs(ts);
    serveDistDemo(ts);
    ts.modules.registerSpawnable('demo_proc', 'echo', async (self: TsProcess) => {
      for (;;) {
        const m = await self.receive<Tuple>();
        if (m.length === 3) throw new ErlangExit(m.get(2));
        self.send(m.get(0) as Pid, tuple(atom('echo'), self.pid, m.get(1)));
      }
    });
    ts.modules.registerSpawnable('demo_proc', 'tell', (self: TsProcess, to: Term, what: Term) =>
      self.send(to as Pid, tuple(what, self.pid)),
    );
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
      slow: async (ms: Term) => {
        await new Promise((r) => setTimeout(r, ms as number));
        return atom('slept');
      },
    });
    expect(await loadErlModule(erl, otp, DIST_DEMO)).toBe('dist_demo');
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('spawn(Ts, M, F, A) runs the registered spawnable: the pid is ours and works, arguments arrive', async () => {
    expect(
      await erl.eval(
        inProcess(`P = spawn(${T}, demo_proc, echo, []), P ! {self(), hi}, receive {echo, P, hi} -> node(P) after 5000 -> timeout end`),
      ),
    ).toBe(ts.name);
    expect(
      await erl.eval(inProcess(`P = spawn(${T}, demo_proc, tell, [self(), hello]), receive {hello, P} -> ok after 5000 -> timeout end`)),
    ).toBe('ok');
  });

  it('spawn_link and spawn_monitor: erl sees the exit reason of the TypeScript process', async () => {
    expect(
      await erl.eval(
        inProcess(
          `process_flag(trap_exit, true), P = spawn_link(${T}, demo_proc, echo, []), P ! {self(), stop, {shutdown, bye}}, receive {'EXIT', P, R} -> R after 5000 -> timeout end`,
        ),
      ),
    ).toBe('{shutdown,bye}');
    expect(
      await erl.eval(
        inProcess(
          `{P, Ref} = spawn_monitor(${T}, demo_proc, echo, []), P ! {self(), stop, done}, receive {'DOWN', Ref, process, P, R} -> R after 5000 -> timeout end`,
        ),
      ),
    ).toBe('done');
    // A linked TypeScript process dies with its erl peer (exit signal over the link).
    const victim = await erl.eval(
      inProcess(
        `Parent = self(), Child = spawn(fun() -> P = spawn_link(${T}, demo_proc, echo, []), Parent ! {p, P}, receive never -> ok end end), receive {p, P} -> Ref = monitor(process, P), exit(Child, kill), receive {'DOWN', Ref, process, P, R} -> R after 5000 -> timeout end end`,
      ),
    );
    expect(victim).toBe('killed');
  });

  it('an unknown function still gives a pid, which exits with undef', async () => {
    expect(await erl.eval(inProcess(`P = spawn(${T}, nosuch, f, [1]), {is_pid(P), node(P)}`))).toBe(`{true,${ts.name}}`);
    expect(
      await erl.eval(
        inProcess(`{P, Ref} = spawn_monitor(${T}, nosuch, f, [1]), receive {'DOWN', Ref, process, P, R} -> R after 5000 -> timeout end`),
      ),
    ).toBe('{undef,[{nosuch,f,[1],[]}]}');
    expect(
      await erl.eval(
        inProcess(
          `process_flag(trap_exit, true), P = spawn_link(${T}, demo_proc, nosuch, []), receive {'EXIT', P, R} -> R after 5000 -> timeout end`,
        ),
      ),
    ).toBe('{undef,[{demo_proc,nosuch,[],[]}]}');
  });

  it("dist_demo's fun is index 0, arity 0, no free variables, as the compiler makes it", async () => {
    // Trace the caller of dist_demo:start/1 to see the fun it hands to spawn/2.
    const info = await erl.eval(
      `begin Me = self(), W = spawn(fun() -> receive go -> Me ! {pid, dist_demo:start(${T})} end end), erlang:trace(W, true, [call]), erlang:trace_pattern({erlang, spawn, 2}, true, [local]), W ! go, receive {trace, W, call, {erlang, spawn, [_, Fun]}} -> [element(2, erlang:fun_info(Fun, K)) || K <- [module, index, arity, env, name]] after 5000 -> no_trace end end`,
    );
    expect(info).toBe("[dist_demo,0,0,[],'-start/1-fun-0-']");
  });

  it('dist_demo:start(Ts) and dist_demo:rpc: the registry answers, failures come back as catch gives them, the loop survives', async () => {
    expect(await erl.eval(`rpc:call(${T}, kvs, store, [weather, fine])`)).toBe('true');
    expect(await erl.eval(`begin P = dist_demo:start(${T}), put(demo, P), node(P) end`)).toBe(ts.name);
    const rpc = (m: string, f: string, a: string) => erl.eval(`dist_demo:rpc(get(demo), ${m}, ${f}, ${a})`);
    expect(await rpc('kvs', 'lookup', '[weather]')).toBe('{ok,fine}');
    expect(await rpc('kvs', 'nosuchfun', '[]')).toBe("{'EXIT',{undef,[{kvs,nosuchfun,[],[]}]}}");
    expect(await rpc('kvs', 'lookup', '[weather]')).toBe('{ok,fine}');
    expect(await rpc('erlang', 'node', '[]')).toBe("{'EXIT',{undef,[{erlang,node,[],[]}]}}");
    expect(await erl.eval(`begin {'EXIT', {badarith, [{demo, boom, 0, _} | _]}} = dist_demo:rpc(get(demo), demo, boom, []), ok end`)).toBe(
      'ok',
    );
    expect(await rpc('demo', 'quit', '[]')).toBe("{'EXIT',bye}");
    expect(await rpc('demo', 'toss', '[{ball, 1}]')).toBe('{ball,1}');
    // A message the loop does not speak stays queued; requests are still answered, in order.
    expect(await erl.eval(`begin get(demo) ! junk, dist_demo:rpc(get(demo), kvs, store, [k2, v2]) end`)).toBe('true');
    expect(await rpc('kvs', 'lookup', '[k2]')).toBe('{ok,v2}');
    // Two erl clients at once; the loop answers one request at a time.
    const both = await erl.eval(
      `begin P = get(demo), Me = self(), [spawn(fun() -> Me ! {N, dist_demo:rpc(P, demo, slow, [100])} end) || N <- [1, 2]], T0 = erlang:monotonic_time(millisecond), [receive {N, R} -> R after 5000 -> timeout end || N <- [1, 2]] ++ [erlang:monotonic_time(millisecond) - T0 >= 195] end`,
    );
    expect(both).toBe('[slept,slept,true]');
    expect(await erl.eval(`is_process_alive(self()) andalso lists:member(${T}, nodes())`)).toBe('true');
  });

  it('`erlbridge node` serves dist_demo beside kvs', async () => {
    const sname = uniqueName('cli');
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((d) => (out.push(String(d)), true));
    const errs = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let serving: Promise<number> | undefined;
    try {
      serving = main(['node', '--sname', sname, '--cookie', cookie, '--epmd-port', String(epmd.port)]);
      for (let i = 0; i < 400 && !out.join('').includes('is up'); i++) await new Promise((r) => setTimeout(r, 10));
      const name = /erlbridge node (\S+) is up/.exec(out.join(''))?.[1] as string;
      expect(name).toBe(`${sname}@${ts.name.split('@')[1]}`);
      expect(await erl.eval(`rpc:call('${name}', kvs, store, [cli_key, 7])`)).toBe('true');
      expect(await erl.eval(`begin P = dist_demo:start('${name}'), {node(P), dist_demo:rpc(P, kvs, lookup, [cli_key])} end`)).toBe(
        `{${name},{ok,7}}`,
      );
    } finally {
      process.emit('SIGTERM');
      const code = await serving;
      write.mockRestore();
      errs.mockRestore();
      expect(code).toBe(0);
    }
  });
});
