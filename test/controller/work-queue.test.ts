import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/controller/work-queue.js';

/** Runs one worker over the queue and returns the keys in the order handled, once it drains. */
async function order(q: WorkQueue): Promise<string[]> {
  const seen: string[] = [];
  const running = q.run(1, async (key) => {
    seen.push(key);
    await Promise.resolve();
  });
  await q.whenDrained();
  q.shutDown();
  await running;
  return seen;
}

describe('WorkQueue', () => {
  it('handles a key added many times once, in the order first added', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    expect(q.depth).toBe(3);
    expect(await order(q)).toEqual(['a', 'b', 'c']);
  });

  it('runs background keys (a relist) after every other key, even ones added later', async () => {
    const q = new WorkQueue();
    for (const k of ['r1', 'r2', 'r3']) q.add(k, { background: true });
    q.add('edit');
    expect(q.depth).toBe(4);
    expect(await order(q)).toEqual(['edit', 'r1', 'r2', 'r3']);
  });

  it('moves a background key up when it is added again normally, and handles it once', async () => {
    const q = new WorkQueue();
    for (const k of ['r1', 'r2', 'r3']) q.add(k, { background: true });
    q.add('r3');
    q.add('r2', { background: true });
    expect(q.depth).toBe(3);
    expect(await order(q)).toEqual(['r3', 'r1', 'r2']);
  });

  it('counts background keys as work: not drained until they ran', async () => {
    const q = new WorkQueue();
    q.add('r1', { background: true });
    expect(q.idle).toBe(false);
    expect(q.busy).toBe(1);
    expect(await order(q)).toEqual(['r1']);
    expect(q.idle).toBe(true);
  });
});
