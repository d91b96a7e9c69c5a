import { beforeAll, describe, expect, it } from 'vitest';
import { formatCliGet, runCliGet } from '../../bench/cli-get.js';
import { BIN, ensureBuilt } from '../e2e/support/cli.js';

// The CLI get benchmark at a tiny size, so it keeps working; no timing is asserted.
describe('bench/cli-get.ts (smoke size)', () => {
  beforeAll(() => ensureBuilt());

  it('times get (no cache, cached, by name) and completion names, and prints a row per size', { timeout: 120_000 }, async () => {
    // The program before a change: here the same one, timed on its own copy of the state dir.
    const r = await runCliGet({ sizes: [30], runs: 1, beforeBin: BIN });
    expect(r.points.map((p) => p.manifests)).toEqual([30]);
    const p = r.points[0]!;
    for (const s of [p.node, p.readRaw, p.get, p.getName, p.completeNames]) expect(s.n).toBe(1);
    for (const x of [p.coldGetMs, p.get.median, p.getName.median, p.completeNames.median, p.node.median])
      expect(Number.isFinite(x) && x > 0, String(x)).toBe(true);
    for (const s of [p.before!.get, p.before!.getName, p.before!.completeNames]) expect(s.n).toBe(1);
    expect(formatCliGet(r)).toMatch(/^\| 30 \|/m);
    expect(formatCliGet(r)).toMatch(/^\| 30, before \|/m);
  });
});
