/**
 * TypeScript calling into Erlang: `rpc` (erpc), `rpcCall` (what `rpc:call` returns), gen_server
 * `call`/`cast`, `send`, remote `spawn`, all Promise-based with a `timeout` and an AbortSignal.
 *
 * Every operation that waits for an answer runs in a short-lived process of its own, so concurrent
 * operations never see each other's replies, and that process exits when the operation settles
 * (which also drops its monitors and aliases); erpc calls to other nodes need none: the node
 * routes their answers by request id ({@link ErpcCalls}).
 *
 * ```ts
 * const erl = new ErlClient(node);
 * await erl.rpc('bilbo@host', 'kvs', 'lookup', [atom('weather')], { timeout: 5000 }); // {ok, fine}
 * await erl.call(['echo_gs', 'bilbo@host'], atom('ping'));                           // gen_server:call
 * ```
 */
import { Atom, atom, Pid, Reference, Term, Tuple, tuple } from '../../codec';
import { genCall } from '../gen/call';
import { downReasonOf } from '../process/down';
import { Deadline, ErlTimeoutError, WaitOptions } from '../process/deadline';
import { caught, raise } from '../process/outcome';
import { Destination, ErlProcess } from '../process/process';
import { applyRegistered, sendable } from './apply';
import { rpcify, rpcValue } from './erpc';
import type { ErpcCalls } from './erpc-calls';
import { ModuleRegistry } from './modules';
import { RemoteSpawns, spawnAndWait } from './remote-spawn';
import { BADRPC, CALL, EXIT_TAG, GEN_CAST, NOCONNECTION, NODEDOWN, REX, TIMEOUT } from '../process/atoms';

/** Options of every waiting operation: `timeout` (ms) and `signal`. */
export type CallOptions = WaitOptions;

/** Options of {@link ErlClient.rpc} and {@link ErlClient.rpcCall}. */
export interface RpcOptions extends CallOptions {
  /**
   * Ask the node's `rex` server (`{rex, Node} ! {self(), {call, M, F, A, GL}}`, answered with
   * `{rex, Result}`) instead of erpc. rex has no exception classes: the result is what old
   * `rpc:call` returned, the value or `{badrpc, Reason}`, and it always resolves.
   */
  rex?: boolean;
  /** The group leader of the remote call (where its output goes). Default: this node's, which prints. */
  groupLeader?: Pid;
}

/** Options of {@link ErlClient.spawn}. */
export interface RemoteSpawnOptions extends CallOptions {
  /**
   * The process the spawn is made as: it gets the link (and, for `spawnMonitor`, the DOWN
   * message). Required for `link`. Do not run a receive-anything loop in it while spawning.
   */
  from?: ErlProcess;
  /** `spawn_link`: link the new process to `from`. */
  link?: boolean;
}

/** What the client needs of the node it calls from (an `ErlNode` is one). */
export interface RpcHost {
  readonly name: string;
  /** The modules this node serves: a call to the node itself runs them here. */
  readonly modules: ModuleRegistry;
  /** The group leader remote calls get by default. */
  readonly groupLeader: ErlProcess;
  /** @internal */
  readonly remoteSpawns: RemoteSpawns;
  /** @internal */
  readonly erpcCalls: ErpcCalls;
  /** A new process of the node, running nothing. */
  spawn(): ErlProcess;
  makeRef(): Reference;
  send(to: Destination, message: Term): void;
  ping(node: string, options?: CallOptions): Promise<'pong' | 'pang'>;
}

function nameOf(a: string | Atom): string {
  return typeof a === 'string' ? a : a.name;
}

/** The options of a call given none: one object, not one per call. */
const NO_OPTIONS: RpcOptions = Object.freeze({});

function atomOf(a: string | Atom): Atom {
  return typeof a === 'string' ? atom(a) : a;
}

/** Calls from this node into other nodes (and into its own processes). */
export class ErlClient {
  constructor(readonly node: RpcHost) {}

  /** Run `body` in a fresh process that exits afterwards, whatever happens. */
  private async withProcess<T>(body: (proc: ErlProcess) => Promise<T>): Promise<T> {
    const proc = this.node.spawn();
    try {
      return await body(proc);
    } finally {
      proc.exit();
    }
  }

  /**
   * `erpc:call(Node, M, F, Args)`: resolves with the value; rejects with `ErlangThrow`,
   * `ErlangExit` (reason as the remote exited), `RemoteError` (error with its stacktrace),
   * `ErpcError` (`noconnection`, `notsup`, ...), `ErlTimeoutError`, or `signal.reason`.
   */
  rpc(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RpcOptions = NO_OPTIONS): Promise<Term> {
    const nodeName = nameOf(node);
    if (nodeName === this.node.name || options.rex) {
      const call = { node: nodeName, module: atomOf(module), function: atomOf(fn), args };
      try {
        return nodeName === this.node.name ? this.localCall(call, options) : this.rexCall(call, options);
      } catch (err) {
        // A bad timeout: a rejection, as every failure of rpc is.
        return Promise.reject(err);
      }
    }
    const groupLeader = options.groupLeader ?? this.node.groupLeader.pid;
    return this.node.erpcCalls.call(nodeName, atomOf(module), atomOf(fn), args, groupLeader, options);
  }

