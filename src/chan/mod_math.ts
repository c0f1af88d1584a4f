/**
 * `mod_math`: `{factorial, N}` and `{fibonacci, N}`, exact (bigints beyond 2^53). Unlike the book,
 * N is bounded so one request cannot occupy the server for minutes: beyond the bound the reply is
 * `{error, {tooLarge, N}}`.
 */
import { Term, atom, isRecord, tuple } from '../../codec';
import type { ChanService } from './service';

/** The largest N accepted: 10000! has 35660 digits and takes milliseconds. */
export const MOD_MATH_MAX_N = 10000;

function asInteger(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** N! for N >= 0. */
export function factorial(n: number): number | bigint {
  let product = 1n;
  for (let i = 2n; i <= BigInt(n); i++) product *= i;
  return asInteger(product);
}

/** The Nth Fibonacci number, fib(0) = 0, fib(1) = 1. */
export function fibonacci(n: number): number | bigint {
  let [a, b] = [0n, 1n];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return asInteger(a);
}

function answer(message: Term): Term | undefined {
  for (const [name, fn] of [
    ['factorial', factorial],
    ['fibonacci', fibonacci],
  ] as const) {
    if (!isRecord(message, name, 2)) continue;
    const n = message.get(1);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return tuple(atom('error'), tuple(atom('badArg'), n));
    if (n > MOD_MATH_MAX_N) return tuple(atom('error'), tuple(atom('tooLarge'), n));
    return fn(n);
  }
  return undefined;
}

/** The math service. */
export const modMath: ChanService = {
  start(channel): void {
    channel.onMessage((message) => {
      const reply = answer(message);
      if (reply !== undefined) channel.send(reply);
    });
  },
};
