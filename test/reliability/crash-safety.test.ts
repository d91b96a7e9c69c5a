import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../support/docker.js';
import { runCrashTrial, summariseCrashTrials, type CrashTrialResult } from './support/crash-trial.js';

// CI runs a bounded number of trials; `npm run test:chaos -- --trials N` runs more (scripts/chaos.ts).
const TRIALS = Number(process.env.SPARKCTL_CRASH_TRIALS ?? 5);
const SEED = Number(process.env.SPARKCTL_CRASH_SEED ?? Date.now() % 100_000);

describe('crash safety: kill -9 at random points', () => {
  beforeAll(async () => {
    await ensureTestImages();
  });

  it(`${TRIALS} trials of 3 jobs: each job runs exactly once and ends right; no torn file; the user's edit survives`, async () => {
    const results: CrashTrialResult[] = [];
    for (let i = 0; i < TRIALS; i++) {
      // The last trial kills once while the state dir is full (fail-stop across a crash).
      const r = await runCrashTrial({ seed: SEED + i, kills: 1 + (i % 2), fullDisk: i === TRIALS - 1 && TRIALS > 1 });
      results.push(r);
      if (r.lostOrDoubled.length || r.tornReads.length || !r.userEditKept || r.leftoverContainers) {
        process.stdout.write(
          `crash trial failed (replay with SPARKCTL_CRASH_SEED=${r.seed} SPARKCTL_CRASH_TRIALS=1): ${JSON.stringify(r, null, 1)}\n`,
        );
      }
    }
    process.stdout.write(`${summariseCrashTrials(results)}\n`);
    for (const r of results) {
      expect(r.lostOrDoubled, `seed ${r.seed}`).toEqual([]);
      expect(r.tornReads, `seed ${r.seed}`).toEqual([]);
      expect(r.userEditKept, `seed ${r.seed}`).toBe(true);
      expect(r.leftoverContainers, `seed ${r.seed}`).toBe(0);
      expect(r.fileReads).toBeGreaterThan(0);
    }
  }, 240_000);
});
