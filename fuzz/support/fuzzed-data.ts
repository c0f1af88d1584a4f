/**
 * Reads choices out of a fuzz input, as libFuzzer's FuzzedDataProvider does: every decision a
 * target makes (which operation, which element kind, where to split) comes from the input, so
 * the engine's mutations steer them. Past the end every read gives 0.
 */
export class FuzzedData {
  private at = 0;

  constructor(private readonly input: Buffer) {}

  get remaining(): number {
    return this.input.length - this.at;
  }

  byte(): number {
    return this.at < this.input.length ? this.input[this.at++] : 0;
  }

  u16(): number {
    return (this.byte() << 8) | this.byte();
  }

  u32(): number {
    return ((this.u16() << 16) | this.u16()) >>> 0;
  }

  bool(): boolean {
    return (this.byte() & 1) === 1;
  }

  /** An integer in 0..n-1. */
  below(n: number): number {
    return n <= 256 ? this.byte() % n : this.u32() % n;
  }

  pick<T>(options: readonly T[]): T {
    return options[this.below(options.length)];
  }

  /** The next `n` bytes (fewer at the end). */
  bytes(n: number): Buffer {
    const out = this.input.subarray(this.at, this.at + n);
    this.at += out.length;
    return out;
  }

  /** Everything not read yet. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}

/**
 * `stream` cut into the chunks a socket might deliver: `cuts` (bytes of the input) each choose
 * where the next cut goes, so the same stream arrives in input-chosen pieces.
 */
export function chunksOf(stream: Buffer, cuts: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const cut of cuts) {
    if (at >= stream.length) break;
    const size = 1 + Math.floor((cut / 256) * (stream.length - at));
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  if (at < stream.length) chunks.push(stream.subarray(at));
  return chunks;
}
