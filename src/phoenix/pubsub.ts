/**
 * Phoenix.PubSub on a TypeScript node, speaking the PG2 adapter's wire format (phoenix_pubsub's
 * `lib/phoenix/pubsub/pg2.ex`): the node runs the pg scope `Phoenix.PubSub`, has one worker per
 * group of the pool, each registered under its group's name and joined to it, and exchanges
 * `{forward_to_local, Topic, Message, Dispatcher}` with the workers of the Elixir nodes.
 *
 * ```ts
 * const pubsub = await PhoenixPubSub.start(node, { name: 'MyApp.PubSub' });
 * const sub = pubsub.subscribe('room:lobby');            // Phoenix.PubSub.subscribe(MyApp.PubSub, "room:lobby")
 * for await (const message of sub) ...                    // what Elixir's broadcast sent
 * pubsub.broadcast('room:lobby', tuple(atom('hi'), 1));   // Phoenix.PubSub.broadcast(MyApp.PubSub, "room:lobby", {:hi, 1})
 * ```
 */
import { Atom, atom, briefTerm, Pid, Term } from '../../codec';
import { ErlNode } from '../node/node';
import { PgScopeMonitor } from '../pg/monitor';
import { ErlProcess } from '../process/process';
import { RateLimitedLog } from '../process/rate-limited-log';
import { forwardToLocal, readForwarded, Topic } from './messages';
import { adapterName, DEFAULT_DISPATCHER, elixirModule, isPoolGroup, poolGroups, PUBSUB_SCOPE } from './names';
import { Subscribers } from './subscribers';
import { PubSubSubscription } from './subscription';

/** Options of {@link PhoenixPubSub.start}. */
export interface PhoenixPubSubOptions {
  /**
   * The pubsub's name as the Elixir application has it, e.g. `'MyApp.PubSub'` (the `name:` of
   * `{Phoenix.PubSub, name: MyApp.PubSub}`); `'Elixir.'` is added when missing.
   */
  name: string | Atom;
  /** `pool_size`: the groups (and workers) of this node's pool. Default 1. */
  poolSize?: number;
  /**
   * `broadcast_pool_size`: how many of the pool's groups broadcasts pick from. Default
   * `poolSize`. Set it to the smallest pool size in the cluster while pool sizes differ: a
   * node with a smaller pool has no worker in the other groups, and misses what is sent there.
   */
  broadcastPoolSize?: number;
  /** Where ignored input is logged (rate-limited). Default: the node's log. */
  log?: (line: string) => void;
}

/** Options of a broadcast. */
export interface BroadcastOptions {
  /** The `Dispatcher` element. Default `'Elixir.Phoenix.PubSub'`; only use another when the message fits it. */
  dispatcher?: string | Atom;
}

/** Options of {@link PhoenixPubSub.subscribe}. */
export interface SubscribeOptions {
  /**
   * Deliver to this process's mailbox instead of a process of the subscription's own, as
   * `Phoenix.PubSub.subscribe/2` subscribes the caller. The subscription ends with the process.
   */
  process?: ErlProcess;
}

/** A Phoenix.PubSub server on a TypeScript node: see the module's documentation. */
export class PhoenixPubSub {
  /** The pubsub's atom, e.g. `'Elixir.MyApp.PubSub'`. */
  readonly name: Atom;
  /** `Module.concat(name, "Adapter")`: the pool's first group, e.g. `'Elixir.MyApp.PubSub.Adapter'`. */
  readonly adapterName: Atom;
  /** This node's own pool: `[Adapter, Adapter_2, ..., Adapter_N]`. */
  readonly poolGroups: readonly Atom[];
  private readonly broadcastGroups: readonly Atom[];
  private readonly workers = new Map<Atom, ErlProcess>();
  private readonly subscribers = new Subscribers();
  private readonly log: RateLimitedLog;
  private readonly monitor: PgScopeMonitor;
  private nextGroup = 0;
  private stopped = false;

