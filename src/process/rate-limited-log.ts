/**
 * A log that a peer cannot flood: at most `burst` lines per window, then one line saying how many
 * were left out, written when the window ends. global and pg log what they ignore from the network
 * through one of these, the node its refused connections.
 */
export interface RateLimitedLogOptions {
  /** Lines let through per window. Default 10. */
  burst?: number;
  /** The window, ms. Default 60,000. */
  windowMs?: number;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export class RateLimitedLog {
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private written = 0;
  private suppressed = 0;
  /** Reports the lines left out when the window ends, should no line come after it. */
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: (line: string) => void,
    options: RateLimitedLogOptions = {},
  ) {
    this.burst = options.burst ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Write `line` unless this window's lines are used up. */
  log(line: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.reportLeftOut();
      this.windowStart = t;
      this.written = 0;
    }
    if (this.written < this.burst) {
      this.written++;
      this.sink(line);
      return;
    }
    this.suppressed++;
    if (this.reportTimer === undefined) {
      this.reportTimer = setTimeout(() => this.reportLeftOut(), this.windowStart + this.windowMs - t);
      this.reportTimer.unref();
    }
  }

  private reportLeftOut(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    if (this.suppressed > 0) this.sink(`(${this.suppressed} similar lines left out)`);
    this.suppressed = 0;
  }
}
