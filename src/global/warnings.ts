/**
 * Warnings about what peers send, rate-limited: a peer that floods global with bad messages must
 * not flood the log too. At most `burst` lines per window; the rest are counted and summed up.
 */
export class Warnings {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly burst = 10,
    private readonly windowMs = 10_000,
  ) {}

  warn(line: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) this.log(`global: ${this.suppressed} more warnings suppressed`);
      this.windowStart = now;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (this.inWindow++ < this.burst) this.log(line);
    else this.suppressed++;
  }
}
