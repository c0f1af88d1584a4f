/**
 * The local subscribers by topic: what Phoenix keeps in its duplicate-key Registry. The topic
 * filter is applied here, on the receiving node, as Phoenix applies it in `local_broadcast`.
 */
import { Term } from '../../codec';
import { Topic, topicKey } from './messages';
import { PubSubSubscription } from './subscription';

export class Subscribers {
  private readonly byTopic = new Map<string, Set<PubSubSubscription>>();

  add(sub: PubSubSubscription): void {
    const key = topicKey(sub.topic);
    const subs = this.byTopic.get(key) ?? new Set<PubSubSubscription>();
    subs.add(sub);
    this.byTopic.set(key, subs);
  }

  remove(sub: PubSubSubscription): void {
    const key = topicKey(sub.topic);
    const subs = this.byTopic.get(key);
    subs?.delete(sub);
    if (subs?.size === 0) this.byTopic.delete(key);
  }

  /** The subscriptions of `topic` now. */
  of(topic: Topic): PubSubSubscription[] {
    return [...(this.byTopic.get(topicKey(topic)) ?? [])];
  }

  /** Every subscription. */
  all(): PubSubSubscription[] {
    return [...this.byTopic.values()].flatMap((subs) => [...subs]);
  }

  /** Give `message` to each subscriber of `topic`; the number it reached. */
  dispatch(topic: Topic, message: Term): number {
    const subs = this.of(topic);
    for (const sub of subs) sub.deliver(message);
    return subs.length;
  }
}
