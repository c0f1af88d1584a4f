/**
 * `pg:monitor_scope/1` and `pg:monitor/2` for TypeScript: a subscription, read as events. Behind
 * it is a process of its own that the scope notifies exactly as it notifies an erl subscriber
 * (`{Ref, join | leave, Group, Pids}`), so a subscription ends with that process, as in pg.
 */
import { Pid, Reference, Term, Tuple } from '../../codec';
import { WaitOptions } from '../process/deadline';
import { ErlProcess, refKey } from '../process/process';
import { JOIN, LEAVE } from './atoms';
import { receiveWhile } from '../process/receive-while';

/** A change of a group's members, as a subscription reports it. */
export interface PgEvent {
  /** `join`: `pids` joined (once more each); `leave`: one join of each of `pids` ended. */
  action: 'join' | 'leave';
  group: Term;
  pids: Pid[];
}

/** What a subscription asks of its scope. @internal */
export interface Subscribed {
  ref: Reference;
  /** End the subscription (`pg:demonitor`). */
  unsubscribe(ref: Reference): void;
}

/** The event a notification message is, when it carries `key`'s reference. */
function eventOf(m: Term, key: string): PgEvent | undefined {
  if (!(m instanceof Tuple) || m.length !== 4) return undefined;
  const [ref, action, group, pids] = m.elements;
  if (!(ref instanceof Reference) || refKey(ref) !== key || !Array.isArray(pids)) return undefined;
  if (action !== JOIN && action !== LEAVE) return undefined;
  return { action: action === JOIN ? 'join' : 'leave', group, pids: pids as Pid[] };
}

/**
 * A subscription to a scope's or a group's changes: `for await (const e of sub)` or
 * `await sub.next({ timeout })`, until {@link stop}.
 */
export class PgSubscription implements AsyncIterable<PgEvent> {
  private readonly key: string;

  /** @internal */
  constructor(
    private readonly subscriber: ErlProcess,
    private readonly scope: Subscribed,
  ) {
    this.key = refKey(scope.ref);
  }

  /** The subscription's reference (what `pg:monitor` returns first). */
  get ref(): Reference {
    return this.scope.ref;
  }

  /** True until {@link stop}. */
  get active(): boolean {
    return this.subscriber.alive;
  }

  /**
   * The next change. Rejects with `ReceiveTimeoutError` after `timeout` ms, with the signal's
   * reason when aborted, and with `ProcessExitedError` once the subscription is stopped.
   */
  next(options?: WaitOptions): Promise<PgEvent> {
    return this.subscriber.receive((m) => eventOf(m, this.key), options);
  }

  /** The changes as they come, until {@link stop}. */
  [Symbol.asyncIterator](): AsyncGenerator<PgEvent> {
    return receiveWhile(
      () => this.active,
      () => this.next(),
    );
  }

  /** `pg:demonitor`: no more changes; a pending {@link next} rejects. Idempotent. */
  stop(): void {
    if (!this.active) return;
    this.scope.unsubscribe(this.scope.ref);
    this.subscriber.exit();
  }
}

/** `pg:monitor(Scope, Group)`: the group's members when it began, then its changes. */
export class PgGroupMonitor extends PgSubscription {
  /** @internal */
  constructor(
    subscriber: ErlProcess,
    scope: Subscribed,
    /** The group watched. */
    readonly group: Term,
    /** Its members when the subscription began. */
    readonly members: Pid[],
  ) {
    super(subscriber, scope);
  }
}

/** `pg:monitor_scope(Scope)`: every group with its members when it began, then every change. */
export class PgScopeMonitor extends PgSubscription {
  /** @internal */
  constructor(
    subscriber: ErlProcess,
    scope: Subscribed,
    /** Each group that had members when the subscription began, with them. */
    readonly groups: ReadonlyArray<readonly [group: Term, members: Pid[]]>,
  ) {
    super(subscriber, scope);
  }
}
