/**
 * A cut cable between two hosts (the veth taken down on host B's side: nothing is closed, bytes
 * just stop) with net_ticktime 4 s on both nodes: each side declares the other down by the tick
 * rules alone, monitors and links across the cut fire `noconnection`, a call in flight fails
 * with `nodedown`; after the cable is back the next use reconnects, and global and pg agree again.
 */
import { atom, equals, Pid, Term, Tuple, tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { ErlClient } from '../../src/rpc/client';
import { describeNetns } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { OtpNode } from '../support/otp-node';
import { NodeEvents, sleep, waitFor } from '../support/otp-node-extra';
import { labPerFile, twoHosts } from './support';

const TICK_TIME_S = 4;
const T = TICK_TIME_S * 1000;

/**
 * Where a nodedown may fall, in ms after the cut. erl (dist_util's ticker) and we check every T/4
 * whether anything was read since the last check. erl gives up 0.75 T to 1.25 T after the last
 * byte read (kernel's net_ticktime documentation); we at the 4th check in a row with nothing
 * after the one that saw the last byte: T to 1.25 T after it. The last byte read came at most
 * T/2 before the cut (a peer ticks at a check only when it wrote nothing since the previous one),
 * on an idle connection at most T/4 before it. So: at least T/4, at most 1.25 T, plus slack for
 * a loaded machine.
 */
const EARLIEST_DOWN = T / 4;
const LATEST_DOWN = 1.25 * T + 750;

function tagged(tag: string) {
  return (m: Term) => (m instanceof Tuple && m.get(0) === atom(tag) ? m : undefined);
}

describeNetns('multi-host', () => {
  const lab = labPerFile(4);

  describeOtp(`a cut cable between the hosts, net_ticktime ${TICK_TIME_S} s`, (otp) => {
    const hosts = twoHosts(otp, lab);
    const group = atom('crowd');
    let erl: OtpNode;
    let ts: ErlNode;
    let client: ErlClient;
    let tsMember: ErlProcess;
    let globalName: string;
    let erlGlobalName: string;

    beforeAll(async () => {
      erl = await hosts.erl(uniqueName('erl'), ['-kernel', 'net_ticktime', String(TICK_TIME_S)]);
      ts = await hosts.ts(uniqueName('ts'), { tickTime: T });
      client = new ErlClient(ts);
      globalName = uniqueName('g_ts');
      erlGlobalName = uniqueName('g_erl');
      tsMember = ts.spawn();
      expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      expect(await erl.eval(`element(1, pg:start(pg))`)).toBe('ok');
      // erl's member of the group and holder of its global name: one long-lived process.
      await erl.eval(
        `begin P = spawn(fun() -> receive stop -> ok end end), register(held, P), pg:join(crowd, P), yes = global:register_name(${erlGlobalName}, P), ok end`,
      );
      ts.pg.join(group, tsMember);
      expect(await ts.global.registerName(globalName, tsMember)).toBe('yes');
      await waitFor('both names and both members on both nodes', async () => agreed(2));
    });

    /** True when global and pg look the same from both nodes, with `members` in the group. */
    async function agreed(members: number): Promise<boolean> {
      const erlSees = await client.rpcCall(erl.name, 'global', 'whereis_name', [atom(globalName)], { timeout: 5000 });
      const erlMembers = await client.rpcCall(erl.name, 'pg', 'get_members', [group], { timeout: 5000 });
      const tsSees = ts.global.whereisName(erlGlobalName);
      const tsMembers = ts.pg.getMembers(group);
      const heldPid = await client.rpcCall(erl.name, 'erlang', 'whereis', [atom('held')], { timeout: 5000 });
      const sameMembers =
        Array.isArray(erlMembers) &&
        erlMembers.length === members &&
        tsMembers.length === members &&
        tsMembers.every((p) => erlMembers.some((q) => equals(q, p)));
      return erlSees instanceof Pid && equals(erlSees, tsMember.pid) && tsSees !== undefined && equals(tsSees, heldPid) && sameMembers;
    }

    it('both sides detect the cut by the tick rules; monitors, links and a call in flight fail with noconnection', async () => {
      const events = new NodeEvents(ts);
      try {
        // Across the cable: a TS process monitoring and linked to an erl process that traps exits
        // (`held`, which holds the name and the membership, must outlive the cut), and erl
        // monitoring a TS process.
        await erl.eval(`register(evaluator, self())`);
        await erl.eval(
          `register(partner, spawn(fun() -> process_flag(trap_exit, true), receive {'EXIT', _, R} -> evaluator ! {partner_exit, R} end end))`,
        );
        const partner = (await client.rpcCall(erl.name, 'erlang', 'whereis', [atom('partner')], { timeout: 5000 })) as Pid;
        const watcher = ts.spawn(undefined, { trapExit: true });
        watcher.link(partner);
        const ref = watcher.monitor(partner);
        const watched = ts.spawn();
        watched.send(['evaluator', erl.name], tuple(atom('watch'), watched.pid));
        await erl.eval(`receive {watch, P} -> put(m, monitor(process, P)), ok after 5000 -> timeout end`);
        // erl notes the time its nodedown arrives.
        await erl.eval(
          `begin E = self(), spawn(fun() -> monitor_node('${ts.name}', true), receive {nodedown, _} -> E ! {down_at, os:system_time(millisecond)} end end), ok end`,
        );
        const inFlight = client.rpcCall(erl.name, 'timer', 'sleep', [30000], { timeout: 25000 });
        // Links and monitors are signals on the connection: in place on both sides before the cut.
        await waitFor('the monitor from erl to arrive', () => watched.monitoredBy.size === 1, 5000);
        const partnerSees = `{length(element(2, process_info(whereis(partner), links))), length(element(2, process_info(whereis(partner), monitored_by)))}`;
        await waitFor('the link and monitor from the TS process to arrive', async () => (await erl.eval(partnerSees)) === '{1,1}', 5000);
        // The call is running on erl (its rex spawned the sleeper) before the cut.
        await sleep(200);

        const tsDown = events.next('nodedown', erl.name, LATEST_DOWN + 5000);
        const cutAt = Date.now();
        hosts.lab.cut(hosts.link);
        const event = await tsDown;
        const erlDownAt = Number(await erl.eval(`receive {down_at, At} -> At after ${LATEST_DOWN + 5000} -> timeout end`));
        const tsAfter = event.at - cutAt;
        const erlAfter = erlDownAt - cutAt;
        process.stderr.write(
          `multi-host faults (${otp.label}): nodedown ${tsAfter} ms (TS) and ${erlAfter} ms (erl) after the cut, T = ${T} ms\n`,
        );
        expect(event.reason).toBe('net_tick_timeout');
        expect(tsAfter).toBeGreaterThanOrEqual(EARLIEST_DOWN);
        expect(tsAfter).toBeLessThanOrEqual(LATEST_DOWN);
        expect(erlAfter).toBeGreaterThanOrEqual(EARLIEST_DOWN);
        expect(erlAfter).toBeLessThanOrEqual(LATEST_DOWN);

        expect(ts.nodes('connected')).toEqual([]);
        expect(await erl.eval(`nodes(connected)`)).toBe('[]');
        expect(await inFlight).toEqual(tuple(atom('badrpc'), atom('nodedown')));
        expect(await watcher.receive(tagged('DOWN'), { timeout: 1000 })).toEqual(
          tuple(atom('DOWN'), ref, atom('process'), partner, atom('noconnection')),
        );
        expect(await watcher.receive(tagged('EXIT'), { timeout: 1000 })).toEqual(tuple(atom('EXIT'), partner, atom('noconnection')));
        expect(await erl.eval(`receive {partner_exit, R} -> R after 1000 -> timeout end`)).toBe('noconnection');
        expect(await erl.eval(`begin M = get(m), receive {'DOWN', M, process, _, R} -> R after 1000 -> timeout end end`)).toBe(
          'noconnection',
        );
        // Each side forgot the other's global name and group member.
        expect(ts.global.whereisName(erlGlobalName)).toBeUndefined();
        expect(ts.pg.getMembers(group)).toEqual([tsMember.pid]);
        expect(await erl.eval(`global:whereis_name(${globalName})`)).toBe('undefined');
        expect(await erl.eval(`length(pg:get_members(crowd))`)).toBe('1');
      } finally {
        events.dispose();
      }
    });

    it('after the cable is back, the next use reconnects, and global and pg agree again', async () => {
      const healAt = Date.now();
      hosts.lab.heal(hosts.link);
      // The first use: a ping from the TS side (the connection is set up on demand).
      let answer = await ts.ping(erl.name, { timeout: 5000 });
      while (answer !== 'pong' && Date.now() - healAt < 15000) answer = await ts.ping(erl.name, { timeout: 5000 });
      const reconnected = Date.now() - healAt;
      process.stderr.write(`multi-host faults (${otp.label}): reconnected ${reconnected} ms after the cable was back\n`);
      expect(answer).toBe('pong');
      expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      expect(await client.rpcCall(erl.name, 'erlang', 'node', [], { timeout: 5000 })).toBe(atom(erl.name));
      await waitFor('global and pg to agree on both nodes after the reconnect', () => agreed(2), 10000);
      expect(await agreed(2)).toBe(true);
    });
  });
});
