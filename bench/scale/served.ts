/**
 * What the erlbridge node of `npm run bench -- scale` serves besides kvs, as module scale_bench
 * (`erlbridge node --serve scale_bench=<this file, compiled>`), the same functions as
 * bench/scale/scale_bench.erl on the erl node. It imports nothing at run time, so serving it adds
 * no code to the node measured.
 */
import type { CallContext } from '../../src/rpc/call-context';

/** A process parked in receive until any message comes (spawned by `spawn(N, scale_bench, park, [])`). */
export async function park(this: CallContext): Promise<void> {
  await this.self.receive();
}

/** Returns at once: the process spawned for it exits normal. */
export function noop(): void {}

/** A full collection (the node runs with --expose-gc), so that memory measured after a load is what is kept. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** `[Rss, HeapTotal, HeapUsed, External, ArrayBuffers]` in bytes, from `process.memoryUsage()`. */
export function memory(): number[] {
  const m = process.memoryUsage();
  return [m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers];
}
