/**
 * An Elixir node running the Phoenix.PubSub fixture (fixtures/phoenix_pubsub/pg2_adapter.exs),
 * driven from the test: it starts `MyApp.PubSub` with a pool size, connects to the TypeScript
 * node, registers `:ctl` and takes commands sent to `{ctl, Node}`, reporting back to a
 * TypeScript process registered on the TypeScript node. It halts on `halt`, after 45 s without
 * a command, and is killed (by pid) by {@link ElixirPeer.kill}.
 */
import * as path from 'path';
import { atom, Term, Tuple } from '../../codec';
import { ErlNode } from '../../src/node/node';
import { ErlProcess } from '../../src/process/process';
import { ElixirNode, startElixir } from '../support/elixir';
import { uniqueName } from '../support/otp';

const FIXTURE = path.join(__dirname, '../../fixtures/phoenix_pubsub/pg2_adapter.exs');

/** The control loop: every command answers to `report` (a registered name on the TypeScript node). */
function controlCode(tsNode: string, report: string, poolSize: number): string {
  return `
    ts = :"${tsNode}"
    report = {:${report}, ts}
    {:ok, groups} = PG2Fixture.start(MyApp.PubSub, ${poolSize})
    true = Node.connect(ts)
    Process.register(self(), :ctl)
    defmodule Ctl do
      def loop(report, pool) do
        receive do
          {:members, group} ->
            send(report, {:members, group, :pg.get_members(Phoenix.PubSub, group)})
          {:subscribe, topic} ->
            spawn(fn ->
              :ok = PG2Fixture.subscribe(MyApp.PubSub, topic)
              send(report, {:subscribed, topic})
              forward = fn f -> receive do m -> send(report, {:got, topic, m}); f.(f) end end
              forward.(forward)
            end)
          {:broadcast, topic, msg} ->
            :ok = PG2Fixture.broadcast(MyApp.PubSub, topic, msg)
            send(report, {:broadcasted, topic})
          {:broadcast_each_group, topic} ->
            for index <- 0..(pool - 1), do: Ctl.broadcast_from_group(index, pool, topic)
            send(report, {:broadcasted, topic})
          {:direct_broadcast, node, topic, msg} ->
            :ok = PG2Fixture.direct_broadcast(node, MyApp.PubSub, topic, msg)
            send(report, {:broadcasted, topic})
          {:raw, dest, msg} ->
            send(dest, msg)
            send(report, {:sent, dest})
          :halt ->
            System.halt(0)
        after
          45000 -> System.halt(1)
        end
        loop(report, pool)
      end

      # A broadcast from a process whose pid hashes to group index (phash2(self(), pool) == index).
      def broadcast_from_group(index, pool, topic) do
        parent = self()
        pid = spawn(fn ->
          receive do
            :go ->
              :ok = PG2Fixture.broadcast(MyApp.PubSub, topic, {:from_group, index})
              send(parent, {:done, self()})
          end
        end)
        if :erlang.phash2(pid, pool) == index do
          send(pid, :go)
          receive do {:done, ^pid} -> :ok after 5000 -> exit(:broadcast_timeout) end
        else
          Process.exit(pid, :kill)
          broadcast_from_group(index, pool, topic)
        end
      end
    end
    send(report, {:hello, node(), groups})
    Ctl.loop(report, ${poolSize})
  `;
}

export class ElixirPeer {
  private constructor(
    readonly name: string,
    private readonly elixir: ElixirNode,
    /** The TypeScript process the peer reports to. */
    readonly report: ErlProcess,
  ) {}

  /** Start an Elixir node with the fixture's `MyApp.PubSub` of `poolSize`, and wait for its hello. */
  static async start(ts: ErlNode, epmdPort: number, cookie: string, poolSize: number): Promise<ElixirPeer> {
    const reportName = uniqueName('phxreport');
    const report = ts.spawn(undefined, { name: reportName });
    const name = uniqueName('phxex');
    const elixir = startElixir({
      sname: name,
      cookie,
      epmdPort,
      requires: [FIXTURE],
      code: controlCode(ts.name, reportName, poolSize),
      killAfterMs: 60000,
    });
    const peer = new ElixirPeer(name, elixir, report);
    await peer.expect('hello', (m) => isTagged(m, 'hello'), 20000);
    return peer;
  }

  /** The Elixir node's full name (as it said hello). */
  get node(): string {
    return `${this.name}@${this.tsHost()}`;
  }

  private tsHost(): string {
    return this.report.pid.node.name.split('@')[1];
  }

  /** Send a command to the peer's control loop. */
  command(message: Term): void {
    this.report.send(['ctl', this.node], message);
  }

  /** The next report `match` accepts, within `timeoutMs`; the error names what the peer printed. */
  async expect<T>(what: string, match: (m: Term) => T | undefined, timeoutMs = 5000): Promise<T> {
    try {
      return await this.report.receive(match, { timeout: timeoutMs });
    } catch (err) {
      throw new Error(`no ${what} from elixir within ${timeoutMs} ms (${(err as Error).message}); it said:\n${this.elixir.output()}`, {
        cause: err,
      });
    }
  }

  /** Ask the peer for `pg:get_members('Elixir.Phoenix.PubSub', Group)`. */
  async members(group: string): Promise<Term[]> {
    const g = atom(group);
    this.command(new Tuple([atom('members'), g]));
    return this.expect(`members of ${group}`, (m) => (isTagged(m, 'members') && m.get(1) === g ? (m.get(2) as Term[]) : undefined));
  }

  /** What the peer printed so far. */
  get output(): string {
    return this.elixir.output();
  }

  /** Resolves when the Elixir process has exited. */
  get done(): Promise<unknown> {
    return this.elixir.exited;
  }

  /** Ask it to halt, and wait (it is killed after `timeoutMs`). */
  async halt(timeoutMs = 10000): Promise<void> {
    this.command(atom('halt'));
    const killer = setTimeout(() => this.kill(), timeoutMs);
    await this.elixir.exited;
    clearTimeout(killer);
    this.kill();
  }

  /** SIGKILL the child, by its pid only (if it still runs), and end the report process. */
  kill(): void {
    this.elixir.stop();
    this.report.exit();
  }
}

/** True for a tuple whose first element is the atom `tag`. */
export function isTagged(m: Term, tag: string): m is Tuple {
  return m instanceof Tuple && m.length > 0 && m.get(0) === atom(tag);
}
