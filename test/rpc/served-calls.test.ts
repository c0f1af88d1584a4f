/**
 * The calls a node serves while it stops: `settled` waits for those in flight up to a bound, and
 * once closed, SpawnService and rex refuse new calls as a node that has gone refuses them.
 */
import { atom, formatTerm, Pid, Reference, Term, tuple, Tuple } from '../../codec';
import { Logger } from '../../src/process/logger';
import { ProcessTable } from '../../src/process/table';
import { ignoredRemoteSignals } from '../support/remote-signals';
import { ModuleRegistry } from '../../src/rpc/modules';
import { RexServer } from '../../src/rpc/rex';
import { ServedCalls } from '../../src/rpc/served-calls';
import { SpawnService } from '../../src/rpc/spawn-service';

const ERL = atom('erl@host');
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** A table whose sends to other nodes are recorded as `To ! Msg` text, a registry with a slow function, and the calls. */
function setup() {
  const sent: string[] = [];
  const ignore = () => undefined;
  const remote = ignoredRemoteSignals({
    send: (_from, to, message) => sent.push(`${formatTerm(to)} ! ${formatTerm(message)}`),
    monitorExit: (_target, _watcher, _ref, reason) => sent.push(`DOWN ${formatTerm(reason)}`),
  });
  const table = new ProcessTable(atom('ts@host'), 7, remote);
  const registry = new ModuleRegistry();
  registry.registerModule('slow', { wait: (ms: Term, tag: Term) => later(ms as number, tag) });
  const calls = new ServedCalls();
  const logger = new Logger({ node: 'ts@host', sink: ignore });
  const service = new SpawnService(table, registry, logger, calls);
  const rex = new RexServer(registry, atom('ts@host'), () => table.create(), calls);
  const replies: Tuple[] = [];
  const channel = { isClosed: false, send: (control: Term) => replies.push(control as Tuple) };
  return { service, rex, calls, sent, replies, channel };
}

/** erpc:call's SPAWN_REQUEST for `slow:wait(Ms, Tag)`. */
function erpcCall(ms: number, tag: string) {
  return {
    reqId: new Reference(ERL, 3, [1, 2, 3]),
    from: new Pid(ERL, 40, 0, 3),
    groupLeader: new Pid(ERL, 41, 0, 3),
    module: atom('erpc'),
    function: atom('execute_call'),
    arity: 4,
    options: [atom('monitor')],
    args: [new Reference(ERL, 3, [4, 5, 6]), atom('slow'), atom('wait'), [ms, atom(tag)]],
  };
}

describe('ServedCalls', () => {
  it('settled: true once every call in flight has ended, false when the bound comes first', async () => {
    const calls = new ServedCalls();
    expect(await calls.settled(10)).toBe(true);
    calls.track(later(30, 'a'));
    calls.track(later(60, 'b'));
    expect(calls.size).toBe(2);
    expect(await calls.settled(5000)).toBe(true);
    expect(calls.size).toBe(0);
    calls.track(new Promise(() => undefined)); // never ends
    const started = Date.now();
    expect(await calls.settled(50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an erpc call in flight is counted until it answers; once closed a new one gets noconnection', async () => {
    const { service, calls, sent, replies, channel } = setup();
    service.handle(erpcCall(40, 'first'), channel);
    expect(calls.size).toBe(1);
    calls.close();
    service.handle(erpcCall(0, 'late'), channel);
    expect(replies.map((r) => formatTerm(r.elements[4]))).toEqual([expect.stringMatching(/^#Pid<ts@host\./), 'noconnection']);
    expect(await calls.settled(5000)).toBe(true);
    // The call in flight still ended as erpc expects: its DOWN carries the answer.
    expect(sent).toEqual([expect.stringMatching(/^DOWN \{#Ref<.*>,return,first\}$/)]);
  });

  it('rex: a call in flight is counted; once closed a new one is answered {badrpc, nodedown}', async () => {
    const { rex, calls, sent } = setup();
    const from = new Pid(ERL, 50, 0, 3);
    rex.handle(tuple(from, tuple(atom('call'), atom('slow'), atom('wait'), [30, atom('first')], from)));
    expect(calls.size).toBe(1);
    calls.close();
    rex.handle(tuple(from, tuple(atom('call'), atom('slow'), atom('wait'), [0, atom('late')], from)));
    expect(await calls.settled(5000)).toBe(true);
    expect(sent.map((s) => s.replace(/^\S+ ! /, ''))).toEqual(['{rex,{badrpc,nodedown}}', '{rex,first}']);
  });
});
