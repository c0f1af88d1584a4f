/**
 * A TypeScript subscriber of a topic, as a process in Phoenix's Registry is: the messages
 * broadcast to the topic arrive in a mailbox, exactly as sent (Phoenix.PubSub's `dispatch/3`).
 */
import { Term } from '../../codec';
import { WaitOptions } from '../process/deadline';
import { ErlProcess } from '../process/process';
import { receiveWhile } from '../process/receive-while';

/**
 * One subscription to one topic: `for await (const message of sub)` or `await sub.next({ timeout
 * })`, until {@link stop}. Made by {@link PhoenixPubSub.subscribe}.
 */
export class PubSubSubscription implements AsyncIterable<Term> {
  private stopped = false;

  /** @internal */
  constructor(
    /** The topic, as its text (UTF-8) or binary was given. */
    readonly topic: string | Buffer,
    /** The process the messages go to: the subscription's own, or the one given to `subscribe`. */
    readonly process: ErlProcess,
    private readonly owned: boolean,
    private readonly unsubscribe: (sub: PubSubSubscription) => void,
  ) {}

  /** True until {@link stop} (or the end of the process). */
  get active(): boolean {
    return !this.stopped && this.process.alive;
  }

  /** @internal Hand a broadcast message to the subscriber. */
  deliver(message: Term): void {
    if (this.active) this.process.deliver(message);
  }

  /**
   * The next message. Rejects with `ReceiveTimeoutError` after `timeout` ms, with the signal's
   * reason when aborted, and with `ProcessExitedError` once a subscription of its own process is
   * stopped. With a process given to `subscribe`, this takes that process's next message of any kind.
   */
  next(options?: WaitOptions): Promise<Term> {
    return this.process.receive(undefined, options);
  }

  /** The messages as they come, until {@link stop}. */
  [Symbol.asyncIterator](): AsyncGenerator<Term> {
    return receiveWhile(
      () => this.active,
      () => this.next(),
    );
  }

  /** `Phoenix.PubSub.unsubscribe` for this subscription: no more messages. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe(this);
    if (this.owned) this.process.exit();
  }
}
