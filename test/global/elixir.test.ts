/**
 * Elixir's `:global` with the TypeScript node (host only: the host's elixir runs on OTP 25): an
 * Elixir node connects, `:global.sync()` returns, it sees a name the TypeScript node registered
 * and registers one the TypeScript node sees, and `GenServer.call({:global, name}, ...)` reaches a
 * TypeScript gen_server.
 */
import { atom, isRecord, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { From, GenServer, startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { describeElixir, startElixir } from '../support/elixir';
import { uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';

class Counter implements GenServer {
  private n = 0;
  handleCall(request: Term, _from: From) {
    if (isRecord(request, 'add', 2)) this.n += request.get(1) as number;
    return tuple(atom('total'), this.n);
  }
}

describeElixir('Elixir :global and the TypeScript node', () => {
  let epmd: EpmdServer;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    ts = await ErlNode.start({ name: uniqueName('exts'), cookie, epmdPort: epmd.port, log: () => undefined });
  });
  afterAll(async () => {
    await ts?.stop();
    await epmd?.close();
  });

  it('sync, names both ways, and GenServer.call({:global, name}) to a TypeScript gen_server', async () => {
    const counter = await startGenServer(ts, new Counter());
    expect(await ts.global.registerName('ts_counter', counter.pid)).toBe('yes');
    const code = `
      true = Node.connect(:"${ts.name}")
      :ok = :global.sync()
      IO.puts("whereis #{node(:global.whereis_name(:ts_counter))}")
      IO.puts("call #{inspect(GenServer.call({:global, :ts_counter}, {:add, 5}, 5000))}")
      pid = spawn(fn -> receive do :stop -> :ok end end)
      IO.puts("register #{:global.register_name(:ex_name, pid)}")
      receive do after 4000 -> :ok end
    `;
    const ex = startElixir({ sname: uniqueName('ex'), cookie, epmdPort: epmd.port, code, killAfterMs: 25000 });
    try {
      await waitFor('elixir registered ex_name', () => ex.output().includes('register yes'), 20000).catch((e: Error) => {
        throw new Error(`${e.message}; elixir said:\n${ex.output()}`);
      });
      expect(ex.output()).toContain(`whereis ${ts.name}`);
      expect(ex.output()).toContain('call {:total, 5}');
      await waitFor('TS sees ex_name', () => ts.global.whereisName('ex_name') !== undefined);
      expect(ts.global.whereisName('ex_name')?.node.name).toMatch(/^ex/);
      await ex.exited;
      await waitFor('ex_name gone with its node', () => ts.global.whereisName('ex_name') === undefined);
    } finally {
      ex.stop();
    }
  }, 40000);
});
