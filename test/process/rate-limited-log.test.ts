/**
 * RateLimitedLog (src/process/rate-limited-log.ts): a flood of lines gives `burst` of them and
 * then, when the window ends, one line counting the rest, even when no line comes after the flood.
 */
import { RateLimitedLog } from '../../src/process/rate-limited-log';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a flood gives burst lines, then the count of the rest when the window ends', async () => {
  const lines: string[] = [];
  const log = new RateLimitedLog((line) => lines.push(line), { burst: 2, windowMs: 150 });
  for (let i = 0; i < 1000; i++) log.log(`refused ${i}`);
  expect(lines).toEqual(['refused 0', 'refused 1']);
  await sleep(300);
  expect(lines).toEqual(['refused 0', 'refused 1', '(998 similar lines left out)']);
  log.log('later');
  expect(lines).toHaveLength(4);
  await sleep(200);
  expect(lines).toEqual(['refused 0', 'refused 1', '(998 similar lines left out)', 'later']);
});

test('with the clock given, the count comes with the first line of the next window', () => {
  let now = 0;
  const lines: string[] = [];
  const log = new RateLimitedLog((line) => lines.push(line), { burst: 1, windowMs: 1000, now: () => now });
  log.log('a');
  log.log('b');
  log.log('c');
  now = 1000;
  log.log('d');
  expect(lines).toEqual(['a', '(2 similar lines left out)', 'd']);
});
