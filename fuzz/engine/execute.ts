/**
 * Run one input through a target and say how it went. A synchronous target costs no promise; an
 * async one must settle within the time bound, or it is a hang. (A synchronous endless loop is
 * caught by ./watchdog.ts.)
 */
import { FuzzTarget } from '../target';
import { describeFinding, Finding } from './findings';

/** `undefined`: handled or cleanly refused. */
export type Outcome = Finding | undefined;

function judge(target: FuzzTarget, thrown: unknown, input: Buffer): Outcome {
  if (!(thrown instanceof Error)) return describeFinding('non-error throw', thrown, input);
  return target.expected(thrown) ? undefined : describeFinding('crash', thrown, input);
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Run `input`: the outcome directly for a synchronous target, a promise of it otherwise. */
export function execute(target: FuzzTarget, input: Buffer, timeoutMs: number): Outcome | Promise<Outcome> {
  let result: void | Promise<void>;
  try {
    result = target.run(input);
  } catch (thrown) {
    return judge(target, thrown, input);
  }
  if (!isThenable(result)) return undefined;
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve(describeFinding('hang', new Error(`did not settle within ${timeoutMs} ms`), input)), timeoutMs);
    result.then(
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
      (thrown: unknown) => {
        clearTimeout(timer);
        resolve(judge(target, thrown, input));
      },
    );
  });
}