  private constructor(
    /** The node it runs on. */
    readonly node: ErlNode,
    options: PhoenixPubSubOptions,
  ) {
    const poolSize = options.poolSize ?? 1;
    const broadcastPoolSize = options.broadcastPoolSize ?? poolSize;
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize must be a positive integer, not ${poolSize}`);
    if (!Number.isInteger(broadcastPoolSize) || broadcastPoolSize < 1 || broadcastPoolSize > poolSize) {
      throw new RangeError(`broadcastPoolSize must be an integer from 1 to poolSize (${poolSize}), not ${broadcastPoolSize}`);
    }
    this.name = elixirModule(options.name);
    this.adapterName = adapterName(this.name);
    this.poolGroups = poolGroups(this.adapterName, poolSize);
    this.broadcastGroups = this.poolGroups.slice(0, broadcastPoolSize);
    // The node's own log is private to it; pg's host is the node's log line.
    const sink = options.log ?? ((line: string) => node.pg.host.log(line));
    this.log = new RateLimitedLog(sink);
    node.pg.startScope(PUBSUB_SCOPE);
    this.monitor = node.pg.monitorScope(PUBSUB_SCOPE);
  }

  /**
   * Start the pubsub `options.name` on `node`: runs the pg scope `Phoenix.PubSub` (if it does
   * not run yet), starts a worker for each group of the pool, registered under the group's name
   * and joined to it, and from then on also joins any other group of the same pubsub's pool that
   * another node's members show up in (a node with a bigger pool). Throws `ErlangError(badarg)`
   * when a group's name is registered already (e.g. the pubsub runs on this node).
   */
  static async start(node: ErlNode, options: PhoenixPubSubOptions): Promise<PhoenixPubSub> {
    const pubsub = new PhoenixPubSub(node, options);
    try {
      for (const group of pubsub.poolGroups) pubsub.addWorker(group, true);
      for (const [group] of pubsub.monitor.groups) pubsub.poolGroupSeen(group);
    } catch (err) {
      pubsub.stop();
      throw err;
    }
    void pubsub.watch();
    return Promise.resolve(pubsub);
  }

  /** The groups this node has a worker in: its own pool, and the others' groups it joined. */
  joinedGroups(): Atom[] {
    return [...this.workers.keys()];
  }

  /** The workers' pids (one per joined group): what other nodes see as this node's members. */
  workerPids(): Pid[] {
    return [...this.workers.values()].map((w) => w.pid);
  }

  /** `pg:get_members('Elixir.Phoenix.PubSub', Group)`: every node's workers of `group` (default the adapter name). */
  members(group: Atom = this.adapterName): Pid[] {
    return this.node.pg.getMembers(group, PUBSUB_SCOPE);
  }

  /**
   * `Phoenix.PubSub.subscribe(pubsub, topic)`: the messages broadcast to `topic` from now on,
   * from any node, until the subscription's `stop()` (or {@link unsubscribe}).
   */
  subscribe(topic: Topic, options: SubscribeOptions = {}): PubSubSubscription {
    this.checkRunning();
    const owned = options.process === undefined;
    const proc = options.process ?? this.node.spawn();
    const sub = new PubSubSubscription(topic, proc, owned, (s) => this.subscribers.remove(s));
    this.subscribers.add(sub);
    if (!owned) void proc.done.then(() => sub.stop());
    return sub;
  }

  /** `Phoenix.PubSub.unsubscribe`: stop every subscription to `topic` made here; how many there were. */
  unsubscribe(topic: Topic): number {
    const subs = this.subscribers.of(topic);
    for (const sub of subs) sub.stop();
    return subs.length;
  }

  /**
   * `Phoenix.PubSub.broadcast(pubsub, topic, message)`: picks one group of the broadcast pool
   * (in turn), sends `{forward_to_local, Topic, Message, Dispatcher}` to every member of it on
   * another node (one worker per node), and delivers to this node's subscribers of `topic`.
   */
  broadcast(topic: Topic, message: Term, options: BroadcastOptions = {}): void {
    this.checkRunning();
    const forward = forwardToLocal(topic, message, this.dispatcher(options));
    const group = this.pickGroup();
    const sender = this.sender();
    for (const pid of this.members(group)) if (pid.node !== this.node.nameAtom) sender.send(pid, forward);
    this.subscribers.dispatch(topic, message);
  }

  /** `Phoenix.PubSub.local_broadcast`: to this node's subscribers of `topic` only; how many it reached. */
  localBroadcast(topic: Topic, message: Term): number {
    this.checkRunning();
    return this.subscribers.dispatch(topic, message);
  }

  /**
   * `Phoenix.PubSub.direct_broadcast(node, pubsub, topic, message)`: the 4-tuple to `{Group,
   * Node}`, the worker registered on `node` under a group of the broadcast pool, which
   * delivers it to that node's subscribers (this node's own, when `node` is this one).
   */
  directBroadcast(node: string | Atom, topic: Topic, message: Term, options: BroadcastOptions = {}): void {
    this.checkRunning();
    const target = typeof node === 'string' ? atom(node) : node;
    this.sender().send([this.pickGroup(), target], forwardToLocal(topic, message, this.dispatcher(options)));
  }

  /**
   * Stop: the workers end (so every node's scope drops them) and the subscriptions end. The pg
   * scope `Phoenix.PubSub` keeps running: other pubsubs of this node may use it
   * (`node.pg.stopScope('Elixir.Phoenix.PubSub')` stops it). Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.monitor.stop();
    for (const worker of this.workers.values()) worker.exit();
    this.workers.clear();
    for (const sub of this.subscribers.all()) sub.stop();
  }

  // ---- the workers ----------------------------------------------------------------------------

  /** Join the groups of this pubsub's pool that other nodes have, as they appear. */
  private async watch(): Promise<void> {
    for await (const event of this.monitor) {
      if (event.action === 'join') this.poolGroupSeen(event.group);
    }
  }

  private poolGroupSeen(group: Term): void {
    if (this.stopped || !isPoolGroup(this.adapterName, group) || this.workers.has(group)) return;
    this.addWorker(group, false);
  }

  /**
   * A worker for `group`: registered under the group's name (so `{Group, Node}` reaches it),
   * joined to the group in the scope, delivering each forward_to_local to the local subscribers.
   */
  private addWorker(group: Atom, own: boolean): void {
    let worker: ErlProcess;
    try {
      worker = this.node.spawn((self) => this.serve(self), { name: group.name });
    } catch (err) {
      if (own) throw err;
      // Someone else has the name: join without it (direct broadcasts to it go to that process).
      this.log.log(`phoenix pubsub ${this.name.name}: ${group.name} is registered already; its worker joins unregistered`);
      worker = this.node.spawn((self) => this.serve(self));
    }
    this.workers.set(group, worker);
    this.node.pg.join(group, worker, PUBSUB_SCOPE);
    // As the adapter's supervisor restarts a worker: one killed (an exit signal) is replaced.
    void worker.done.then((reason) => {
      if (this.stopped || this.workers.get(group) !== worker) return;
      this.workers.delete(group);
      this.log.log(`phoenix pubsub ${this.name.name}: the worker of ${group.name} ended (${briefTerm(reason)}); restarting it`);
      this.addWorker(group, false);
    });
  }

  private async serve(self: ErlProcess): Promise<void> {
    for await (const m of self) {
      try {
        const forwarded = readForwarded(m);
        if (forwarded.kind === 'malformed') {
          this.log.log(`phoenix pubsub ${this.name.name}: ignored ${forwarded.why}: ${briefTerm(m)}`);
          continue;
        }
        // Every dispatcher gets Phoenix.PubSub's dispatch (the message as it is): there is no Elixir code to run here.
        this.subscribers.dispatch(forwarded.topic, forwarded.message);
      } catch (err) {
        // A bug here must not end the worker.
        this.log.log(`phoenix pubsub ${this.name.name}: failed on ${briefTerm(m)}: ${(err as Error).message}`);
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The group a broadcast uses: the broadcast pool's groups in turn (Phoenix hashes the sender's pid). */
  private pickGroup(): Atom {
    const group = this.broadcastGroups[this.nextGroup];
    this.nextGroup = (this.nextGroup + 1) % this.broadcastGroups.length;
    return group;
  }

  /** Who sends: the first worker (a process of this pubsub, as the broadcaster is in Elixir). */
  private sender(): ErlProcess {
    const worker = this.workers.get(this.adapterName);
    if (worker === undefined) throw new Error('the pubsub has stopped');
    return worker;
  }

  private dispatcher(options: BroadcastOptions): Atom {
    const d = options.dispatcher;
    return d === undefined ? DEFAULT_DISPATCHER : typeof d === 'string' ? atom(d) : d;
  }

  private checkRunning(): void {
    if (this.stopped) throw new Error(`phoenix pubsub ${this.name.name} has stopped`);
  }
}
