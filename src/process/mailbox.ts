/**
 * A process's message queue with selective receive: take the first message a pattern accepts,
 * waiting (with a timeout or an AbortSignal) until one arrives, as Erlang's `receive` does.
 */
import { Term } from '../../codec';
import { ReceiveTimeoutError, WaitOptions, within } from './deadline';

export { ReceiveTimeoutError };

/** The process ended while (or before) receiving. `reason` is its exit reason. */
export class ProcessExitedError extends Error {
  readonly code = 'exited';

  constructor(readonly reason: Term) {
    super('the process has exited');
    this.name = 'ProcessExitedError';
  }
}

/** `timeout` in ms (`0` takes only what is already queued, as `after 0`; default forever) and `signal`. */
export type ReceiveOptions = WaitOptions;

/** Accepts a message, optionally mapping it: return `undefined` to leave it in the queue. */
export type Matcher<T> = (message: Term) => T | undefined;

interface Waiter {
  match: Matcher<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

const ANY: Matcher<unknown> = (m) => m;
const NO_OPTIONS: ReceiveOptions = {};
const NO_WAITERS: readonly Waiter[] = [];

/** The waiter {@link capture} fills in: one executor for every receive, not a closure each. */
let capturing: Waiter | undefined;

function capture(resolve: (value: unknown) => void, reject: (err: Error) => void): void {
  const w = capturing as Waiter;
  w.resolve = resolve;
  w.reject = reject;
}

function ignore(): void {}

export class Mailbox {
  private readonly queue: Term[] = [];
  // Made by the first receive that waits, holding just that waiter: a process parked in receive
  // keeps one slot, not the 17 a push onto an empty array reserves.
  private waiters: Waiter[] | undefined;
  private closedWith: Term | undefined;
  private closed = false;

  /** Messages waiting. */
  get size(): number {
    return this.queue.length;
  }

  /** Add a message; the oldest waiting receive that matches takes it at once. True when it was queued instead. */
  deliver(message: Term): boolean {
    if (this.closed) return false;
    const waiters = this.waiters ?? NO_WAITERS;
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      const value = w.match(message);
      if (value !== undefined) {
        (waiters as Waiter[]).splice(i, 1);
        w.resolve(value);
        return false;
      }
    }
    this.queue.push(message);
    return true;
  }

  /** The first queued message `match` accepts (its mapped value), or the next one to arrive. */
  receive<T = Term>(match: Matcher<T> = ANY as Matcher<T>, options: ReceiveOptions = NO_OPTIONS): Promise<T> {
    if (this.closed) return Promise.reject(new ProcessExitedError(this.closedWith as Term));
    for (let i = 0; i < this.queue.length; i++) {
      const value = match(this.queue[i]);
      if (value !== undefined) {
        this.queue.splice(i, 1);
        return Promise.resolve(value);
      }
    }
    const { timeout, signal } = options;
    if (timeout === 0) return Promise.reject(new ReceiveTimeoutError(0));
    if ((timeout === undefined || timeout === Infinity) && signal === undefined) {
      // Waiting with no end (a server's loop): nothing to clean up but the waiter, which deliver and close remove.
      const waiter: Waiter = { match, resolve: ignore, reject: ignore };
      capturing = waiter;
      const received = new Promise<unknown>(capture) as Promise<T>;
      capturing = undefined;
      this.wait(waiter);
      return received;
    }
    return within<T>(
      options,
      () => new ReceiveTimeoutError(timeout as number),
      (resolve, reject) => {
        const waiter: Waiter = { match, resolve: resolve as (v: unknown) => void, reject };
        this.wait(waiter);
        return () => {
          const i = this.waiters?.indexOf(waiter) ?? -1;
          if (i >= 0) this.waiters?.splice(i, 1);
        };
      },
    );
  }

  /** Queue a receive that waits, after those already waiting. */
  private wait(waiter: Waiter): void {
    if (this.waiters === undefined) this.waiters = [waiter];
    else this.waiters.push(waiter);
  }

  /** End the mailbox: pending and later receives reject with {@link ProcessExitedError}. */
  close(reason: Term): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWith = reason;
    this.queue.length = 0;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const w of waiters) w.reject(new ProcessExitedError(reason));
  }
}
