/**
 * SpawnService without erl: what a SPAWN_REQUEST for a served function leaves behind. One that
 * returns at once makes no process at all (its pid is answered, then the call ends in the same
 * turn); one that waits is a process that signals reach; a crash is still reported as BEAM's.
 */
import { atom, formatTerm, Pid, Reference, Term, Tuple } from '../../codec';
import { SpawnRequest } from '../../src/dist/control';
import { ErlangError } from '../../src/process/exceptions';
import { Logger } from '../../src/process/logger';
import { ProcessTable, RemoteSignals } from '../../src/process/table';
import type { CallContext } from '../../src/rpc/call-context';
import { ModuleRegistry } from '../../src/rpc/modules';
import { SpawnService } from '../../src/rpc/spawn-service';

const ERL = atom('erl@host');

/** The service on a table whose signals to other nodes are recorded, replying on a recorded channel. */
function setup(): { handle: (request: SpawnRequest) => void; table: ProcessTable; replies: Tuple[]; sent: string[]; logs: string[] } {
  const sent: string[] = [];
  const remote: RemoteSignals = {
    send: () => sent.push('send'),
    sendNamed: () => sent.push('sendNamed'),
    sendAlias: () => sent.push('sendAlias'),
    link: () => sent.push('link'),
    unlink: () => sent.push('unlink'),
    exit: () => sent.push('exit'),
    monitor: () => sent.push('monitor'),
    demonitor: () => sent.push('demonitor'),
    monitorExit: (_target, _watcher, _ref, reason) => sent.push(`monitorExit ${formatTerm(reason)}`),
  };
  const table = new ProcessTable(atom('ts@host'), 7, remote);
  const registry = new ModuleRegistry();
  registry.registerModule('m', {
    now: () => 1,
    wait: async function (this: CallContext) {
      return this.self.receive();
    },
    crash: () => {
      throw new ErlangError(atom('oops'));
    },
  });
  const logs: string[] = [];
  const service = new SpawnService(table, registry, new Logger({ node: 'ts@host', sink: (text) => logs.push(text) }));
  const replies: Tuple[] = [];
  const channel = { isClosed: false, send: (control: Term) => replies.push(control as Tuple) };
  return { handle: (request) => service.handle(request, channel), table, replies, sent, logs };
}

function request(fn: string, options: string[]): SpawnRequest {
  return {
    reqId: new Reference(ERL, 3, [1, 2, 3]),
    from: new Pid(ERL, 40, 0, 3),
    groupLeader: new Pid(ERL, 41, 0, 3),
    module: atom('m'),
    function: atom(fn),
    arity: 0,
    options: options.map((o) => atom(o)),
    args: [],
  };
}

/** The pid a SPAWN_REPLY carries. */
function spawned(reply: Tuple): Pid {
  return reply.elements[4] as Pid;
}

describe('SpawnService: spawn(Node, M, F, A) of a served function', () => {
  it('one that returns at once: its pid is answered and no process is left, not even for a turn', () => {
    const { handle, table, replies, sent } = setup();
    handle(request('now', ['monitor']));
    expect(replies).toHaveLength(1);
    expect(spawned(replies[0]).node).toBe(table.nodeName);
    expect(table.size).toBe(0);
    expect(table.get(spawned(replies[0]))).toBeUndefined();
    // The monitor's DOWN went out in the same turn, as the process's exit would give it.
    expect(sent).toEqual(['monitorExit normal']);
  });

  it('one that waits is a process that signals reach, and it exits as the function ends', async () => {
    const { handle, table, replies, sent } = setup();
    handle(request('wait', ['monitor']));
    const proc = table.get(spawned(replies[0]));
    expect(proc?.alive).toBe(true);
    proc?.deliver(atom('go'));
    expect(await proc?.done).toBe(atom('normal'));
    expect(table.size).toBe(0);
    expect(sent).toEqual(['monitorExit normal']);
  });

  it('a crash is reported with the pid it was answered with, and ends the monitor with the reason', () => {
    const { handle, replies, sent, logs } = setup();
    handle(request('crash', ['monitor']));
    const pid = spawned(replies[0]);
    expect(logs.join('\n')).toContain(`Error in process <0.${pid.id}.${pid.serial}>`);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^monitorExit \{oops,\[\{m,crash,0,/);
  });
});

describe('SpawnService: what a waiting spawned process keeps', () => {
  it('processes spawned with the same group leader share one Pid for it; another group leader is its own', () => {
    const { handle, table, replies } = setup();
    handle(request('wait', []));
    handle(request('wait', []));
    const other = { ...request('wait', []), groupLeader: new Pid(ERL, 99, 0, 3) };
    handle(other);
    const [a, b, c] = replies.map((r) => table.get(spawned(r))?.groupLeader);
    expect(a).toBeInstanceOf(Pid);
    expect(b).toBe(a);
    expect(c).toBe(other.groupLeader);
  });
});
