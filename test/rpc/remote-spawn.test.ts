/**
 * The requesting side of remote spawn (src/rpc/remote-spawn.ts) at its seam, without erl: what it
 * sends, and what the requester's mailbox gets for each reply, lost connection and late answer.
 * test/rpc/spawn-request.test.ts does the same against real erl nodes.
 */
import { Atom, atom, formatTerm, Pid, Reference, Term, Tuple } from '../../codec';
import { ControlOp, SpawnReplyFlag } from '../../src/dist/control';
import { ProcessTable, RemoteSignals } from '../../src/process/table';
import { RemoteSpawns, spawnAndWait } from '../../src/rpc/remote-spawn';
import { SpawnError } from '../../src/rpc/errors';

const PEER = 'erl@host';

/** Remote signals recorded as text, e.g. `demonitor <0.1.0> ...`. */
function recorder(): { remote: RemoteSignals; calls: string[] } {
  const calls: string[] = [];
  const note =
    (what: string) =>
    (...args: unknown[]) =>
      calls.push(
        [what, ...args.filter((a) => typeof a !== 'function').map((a) => (typeof a === 'string' ? a : formatTerm(a as Term)))].join(' '),
      );
  const remote: RemoteSignals = {
    send: note('send'),
    sendNamed: note('sendNamed'),
    sendAlias: note('sendAlias'),
    link: note('link'),
    unlink: note('unlink'),
    exit: note('exit'),
    monitor: note('monitor'),
    demonitor: note('demonitor'),
    monitorExit: note('monitorExit'),
  };
  return { remote, calls };
}

function setUp(reachable = true) {
  const { remote, calls } = recorder();
  const table = new ProcessTable(atom('ts@host'), 1, remote);
  const sent: Array<{ node: string; control: Tuple; payload: Term }> = [];
  const gl = table.create();
  const spawns = new RemoteSpawns(
    table,
    (node, control, payload, onNoConnection) => {
      if (!reachable) return onNoConnection();
      sent.push({ node, control: control as Tuple, payload });
    },
    remote,
    () => gl.pid,
  );
  return { table, spawns, sent, calls, gl };
}

const remotePid = new Pid(atom(PEER), 77, 0, 3);
const spawnReply = (m: Term) => (m instanceof Tuple && m.get(0) === atom('spawn_reply') ? m : undefined);

