/**
 * Waiting with `timeout` and `signal` (src/process/deadline.ts), written once for mailboxes and
 * every operation that spans several receives.
 */
import { Deadline, ErlTimeoutError, ReceiveTimeoutError, within } from '../../src/process/deadline';
import { Mailbox } from '../../src/process/mailbox';

describe('within', () => {
  it('settles by start, by timeout or by abort, and runs the clean-up exactly once each time', async () => {
    let cleaned = 0;
    const cleanUp = () => void cleaned++;
    await expect(
      within<number>(
        {},
        () => new Error('t'),
        (resolve) => (setTimeout(() => resolve(1), 5), cleanUp),
      ),
    ).resolves.toBe(1);
    await expect(
      within<number>(
        { timeout: 10 },
        () => new Error('late'),
        () => cleanUp,
      ),
    ).rejects.toThrow('late');
    const controller = new AbortController();
    const aborted = within<number>(
      { signal: controller.signal },
      () => new Error('t'),
      () => cleanUp,
    );
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    // Settled inside start, before start returned its clean-up: it still runs, once.
    await expect(
      within<number>(
        { timeout: 1000 },
        () => new Error('t'),
        (resolve) => (resolve(2), cleanUp),
      ),
    ).resolves.toBe(2);
    expect(cleaned).toBe(4);
  });

  it('an already aborted signal rejects at once without starting', async () => {
    let started = false;
    const signal = AbortSignal.abort(new Error('before'));
    await expect(
      within(
        { signal },
        () => new Error('t'),
        () => void (started = true),
      ),
    ).rejects.toThrow('before');
    expect(started).toBe(false);
  });
});

describe('Deadline', () => {
  it('is shared by the waits of one operation and runs out as ErlTimeoutError naming it', async () => {
    const deadline = new Deadline('rpc', { timeout: 60 });
    const box = new Mailbox();
    await new Promise((r) => setTimeout(r, 30));
    const left = deadline.remaining().timeout as number;
    expect(left).toBeLessThanOrEqual(40);
    const err = (await deadline.receive(box, () => undefined).catch((e: unknown) => e)) as ErlTimeoutError;
    expect(err).toBeInstanceOf(ErlTimeoutError);
    expect([err.operation, err.timeoutMs, err.code]).toEqual(['rpc', 60, 'timeout']);
    await expect(deadline.race(new Promise(() => undefined))).rejects.toBeInstanceOf(ErlTimeoutError);
  });

  it('without a timeout waits forever (remaining is Infinity), and refuses a negative one', () => {
    expect(new Deadline('call', {}).remaining().timeout).toBe(Infinity);
    expect(() => new Deadline('call', { timeout: -1 })).toThrow(RangeError);
  });

  it('a plain mailbox receive times out as ReceiveTimeoutError', async () => {
    await expect(new Mailbox().receive(undefined, { timeout: 5 })).rejects.toBeInstanceOf(ReceiveTimeoutError);
  });
});
