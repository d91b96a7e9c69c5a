import { describe, expect, it } from 'vitest';
import { runDashboard } from '../../bench/dashboard.js';

// The dashboard benchmark at a tiny size, so it keeps working; no timing is asserted.
describe('bench/dashboard.ts (smoke size)', () => {
  it('serves the first page and the baseline and reports positive figures', { timeout: 120_000 }, async () => {
    const r = await runDashboard({ jobs: 150, requests: 2 });
    expect(r.jobs).toBe(150);
    expect(r.firstPage.n).toBe(2);
    for (const x of [r.firstPage.median, r.filteredPage.median, r.jsonAllRows.median, r.coldFirstPageMs, r.restartFirstPageMs, r.ratio])
      expect(Number.isFinite(x) && x > 0, String(x)).toBe(true);
    // 100 rows of HTML on the first page.
    expect(r.firstPageBytes).toBeGreaterThan(100 * 300);
  });
});