describe('RemoteSpawns', () => {
  it('sends SPAWN_REQUEST {29, ReqId, From, GroupLeader, {M, F, Arity}, Opts} with the arguments as payload', () => {
    const { table, spawns, sent, gl } = setUp();
    const proc = table.create();
    const reqId = spawns.request(proc, PEER, { module: 'erlang', function: 'node', args: [1, 2] }, { link: true, monitor: true });
    expect(sent).toHaveLength(1);
    const { node, control, payload } = sent[0];
    expect(node).toBe(PEER);
    expect(control.get(0)).toBe(ControlOp.SpawnRequest);
    expect(control.get(1)).toBe(reqId);
    expect(control.get(2)).toBe(proc.pid);
    expect(control.get(3)).toBe(gl.pid);
    expect(formatTerm(control.get(4))).toBe('{erlang,node,2}');
    expect(formatTerm(control.get(5))).toBe('[link,monitor]');
    expect(payload).toEqual([1, 2]);
  });

  it('a reply with a pid reaches the requester; link and monitor flags are recorded on it', async () => {
    const { table, spawns } = setUp();
    const proc = table.create();
    const reqId = spawns.request(proc, PEER, { module: 'm', function: 'f', args: [] }, { link: true, monitor: true });
    spawns.reply(reqId, proc.pid, SpawnReplyFlag.Link | SpawnReplyFlag.Monitor, remotePid);
    const m = await proc.receive<Tuple>(undefined, { timeout: 0 });
    expect(formatTerm(m)).toBe(`{spawn_reply,${formatTerm(reqId)},ok,${formatTerm(remotePid)}}`);
    expect(proc.links.size).toBe(1);
    expect(proc.heldMonitors().map((h) => h.ref)).toEqual([reqId]);
  });

  it('an error reply, an unreachable node and a lost connection all answer {spawn_reply, ReqId, error, Reason}', async () => {
    const { table, spawns } = setUp();
    const proc = table.create();
    const refused = spawns.request(proc, PEER, { module: 'm', function: 'f', args: [] });
    spawns.reply(refused, proc.pid, 0, atom('badopt'));
    expect(formatTerm(await proc.receive(spawnReply, { timeout: 0 }))).toBe(`{spawn_reply,${formatTerm(refused)},error,badopt}`);

    const pending = spawns.request(proc, PEER, { module: 'm', function: 'f', args: [] });
    spawns.nodeDown('other@host');
    await expect(proc.receive(spawnReply, { timeout: 0 })).rejects.toThrow(/no matching message/);
    spawns.nodeDown(PEER);
    expect(formatTerm(await proc.receive(spawnReply, { timeout: 0 }))).toBe(`{spawn_reply,${formatTerm(pending)},error,noconnection}`);
    const unreachable = setUp(false);
    const p2 = unreachable.table.create();
    const r2 = unreachable.spawns.request(p2, PEER, { module: 'm', function: 'f', args: [] });
    expect(formatTerm(await p2.receive(spawnReply, { timeout: 0 }))).toBe(`{spawn_reply,${formatTerm(r2)},error,noconnection}`);
  });

  it('drops a reply to no request of ours, or from another node than the one asked: no link, monitor or message', async () => {
    // Found by the node-dispatch fuzz target: an unsolicited SPAWN_REPLY linked any process to any pid.
    const { table, spawns, calls } = setUp();
    const proc = table.create();
    const thirdPid = new Pid(atom('third@host'), 5, 0, 3);
    spawns.reply(table.makeRef(), proc.pid, SpawnReplyFlag.Link | SpawnReplyFlag.Monitor, remotePid);
    const reqId = spawns.request(proc, PEER, { module: 'm', function: 'f', args: [] }, { link: true });
    spawns.reply(reqId, proc.pid, SpawnReplyFlag.Link | SpawnReplyFlag.Monitor, thirdPid);
    const other = table.create();
    spawns.reply(reqId, other.pid, SpawnReplyFlag.Link, remotePid);
    for (const p of [proc, other]) {
      expect(p.links.size).toBe(0);
      expect(p.heldMonitors()).toEqual([]);
      await expect(p.receive(spawnReply, { timeout: 0 })).rejects.toThrow(/no matching message/);
    }
    expect(calls).toEqual([]);
    // The request itself is still answered.
    spawns.reply(reqId, proc.pid, SpawnReplyFlag.Link, remotePid);
    expect([...proc.links.values()]).toEqual([remotePid]);
  });

  it('a reply for a requester that is gone abandons the new process: demonitor, and exit abandoned across the link', () => {
    const { table, spawns, calls } = setUp();
    const proc = table.create();
    const reqId = spawns.request(proc, PEER, { module: 'm', function: 'f', args: [] }, { link: true, monitor: true });
    proc.exit();
    spawns.reply(reqId, proc.pid, SpawnReplyFlag.Link | SpawnReplyFlag.Monitor, remotePid);
    expect(calls).toEqual([
      `demonitor ${formatTerm(proc.pid)} ${formatTerm(remotePid)} ${PEER} ${formatTerm(reqId)}`,
      `exit ${formatTerm(proc.pid)} ${formatTerm(remotePid)} abandoned false`,
    ]);
  });
});

describe('spawnAndWait', () => {
  it('resolves with the pid, and rejects with SpawnError for the reason the node gave', async () => {
    const { table, spawns, sent } = setUp();
    const proc = table.create();
    const answer = spawnAndWait(
      spawns,
      proc,
      { node: PEER, module: 'm', function: 'f', args: [], link: false, keepMonitor: false },
      { timeout: 1000 },
    );
    const reqId = sent[0].control.get(1) as Reference;
    spawns.reply(reqId, proc.pid, SpawnReplyFlag.Monitor, remotePid);
    expect((await answer).pid).toBe(remotePid);
    expect(proc.heldMonitors()).toEqual([]); // the monitor held while waiting is dropped

    const refused = spawnAndWait(spawns, proc, { node: PEER, module: 'm', function: 'f', args: [], link: false, keepMonitor: false }, {});
    spawns.reply(sent[1].control.get(1) as Reference, proc.pid, 0, atom('notsup'));
    const err = (await refused.catch((e: unknown) => e)) as SpawnError;
    expect(err).toBeInstanceOf(SpawnError);
    expect(err.reason as Atom).toBe(atom('notsup'));
  });
});
