/**
 * erl on another host (a network namespace with its own EPMD) and a TypeScript node on this one,
 * long names with IP addresses: each finds the other in the other host's EPMD, and ping, rpc,
 * the book's kvs session, monitors and links work across the hosts, both ways.
 */
import { atom, Pid, Tuple, tuple } from '../../codec';
import { listNames } from '../../handshake';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlClient } from '../../src/rpc/client';
import { describeNetns } from '../support/netns';
import { describeOtp, uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';
import { labPerFile, twoHosts } from './support';

describeNetns('multi-host', () => {
  const lab = labPerFile(1);

  describeOtp('erl on host B, TypeScript on host A, long names with IP addresses', (otp) => {
    const hosts = twoHosts(otp, lab);

    it('each node is registered in its own host EPMD, and found there from the other host', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      const ts = await hosts.ts(uniqueName('ts'));
      const [tsAlive, erlAlive] = [ts.name.split('@')[0], erl.name.split('@')[0]];
      const here = await listNames({ host: '127.0.0.1', port: hosts.epmdPort });
      const there = await listNames({ host: hosts.there, port: hosts.epmdPort });
      expect(here.nodes.map((n) => n.name)).toContain(tsAlive);
      expect(here.nodes.map((n) => n.name)).not.toContain(erlAlive);
      expect(there.nodes.map((n) => n.name)).toContain(erlAlive);
      expect(there.nodes.map((n) => n.name)).not.toContain(tsAlive);
      // erl asks this host's EPMD (the embedded one) for the TS node, by address.
      const found = await erl.eval(`element(1, erl_epmd:port_please("${tsAlive}", "${hosts.here}"))`);
      expect(found).toBe('port');
    });

    it('net_adm:ping works both ways across the hosts', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      const ts = await hosts.ts(uniqueName('ts'));
      expect(await erl.eval(`net_adm:ping('${ts.name}')`)).toBe('pong');
      const other = await hosts.ts(uniqueName('ts'));
      expect(await other.ping(erl.name)).toBe('pong');
      expect(await erl.eval(`lists:sort(nodes()) =:= lists:sort(['${ts.name}', '${other.name}'])`)).toBe('true');
    });

    it("the book's session: erl on B stores and looks up in the TS node's kvs on A", async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      const ts = await hosts.ts(uniqueName('ts'));
      serveKvs(ts);
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, store, [weather, fine], 5000)`)).toBe('true');
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [weather], 5000)`)).toBe('{ok,fine}');
      expect(await erl.eval(`rpc:call('${ts.name}', kvs, lookup, [rain], 5000)`)).toBe('undefined');
      // The registered process too: {kvs, Node} ! {self(), {lookup, K}}.
      expect(
        await erl.eval(`begin {kvs, '${ts.name}'} ! {self(), {lookup, weather}}, receive {kvs, R} -> R after 5000 -> timeout end end`),
      ).toBe('{ok,fine}');
    });

    it('the TS node on A calls into erl on B (rpc:call semantics)', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      const ts = await hosts.ts(uniqueName('ts'));
      const client = new ErlClient(ts);
      expect(await client.rpcCall(erl.name, 'erlang', 'node', [], { timeout: 5000 })).toBe(atom(erl.name));
      expect(await client.rpcCall(erl.name, 'lists', 'reverse', [[1, 2, 3]], { timeout: 5000 })).toEqual([3, 2, 1]);
      const badrpc = await client.rpcCall(erl.name, 'no_such_module', 'f', [], { timeout: 5000 });
      expect(badrpc instanceof Tuple && badrpc.get(0)).toBe(atom('badrpc'));
    });

    it('monitors and links across the hosts fire with the exit reason, both ways', async () => {
      const erl = await hosts.erl(uniqueName('erl'));
      const ts = await hosts.ts(uniqueName('ts'));
      // erl monitors and links a TS process (whose pid it is sent), which then exits with a reason of its own.
      await erl.eval(`begin process_flag(trap_exit, true), register(evaluator, self()) end`);
      const watched = ts.spawn();
      watched.send(['evaluator', erl.name], tuple(atom('hello'), watched.pid));
      expect(await erl.eval(`receive {hello, P} -> link(P), put(m, monitor(process, P)), node(P) after 5000 -> timeout end`)).toBe(
        `'${ts.name}'`,
      );
      // The link and monitor signals travel over the connection, the eval's answer over stdin.
      await waitFor('the link and monitor from erl to arrive', () => watched.links.size === 1 && watched.monitoredBy.size === 1, 5000);
      watched.exit(atom('gone'));
      expect(await erl.eval(`begin M = get(m), receive {'DOWN', M, process, _, Why} -> Why after 5000 -> timeout end end`)).toBe('gone');
      expect(await erl.eval(`receive {'EXIT', _, Why} -> Why after 5000 -> timeout end`)).toBe('gone');

      // A TS process monitors and links an erl process, which exits.
      await erl.eval(`register(target, spawn(fun() -> receive stop -> exit(stopped) end end))`);
      const watcher = ts.spawn(undefined, { trapExit: true });
      const ref = watcher.monitor(['target', erl.name]);
      const targetPid = await new ErlClient(ts).rpcCall(erl.name, 'erlang', 'whereis', [atom('target')], { timeout: 5000 });
      expect(targetPid).toBeInstanceOf(Pid);
      watcher.link(targetPid as Pid);
      await waitFor(
        'the link and monitor from the TS process to arrive',
        async () =>
          (await erl.eval(
            `{length(element(2, process_info(whereis(target), links))), length(element(2, process_info(whereis(target), monitored_by)))}`,
          )) === '{1,1}',
        5000,
      );
      await erl.eval(`target ! stop`);
      const down = await watcher.receive((m) => (m instanceof Tuple && m.get(0) === atom('DOWN') ? m : undefined), { timeout: 5000 });
      // A monitor by name reports the name, as erl's does.
      expect(down).toEqual(tuple(atom('DOWN'), ref, atom('process'), tuple(atom('target'), atom(erl.name)), atom('stopped')));
      const exit = await watcher.receive((m) => (m instanceof Tuple && m.get(0) === atom('EXIT') ? m : undefined), { timeout: 5000 });
      expect(exit).toEqual(tuple(atom('EXIT'), targetPid as Pid, atom('stopped')));
    });
  });
});
