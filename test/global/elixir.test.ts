/**
 * Elixir's `:global` with the TypeScript node (host only: the host's elixir runs on OTP 25): an
 * Elixir node connects, `:global.sync()` returns, it sees a name the TypeScript node registered
 * and registers one the TypeScript node sees, and `GenServer.call({:global, name}, ...)` reaches a
 * TypeScript gen_server.
 */
import { execFileSync, spawn } from 'child_process';
import { atom, isRecord, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { From, GenServer, startGenServer } from '../../src/gen/server';
import { ErlNode } from '../../src/node/node';
import { uniqueName } from '../support/otp';
import { waitFor } from '../support/otp-node-extra';

function hasElixir(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v elixir'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const run = hasElixir() || process.env.CI === 'true' ? describe : describe.skip;
if (!hasElixir() && process.env.CI !== 'true') process.stderr.write('!!! erlbridge: no elixir on PATH; Elixir :global tests SKIPPED\n');

class Counter implements GenServer {
  private n = 0;
  handleCall(request: Term, _from: From) {
    if (isRecord(request, 'add', 2)) this.n += request.get(1) as number;
    return tuple(atom('total'), this.n);
  }
}

run('Elixir :global and the TypeScript node', () => {
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
    const child = spawn('elixir', ['--sname', uniqueName('ex'), '--cookie', cookie, '--erl', '-start_epmd false', '-e', code], {
      env: { ...process.env, ERL_EPMD_PORT: String(epmd.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 25000);
    try {
      await waitFor('elixir registered ex_name', () => out.includes('register yes'), 20000).catch((e: Error) => {
        throw new Error(`${e.message}; elixir said:\n${out}`);
      });
      expect(out).toContain(`whereis ${ts.name}`);
      expect(out).toContain('call {:total, 5}');
      await waitFor('TS sees ex_name', () => ts.global.whereisName('ex_name') !== undefined);
      expect(ts.global.whereisName('ex_name')?.node.name).toMatch(/^ex/);
      await exited;
      await waitFor('ex_name gone with its node', () => ts.global.whereisName('ex_name') === undefined);
    } finally {
      clearTimeout(timer);
    }
  }, 40000);
});