  /**
   * `rpc:call(Node, M, F, Args)`: never rejects for what happened remotely; failures are
   * `{badrpc, Reason}` results, as in Erlang (`{badrpc, nodedown}`, `{badrpc, timeout}`,
   * `{badrpc, {'EXIT', {Reason, Stack}}}`, ...). Rejects only with `signal.reason` or for erpc's
   * `badarg` (an `ErlangError`, as rpc:call raises it).
   */
  async rpcCall(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RpcOptions = {}): Promise<Term> {
    try {
      const value = await this.rpc(node, module, fn, args, options);
      return options.rex ? value : rpcValue(value);
    } catch (err) {
      if (options.signal?.aborted && err === options.signal.reason) throw err;
      return rpcify(err);
    }
  }

  /** `erpc:call(node(), ...)`: this node's own registry, in a process of its own, with the same outcomes. */
  private localCall(call: { module: Atom; function: Atom; args: Term[] }, options: RpcOptions): Promise<Term> {
    const deadline = new Deadline('rpc', options);
    return this.withProcess(async (proc) => {
      const groupLeader = options.groupLeader ?? this.node.groupLeader.pid;
      proc.groupLeader = groupLeader;
      const applied = await deadline.race(
        applyRegistered(this.node.modules, call.module, call.function, call.args, { self: proc, groupLeader }),
      );
      // Nothing is sent, but the outcome is the one a caller on another node would get: a result
      // with no encoding is an error of the call.
      const site = { module: call.module, function: call.function, arity: call.args.length };
      const { outcome } = sendable(applied, site, caught);
      return options.rex ? rpcValue(caught(outcome)) : raise(outcome);
    });
  }

  private rexCall(call: { node: string; module: Atom; function: Atom; args: Term[] }, options: RpcOptions): Promise<Term> {
    const deadline = new Deadline('rpc', options);
    return this.withProcess(async (proc) => {
      // A monitor on rex turns a lost node into an answer instead of a hang.
      const mref = proc.monitor([REX, call.node]);
      proc.send(
        [REX, call.node],
        tuple(proc.pid, tuple(CALL, call.module, call.function, call.args, options.groupLeader ?? this.node.groupLeader.pid)),
      );
      try {
        return await deadline.receive(proc, (m) => {
          if (m instanceof Tuple && m.length === 2 && m.get(0) === REX) return m.get(1);
          const down = downReasonOf(m, mref);
          if (down !== undefined) return tuple(BADRPC, down === NOCONNECTION ? NODEDOWN : tuple(EXIT_TAG, down));
          return undefined;
        });
      } catch (err) {
        if (err instanceof ErlTimeoutError) return tuple(BADRPC, TIMEOUT);
        throw err;
      }
    });
  }

  /**
   * `gen_server:call(Dest, Request, Timeout)`: resolves with the reply. Rejects with
   * `GenCallError` (`noproc`, `{nodedown, Node}`, the server's exit reason), `ErlTimeoutError`
   * (default timeout 5000 ms, as gen_server), or `signal.reason`.
   */
  call(dest: Destination, request: Term, options: CallOptions = {}): Promise<Term> {
    return this.withProcess((proc) => genCall(proc, dest, request, options));
  }

  /** `gen_server:cast(Dest, Request)`: sends `{'$gen_cast', Request}`; never fails (like cast). */
  cast(dest: Destination, request: Term): void {
    this.send(dest, tuple(GEN_CAST, request));
  }

  /** `Dest ! Message` from the node, connecting when needed. A local name nobody has is dropped. */
  send(dest: Destination, message: Term): void {
    try {
      this.node.send(dest, message);
    } catch {
      // Sending to an unregistered local name is badarg in Erlang; cast semantics: ignore.
    }
  }

  /**
   * `spawn(Node, M, F, Args)` (or `spawn_link` with `link`): resolves with the new pid once the
   * node answered. Rejects with `SpawnError` (`noconnection`, `notsup`, `badopt`, ...),
   * `ErlTimeoutError` or `signal.reason`. An unknown function still gives a pid: it exits with
   * `undef`, as in Erlang.
   */
  async spawn(node: string | Atom, module: string | Atom, fn: string | Atom, args: Term[], options: RemoteSpawnOptions = {}): Promise<Pid> {
    return (await this.spawnAs({ node, module, fn, args, keepMonitor: false }, options)).pid;
  }

  /**
   * `spawn_monitor(Node, M, F, Args)`: the DOWN message `{'DOWN', Ref, process, Pid, Reason}`
   * goes to `options.from`, which is required.
   */
  spawnMonitor(
    node: string | Atom,
    module: string | Atom,
    fn: string | Atom,
    args: Term[],
    options: RemoteSpawnOptions & { from: ErlProcess },
  ): Promise<{ pid: Pid; ref: Reference }> {
    return this.spawnAs({ node, module, fn, args, keepMonitor: true }, options);
  }

  private spawnAs(
    spawn: { node: string | Atom; module: string | Atom; fn: string | Atom; args: Term[]; keepMonitor: boolean },
    options: RemoteSpawnOptions,
  ): Promise<{ pid: Pid; ref: Reference }> {
    const { node, module, fn, args, keepMonitor } = spawn;
    if ((options.link || keepMonitor) && !options.from) {
      return Promise.reject(new TypeError('spawn: link and monitor need the process they belong to (options.from)'));
    }
    const request = { node: nameOf(node), module: nameOf(module), function: nameOf(fn), args, link: options.link === true, keepMonitor };
    const run = (proc: ErlProcess) => spawnAndWait(this.node.remoteSpawns, proc, request, options);
    return options.from ? run(options.from) : this.withProcess(run);
  }

  /** `net_adm:ping(Node)`. */
  ping(node: string | Atom, options?: CallOptions): Promise<'pong' | 'pang'> {
    return this.node.ping(nameOf(node), options);
  }
}
