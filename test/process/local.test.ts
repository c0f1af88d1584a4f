import { atom, Pid, Reference, Term, tuple, equals, isRecord } from '../../codec';
import { ProcessTable, RemoteSignals } from '../../src/process/table';
import { ReceiveTimeoutError, ProcessExitedError } from '../../src/process/mailbox';

/** Records what would go to other nodes; the table's local behaviour is what is tested here. */
function table(): { t: ProcessTable; sent: string[] } {
  const sent: string[] = [];
  const remote: RemoteSignals = {
    send: () => sent.push('send'),
    sendNamed: () => sent.push('sendNamed'),
    sendAlias: () => sent.push('sendAlias'),
    link: () => sent.push('link'),
    unlink: () => sent.push('unlink'),
    exit: (_f, _t, _r, viaExit2) => sent.push(viaExit2 ? 'exit2' : 'exit'),
    monitor: () => sent.push('monitor'),
    demonitor: () => sent.push('demonitor'),
    monitorExit: () => sent.push('monitorExit'),
  };
  return { t: new ProcessTable(atom('ts@host'), 7, remote), sent };
}

describe('mailbox', () => {
  it('receives selectively, in order, and times out', async () => {
    const { t } = table();
    const p = t.create();
    p.deliver(1);
    p.deliver(tuple(atom('b'), 2));
    p.deliver(3);
    expect(await p.receive((m) => (isRecord(m, 'b') ? m.get(1) : undefined))).toBe(2);
    expect(await p.receive()).toBe(1);
    expect(await p.receive()).toBe(3);
    await expect(p.receive(undefined, { timeout: 20 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
    const later = p.receive();
    p.deliver('x');
    expect(await later).toBe('x');
  });

  it('rejects pending receives when the process exits, and honours AbortSignal', async () => {
    const { t } = table();
    const p = t.create();
    const ac = new AbortController();
    const aborted = p.receive(undefined, { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const waiting = p.receive();
    p.exit(atom('bye'));
    await expect(waiting).rejects.toBeInstanceOf(ProcessExitedError);
    expect(equals(await p.done, atom('bye'))).toBe(true);
  });
});

describe('links and exit signals', () => {
  it('an abnormal exit kills linked processes; normal does not', async () => {
    const { t } = table();
    const a = t.create();
    const b = t.create();
    const c = t.create();
    a.link(b.pid);
    a.link(c.pid);
    c.unlink(a.pid);
    a.exit(atom('boom'));
    expect(b.alive).toBe(false);
    expect(equals(await b.done, atom('boom'))).toBe(true);
    expect(c.alive).toBe(true);
    const d = t.create();
    const e = t.create();
    d.link(e.pid);
    d.exit();
    expect(e.alive).toBe(true);
  });

  it('trap_exit turns exit signals into messages; exit(P, kill) cannot be trapped', async () => {
    const { t } = table();
    const a = t.create();
    const b = t.create();
    b.trapExit = true;
    a.link(b.pid);
    a.exit(atom('boom'));
    const m = await b.receive();
    expect(equals(m, tuple(atom('EXIT'), a.pid, atom('boom')))).toBe(true);
    const killer = t.create();
    killer.exitOther(b.pid, atom('kill'));
    expect(equals(await b.done, atom('killed'))).toBe(true);
  });

  it('linking to a dead process gives noproc', async () => {
    const { t } = table();
    const a = t.create();
    const dead = t.create();
    dead.exit();
    a.trapExit = true;
    a.link(dead.pid);
    expect(equals(await a.receive(), tuple(atom('EXIT'), dead.pid, atom('noproc')))).toBe(true);
  });

  it('links to remote pids go out as signals, and node down breaks them with noconnection', async () => {
    const { t, sent } = table();
    const a = t.create();
    a.trapExit = true;
    const remote = new Pid(atom('erl@host'), 80, 0, 3);
    a.link(remote);
    expect(sent).toEqual(['link']);
    t.nodeDown('erl@host');
    expect(equals(await a.receive(), tuple(atom('EXIT'), remote, atom('noconnection')))).toBe(true);
  });
});

describe('monitors, names and aliases', () => {
  it('DOWN with the exit reason, noproc for the dead, nothing after demonitor', async () => {
    const { t } = table();
    const watcher = t.create();
    const a = t.create();
    const ref = watcher.monitor(a.pid);
    a.exit(atom('done'));
    expect(equals(await watcher.receive(), tuple(atom('DOWN'), ref, atom('process'), a.pid, atom('done')))).toBe(true);
    const ref2 = watcher.monitor(a.pid);
    expect(equals(await watcher.receive(), tuple(atom('DOWN'), ref2, atom('process'), a.pid, atom('noproc')))).toBe(true);
    const b = t.create();
    const ref3 = watcher.monitor(b.pid);
    watcher.demonitor(ref3);
    b.exit(atom('x'));
    await expect(watcher.receive(undefined, { timeout: 10 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
  });

  it('monitors by name name the process as {Name, Node}', async () => {
    const { t } = table();
    const watcher = t.create();
    const kvs = t.create();
    t.register(atom('kvs'), kvs);
    const ref = watcher.monitor('kvs');
    kvs.exit(atom('stopped'));
    const down = await watcher.receive();
    expect(equals(down, tuple(atom('DOWN'), ref, atom('process'), tuple(atom('kvs'), atom('ts@host')), atom('stopped')))).toBe(true);
    expect(t.whereis(atom('kvs'))).toBeUndefined();
  });

  it('sends by pid, name and alias; an alias dies with its process', async () => {
    const { t } = table();
    const a = t.create();
    const b = t.create();
    t.register(atom('bee'), b);
    a.send(b.pid, 1);
    a.send('bee', 2);
    a.send(['bee', 'ts@host'], 3);
    const alias: Reference = b.alias();
    a.send(alias, 4);
    const got: Term[] = [];
    for (let i = 0; i < 4; i++) got.push(await b.receive());
    expect(got).toEqual([1, 2, 3, 4]);
    expect(() => a.send('nobody', 1)).toThrow(/badarg/);
    b.exit();
    expect(t.deliverToAlias(alias, 5)).toBe(false);
  });
});
