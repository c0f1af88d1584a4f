/**
 * TypeScript processes and erl processes: messages, links, monitors and exit signals both ways,
 * node down, and 10 MB messages over a connection that negotiated fragments.
 */
import { atom, bin, equals, isRecord, Pid, Tuple, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { ErlangExit } from '../../src/process/exceptions';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode, startOtpNode } from '../support/otp-node';

describeOtp('processes', (otp) => {
  let epmd: EpmdServer;
  let erl: OtpNode;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    erl = await startOtpNode(otp, { sname: uniqueName('erl'), cookie, epmdPort: epmd.port });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined });
    // An erl echo server: {From, Msg} -> From ! {echo, Msg}.
    await erl.eval(`begin P = spawn(fun Loop() -> receive {From, M} -> From ! {echo, M}, Loop() end end), register(echo, P), ok end`);
  });

  afterAll(async () => {
    await ts?.stop();
    await erl?.stop();
    await epmd?.close();
  });

  it('erl sends to a registered TS process and gets its reply', async () => {
    const svc = ts.spawn(
      async (self) => {
        for (;;) {
          const m = await self.receive();
          if (m instanceof Tuple && m.get(0) instanceof Pid) self.send(m.get(0) as Pid, tuple(atom('got'), m.get(1)));
        }
      },
      { name: 'ts_echo' },
    );
    const reply = await erl.eval(
      `begin {ts_echo, '${ts.name}'} ! {self(), [1.0, <<"b">>, {x}]}, receive R -> R after 5000 -> timeout end end`,
    );
    expect(reply).toBe('{got,[1.0,<<98>>,{x}]}');
    svc.exit();
  });

  it('a TS process sends to a registered erl process and gets the echo, 10 MB each way', async () => {
    const me = ts.spawn();
    const big = Buffer.alloc(10 << 20, 0x5a);
    me.send(['echo', erl.name], tuple(me.pid, tuple(atom('hello'), bin('world'))));
    const first = await me.receive(undefined, { timeout: 5000 });
    expect(equals(first, tuple(atom('echo'), tuple(atom('hello'), bin('world'))))).toBe(true);
    me.send(['echo', erl.name], tuple(me.pid, big));
    const second = await me.receive<Tuple>(undefined, { timeout: 20000 });
    expect(Buffer.compare(second.get(1) as Buffer, big)).toBe(0);
    me.exit();
  });

  it('erl links to a TS process and traps its exit reason', async () => {
    ts.spawn(
      async (self) => {
        const m = await self.receive<Tuple>();
        self.send(m.get(0) as Pid, tuple(atom('pid'), self.pid));
        await self.receive((x) => (x === atom('die') ? x : undefined));
        throw new ErlangExit(tuple(atom('shutdown'), atom('kaboom')));
      },
      { name: 'doomed' },
    );
    const why = await erl.eval(
      `begin process_flag(trap_exit, true), {doomed, '${ts.name}'} ! {self()}, receive {pid, P} -> link(P), P ! die, receive {'EXIT', P, Why} -> Why after 5000 -> timeout end after 5000 -> nopid end end`,
    );
    expect(why).toBe('{shutdown,kaboom}');
    const jsCrash = ts.spawn(
      async (self) => {
        const m = await self.receive<Tuple>();
        self.send(m.get(0) as Pid, tuple(atom('pid'), self.pid));
        await self.receive((x) => (x === atom('die') ? x : undefined));
        throw new TypeError('not a function');
      },
      { name: 'js_crash' },
    );
    const jsWhy = await erl.eval(
      `begin {js_crash, '${ts.name}'} ! {self()}, receive {pid, P} -> link(P), P ! die, receive {'EXIT', P, Why} -> Why =:= {{js_error, <<"TypeError: not a function">>}, []} after 5000 -> timeout end after 5000 -> nopid end end`,
    );
    expect(jsWhy).toBe('true');
    expect(jsCrash.alive).toBe(false);
  });

  it('links both ways: an erl process dies and the TS process gets the EXIT; the TS process dies and erl sees it', async () => {
    const watcher = ts.spawn(undefined, { trapExit: true });
    // erl: spawn a process linked to our watcher that dies with {shutdown, boom} when told.
    await erl.eval(
      `begin P = spawn(fun() -> receive {link, T} -> link(T), T ! linked, receive die -> exit({shutdown, boom}) end end end), register(victim, P), ok end`,
    );
    watcher.send(['victim', erl.name], tuple(atom('link'), watcher.pid));
    expect(await watcher.receive(undefined, { timeout: 5000 })).toBe(atom('linked'));
    watcher.send(['victim', erl.name], atom('die'));
    const exit = await watcher.receive<Tuple>(undefined, { timeout: 5000 });
    expect(isRecord(exit, 'EXIT', 3)).toBe(true);
    expect(equals(exit.get(2), tuple(atom('shutdown'), atom('boom')))).toBe(true);
  });

  it('erl monitors a TS process and sees DOWN with its reason; TS monitors an erl process likewise', async () => {
    const target = ts.spawn(
      async (self) => {
        const m = await self.receive<Tuple>();
        const from = m.get(0) as Pid;
        self.send(from, tuple(atom('pid'), self.pid));
        await self.receive((x) => (x === atom('stop') ? x : undefined));
        self.exit(tuple(atom('shutdown'), atom('asked')));
      },
      { name: 'monitored' },
    );
    const down = await erl.eval(
      `begin {monitored, '${ts.name}'} ! {self()}, receive {pid, P} -> R = monitor(process, P), P ! stop, receive {'DOWN', R, process, P, Why} -> Why after 5000 -> timeout end after 5000 -> nopid end end`,
    );
    expect(down).toBe('{shutdown,asked}');
    expect(target.alive).toBe(false);

    const me = ts.spawn();
    await erl.eval(`begin P = spawn(fun() -> receive go -> exit(gone) end end), register(short_lived, P), ok end`);
    const ref = me.monitor(['short_lived', erl.name]);
    me.send(['short_lived', erl.name], atom('go'));
    const msg = await me.receive<Tuple>(undefined, { timeout: 5000 });
    expect(equals(msg, tuple(atom('DOWN'), ref, atom('process'), tuple(atom('short_lived'), atom(erl.name)), atom('gone')))).toBe(true);
    const ref2 = me.monitor(['never_registered', erl.name]);
    const noproc = await me.receive<Tuple>(undefined, { timeout: 5000 });
    expect(
      equals(noproc, tuple(atom('DOWN'), ref2, atom('process'), tuple(atom('never_registered'), atom(erl.name)), atom('noproc'))),
    ).toBe(true);
    me.exit();
  });

  it("erl's exit(Pid, kill) kills a trapping TS process; exit(Pid, normal) is ignored", async () => {
    const p = ts.spawn(
      async (self) => {
        const m = await self.receive<Tuple>();
        self.send(m.get(0) as Pid, self.pid);
        await self.receive((x) => (x === atom('never') ? x : undefined));
      },
      { name: 'killme', trapExit: true },
    );
    const out = await erl.eval(
      `begin {killme, '${ts.name}'} ! {self()}, receive P -> exit(P, normal), exit(P, kill), ok after 5000 -> timeout end end`,
    );
    expect(out).toBe('ok');
    expect(equals(await p.done, atom('killed'))).toBe(true);
  });

  it('a node going down breaks links and fires monitors with noconnection', async () => {
    const victim = await startOtpNode(otp, { sname: uniqueName('victim'), cookie, epmdPort: epmd.port });
    await victim.eval(`begin register(sleeper, spawn(fun() -> receive after infinity -> ok end end)), ok end`);
    const me = ts.spawn(undefined, { trapExit: true });
    const ref = me.monitor(['sleeper', victim.name]);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(victim.pid, 'SIGKILL');
    const down = await me.receive(undefined, { timeout: 10000 });
    expect(equals(down, tuple(atom('DOWN'), ref, atom('process'), tuple(atom('sleeper'), atom(victim.name)), atom('noconnection')))).toBe(
      true,
    );
    await victim.stop();
    me.exit();
  });
});
