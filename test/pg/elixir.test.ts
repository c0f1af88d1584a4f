/**
 * Elixir's `:pg` with the TypeScript node (host only: the host's elixir runs on OTP 25): an
 * Elixir node starts the default scope, sees a TypeScript member, joins one of its own that the
 * TypeScript node sees, and its members vanish from TypeScript when it stops.
 */
import { atom } from '../../codec';
import { EpmdServer } from '../../handshake';
import { ErlNode } from '../../src/node/node';
import { describeElixir, startElixir } from '../support/elixir';
import { uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';

describeElixir('Elixir :pg and the TypeScript node', () => {
  let epmd: EpmdServer;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    ts = await ErlNode.start({ name: uniqueName('expg'), cookie, epmdPort: epmd.port, log: () => undefined });
  });
  afterAll(async () => {
    await ts?.stop();
    await epmd?.close();
  });

  it(':pg.get_members sees a TypeScript member, and a member Elixir joins is seen in TypeScript', async () => {
    const member = ts.spawn();
    ts.pg.join(atom('Elixir.Workers'), member);
    const code = `
      {:ok, _} = :pg.start(:pg)
      true = Node.connect(:"${ts.name}")
      wait = fn wait, n ->
        case Enum.map(:pg.get_members(Workers), &node/1) do
          [] when n > 0 -> Process.sleep(50); wait.(wait, n - 1)
          nodes -> nodes
        end
      end
      IO.puts("members #{inspect(wait.(wait, 100))}")
      pid = spawn(fn -> receive do :stop -> :ok end end)
      :ok = :pg.join(Workers, pid)
      IO.puts("joined")
      receive do after 3000 -> :ok end
    `;
    const ex = startElixir({ sname: uniqueName('expgx'), cookie, epmdPort: epmd.port, code, killAfterMs: 25000 });
    try {
      await waitFor('elixir joined', () => ex.output().includes('joined'), 20000).catch((e: Error) => {
        throw new Error(`${e.message}; elixir said:\n${ex.output()}`);
      });
      expect(ex.output()).toContain(`members [:${ts.name}]`);
      await waitFor('TS sees the Elixir member', () => ts.pg.getMembers(atom('Elixir.Workers')).length === 2);
      await ex.exited;
      await waitFor('the Elixir member goes with its node', () => ts.pg.getMembers(atom('Elixir.Workers')).length === 1);
      expect(ts.pg.getMembers(atom('Elixir.Workers'))).toEqual([member.pid]);
    } finally {
      ex.stop();
    }
  }, 40000);
});
