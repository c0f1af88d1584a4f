/**
 * Control messages that would leave a link or monitor no nodedown clears: a peer naming a process
 * of another node as the sender of a link, unlink, link exit or monitor is refused, as BEAM
 * refuses it, and the message changes nothing. Found by the node-dispatch fuzz target.
 */
import { atom, Pid, Reference, Term, tuple } from '../../codec';
import type { Connection } from '../../src/dist/connection';
import { DistError } from '../../src/dist/errors';
import { dispatch, Services } from '../../src/node/dispatch';
import { ProcessTable } from '../../src/process/table';
import { ignoredRemoteSignals } from '../support/remote-signals';

const PEER = 'peer@host';
const conn = { peer: PEER, send: () => true } as unknown as Connection;
const remote = ignoredRemoteSignals();
const services = {} as Services;

function setup() {
  const table = new ProcessTable(atom('ts@host'), 1, remote);
  const proc = table.create();
  return { table, proc };
}

const peerPid = new Pid(atom(PEER), 10, 0, 3);
const thirdPid = new Pid(atom('third@host'), 10, 0, 3);
const ref = new Reference(atom(PEER), 3, [1, 2, 3]);

describe('dispatch', () => {
  it.each<[string, (target: Pid) => Term]>([
    ['LINK', (target) => tuple(1, thirdPid, target)],
    ['UNLINK_ID', (target) => tuple(35, 7, thirdPid, target)],
    ['EXIT', (target) => tuple(3, thirdPid, target, atom('normal'))],
    ['MONITOR_P', (target) => tuple(19, thirdPid, target, ref)],
    ['DEMONITOR_P', (target) => tuple(20, thirdPid, target, ref)],
  ])('refuses %s from a process of another node than the peer, changing nothing', (_op, control) => {
    const { table, proc } = setup();
    expect(() => dispatch(table, services, conn, { control: control(proc.pid) })).toThrow(DistError);
    expect(proc.links.size).toBe(0);
    expect(proc.monitoredBy.size).toBe(0);
  });

  it("takes a link and a monitor from the peer's own processes", () => {
    const { table, proc } = setup();
    dispatch(table, services, conn, { control: tuple(1, peerPid, proc.pid) });
    dispatch(table, services, conn, { control: tuple(19, peerPid, proc.pid, ref) });
    expect([...proc.links.values()]).toEqual([peerPid]);
    expect(proc.monitoredBy.size).toBe(1);
  });
});
