/**
 * The registry of built-in registered servers (src/node/builtins.ts), without erl: on its own, and
 * in two TypeScript nodes, where a REG_SEND, a local send and a MONITOR_P on a built-in name find
 * it. The same names answering real erl are in test/node/cluster.test.ts and test/rpc/*.
 */
import { atom, equals, Pid, Term, Tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { Builtins } from '../../src/node/builtins';

describe('Builtins', () => {
  it('delivers to the server of a name, says which names it has, and refuses a second server for a name', () => {
    const builtins = new Builtins();
    const got: Term[] = [];
    builtins.register('echo_server', (m) => got.push(m));
    expect(builtins.deliver(atom('echo_server'), 1)).toBe(true);
    expect(builtins.deliver(atom('nobody'), 2)).toBe(false);
    expect(got).toEqual([1]);
    expect(builtins.has(atom('echo_server'))).toBe(true);
    expect(builtins.names()).toEqual([atom('echo_server')]);
    expect(() => builtins.register(atom('echo_server'), () => undefined)).toThrow(/registered already/);
  });
});

describe('built-in servers of a node', () => {
  let epmd: EpmdServer;
  let a: ErlNode;
  let b: ErlNode;
  const cookie = `builtins-${process.pid}`;

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0, host: '127.0.0.1' });
    a = await ErlNode.start({ name: `bia${process.pid}`, cookie, epmdPort: epmd.port, log: () => undefined });
    b = await ErlNode.start({ name: `bib${process.pid}`, cookie, epmdPort: epmd.port, log: () => undefined });
  });

  afterAll(async () => {
    await a.stop();
    await b.stop();
    await epmd.close();
  });

  it('net_kernel and rex are built in; ping is net_kernel answering is_auth', async () => {
    expect(a.builtins.names()).toEqual(expect.arrayContaining([atom('net_kernel'), atom('rex')]));
    expect(a.whereis('net_kernel')).toBeUndefined(); // a built-in is no process of the program's
    expect(await b.ping(a.name, { timeout: 3000 })).toBe('pong');
  });

  it('a server the program registers gets sends from other nodes and local sends, with the sender', async () => {
    const got: Array<[Term, Pid | undefined]> = [];
    a.builtins.register('recorder', (m, from) => got.push([m, from]));
    const sender = b.spawn();
    sender.send(['recorder', a.name], atom('remote'));
    a.send('recorder', atom('local'));
    const until = Date.now() + 3000;
    while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(got.map(([m]) => m).sort()).toEqual([atom('local'), atom('remote')]);
    expect(got.find(([m]) => m === atom('remote'))?.[1]).toEqual(sender.pid);
    sender.exit();
  });

  it('a monitor on a built-in name never fires (it never exits); on a name nobody has it is noproc', async () => {
    const watcher = b.spawn();
    const onBuiltin = watcher.monitor(['net_kernel', a.name]);
    const onNobody = watcher.monitor(['nobody_at_all', a.name]);
    const down = await watcher.receive<Tuple>(undefined, { timeout: 3000 });
    expect(equals(down.get(1), onNobody)).toBe(true);
    expect(down.get(4)).toBe(atom('noproc'));
    await expect(watcher.receive(undefined, { timeout: 300 })).rejects.toThrow(/no matching message/);
    expect(equals(onBuiltin, onNobody)).toBe(false);
    watcher.exit();
  });
});
