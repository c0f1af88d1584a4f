/**
 * Elixir (host only: the host's elixir runs on its OTP 25) and the TypeScript node: `:rpc.call`
 * into the TypeScript kvs, `GenServer.call`/`cast` to a TypeScript GenServer (with a delayed reply
 * and noproc), `send` to the registered kvs process, and TypeScript calling a GenServer written in
 * Elixir while the Elixir script waits on an rpc into TypeScript.
 */
import { spawn } from 'child_process';
import { Atom, atom, isRecord, Term, tuple } from '../../codec';
import { EpmdServer } from '../../handshake';
import { From, GenServer, NOREPLY, reply, startGenServer } from '../../src/gen/server';
import { serveKvs } from '../../src/kvs/kvs';
import { ErlNode } from '../../src/node/node';
import { ErlClient } from '../../src/rpc/client';
import { describeElixir } from '../support/elixir';
import { uniqueName } from '../support/otp';

/** Run an Elixir script as a distributed node; resolves with its stdout. Killed by pid after `timeoutMs`. */
function runElixir(
  sname: string,
  cookie: string,
  epmdPort: number,
  code: string,
  timeoutMs = 20000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('elixir', ['--sname', sname, '--cookie', cookie, '--erl', '-start_epmd false', '-e', code], {
      env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ code: status, stdout, stderr });
    });
  });
}

class Greeter implements GenServer {
  readonly casts: Term[] = [];
  handleCall(request: Term, from: From) {
    if (isRecord(request, 'greet', 2)) return tuple(atom('hello'), request.get(1));
    if (isRecord(request, 'later', 3)) {
      setTimeout(() => reply(from, request.get(2)), request.get(1) as number);
      return NOREPLY;
    }
    if (request === atom('casts')) return [...this.casts];
    return atom('what');
  }
  handleCast(request: Term): void {
    this.casts.push(request);
  }
}

describeElixir('Elixir and the TypeScript node (host OTP)', () => {
  let epmd: EpmdServer;
  let ts: ErlNode;
  const cookie = uniqueName('cookie');

  beforeAll(async () => {
    epmd = await EpmdServer.start({ port: 0 });
    ts = await ErlNode.start({ name: uniqueName('ts'), cookie, epmdPort: epmd.port, log: () => undefined });
    serveKvs(ts);
    await startGenServer(ts, new Greeter(), { name: 'greeter' });
    const client = new ErlClient(ts);
    // Elixir asks us to call its GenServer back while it waits for this rpc's answer.
    ts.modules.registerModule('probe', {
      call_back: (exNode: Term) => client.call(['ex_echo', (exNode as Atom).name], tuple(atom('ping'), 41)),
      cast_back: (exNode: Term) => {
        client.cast(['ex_echo', (exNode as Atom).name], atom('poke'));
        return atom('ok');
      },
    });
  });

  afterAll(async () => {
    await ts?.stop();
    await epmd?.close();
  });

  it(':rpc.call, send, GenServer.call/cast both ways', async () => {
    const script = `
      ts = :"${ts.name}"
      defmodule ExEcho do
        use GenServer
        def init(_), do: {:ok, []}
        def handle_call({:ping, n}, _from, pokes), do: {:reply, {:pong, n + 1, pokes}, pokes}
        def handle_cast(:poke, pokes), do: {:noreply, [:poke | pokes]}
      end
      {:ok, _} = GenServer.start(ExEcho, [], name: :ex_echo)
      IO.inspect(:rpc.call(ts, :kvs, :store, [:weather, :fine]), label: "store")
      IO.inspect(:rpc.call(ts, :kvs, :lookup, [:weather]), label: "lookup")
      IO.inspect(:rpc.call(ts, :kvs, :nosuchfun, []), label: "undef")
      send({:kvs, ts}, {self(), {:lookup, :weather}})
      receive do
        {:kvs, r} -> IO.inspect(r, label: "send")
      after 5000 -> IO.puts("send: timeout")
      end
      IO.inspect(GenServer.call({:greeter, ts}, {:greet, "elixir"}), label: "call")
      IO.inspect(GenServer.call({:greeter, ts}, {:later, 200, :late}), label: "later")
      :ok = GenServer.cast({:greeter, ts}, {:note, 1})
      IO.inspect(GenServer.call({:greeter, ts}, :casts), label: "casts")
      IO.inspect((try do GenServer.call({:nobody, ts}, :x) catch :exit, {why, _} -> why end), label: "noproc")
      IO.inspect(:rpc.call(ts, :probe, :cast_back, [node()]), label: "cast_back")
      IO.inspect(:rpc.call(ts, :probe, :call_back, [node()]), label: "call_back")
    `;
    const out = await runElixir(uniqueName('ex'), cookie, epmd.port, script);
    // stderr is shown on failure only: a loaded machine may make the VM warn about nothing we test.
    expect({ code: out.code, stderr: out.code === 0 ? '' : out.stderr }).toEqual({ code: 0, stderr: '' });
    expect(out.stdout.trim().split('\n')).toEqual([
      'store: true',
      'lookup: {:ok, :fine}',
      'undef: {:badrpc, {:EXIT, {:undef, [{:kvs, :nosuchfun, [], []}]}}}',
      'send: {:ok, :fine}',
      'call: {:hello, "elixir"}',
      'later: :late',
      'casts: [note: 1]',
      'noproc: :noproc',
      'cast_back: :ok',
      'call_back: {:pong, 42, [:poke]}',
    ]);
  });
});
