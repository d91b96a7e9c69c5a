import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay, with jitter in the upper half, up to the cap', () => {
    const opts = { initialMs: 100, maxMs: 1000, jitter: 'equal' as const };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('sleep', () => {
  it('ends early when the signal aborts', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    await p;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
