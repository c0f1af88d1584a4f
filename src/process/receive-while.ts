/**
 * The loop behind every "messages as they come" async iterator: a process's mailbox, a pg
 * subscription, a pubsub topic. A receive rejects once its process has ended (or the subscription
 * stopped), and that ends the iteration quietly rather than throwing into the `for await`.
 */
export async function* receiveWhile<T>(active: () => boolean, next: () => Promise<T>): AsyncGenerator<T> {
  while (active()) {
    try {
      yield await next();
    } catch {
      return;
    }
  }
}
