/**
 * Waiting with a timeout (ms) and an AbortSignal, written once: a mailbox receive and every
 * operation that spans several receives (an rpc, a gen call, a remote spawn) use it.
 */
import type { Term } from '../../codec';

/** How long to wait and how to give up, spelled the same by every waiting operation. */
export interface WaitOptions {
  /** Milliseconds; `Infinity` or missing waits forever. */
  timeout?: number;
  /** Abandon the wait: it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A receive that got no matching message in time. */
export class ReceiveTimeoutError extends Error {
  readonly code = 'timeout';

  constructor(readonly timeoutMs: number) {
    super(`no matching message within ${timeoutMs} ms`);
    this.name = 'ReceiveTimeoutError';
  }
}

/** What receives: a process, or its mailbox. */
interface Receiver {
  receive<T>(match: (m: Term) => T | undefined, options: WaitOptions): Promise<T>;
}

/** An operation got no answer in time. It was abandoned (its monitor dropped, its process ended). */
export class ErlTimeoutError extends Error {
  readonly code = 'timeout';

  constructor(
    /** `rpc`, `call`, `spawn`, `ping`, ... */
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer within ${timeoutMs} ms`);
    this.name = 'ErlTimeoutError';
  }
}

/**
 * A promise settled by `start` (which returns its clean-up), or rejected by `onTimeout()` after
 * `timeout` ms, or with `signal.reason` on abort; the clean-up runs whichever comes first.
 */
export function within<T>(
  { timeout, signal }: WaitOptions,
  onTimeout: () => Error,
  start: (resolve: (value: T) => void, reject: (err: unknown) => void) => (() => void) | void,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // What start returns, once it has: finish can run inside start, before then.
    const started: { cleanUp: (() => void) | void } = { cleanUp: undefined };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      started.cleanUp?.();
      settle();
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new Error('aborted')));
    const timer = timeout === undefined || timeout === Infinity ? undefined : setTimeout(() => finish(() => reject(onTimeout())), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    started.cleanUp = start(
      (value) => finish(() => resolve(value)),
      (err) => finish(() => reject(err)),
    );
    if (settled) started.cleanUp?.();
  });
}

/** One deadline shared by the waits of one operation; running out is {@link ErlTimeoutError}. */
export class Deadline {
  private readonly end: number;

  constructor(
    readonly operation: string,
    private readonly options: WaitOptions,
  ) {
    const ms = options.timeout;
    if (ms !== undefined && !(ms >= 0)) throw new RangeError(`${operation}: timeout must be a non-negative number of ms, got ${ms}`);
    this.end = ms === undefined || ms === Infinity ? Infinity : Date.now() + ms;
  }

  private left(): number | undefined {
    return this.end === Infinity ? undefined : Math.max(0, this.end - Date.now());
  }

  /** What is left of the deadline, as options for the next wait of the operation. */
  remaining(): WaitOptions {
    return { timeout: this.left() ?? Infinity, signal: this.options.signal };
  }

  private expired(): ErlTimeoutError {
    return new ErlTimeoutError(this.operation, this.options.timeout as number);
  }

  /** `work`, unless the deadline or the signal comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return within<T>(
      { timeout: this.left(), signal: this.options.signal },
      () => this.expired(),
      (resolve, reject) => {
        work.then(resolve, reject);
      },
    );
  }

  /** `proc.receive(match)` until the deadline. */
  async receive<T>(proc: Receiver, match: (m: Term) => T | undefined): Promise<T> {
    try {
      return await proc.receive(match, { timeout: this.left(), signal: this.options.signal });
    } catch (err) {
      if (err instanceof ReceiveTimeoutError) throw this.expired();
      throw err;
    }
  }
}
