import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../support/docker.js';
import { runScheduleCrashTrial, summariseScheduleTrials, type ScheduleCrashTrialResult } from './support/schedule-crash-trial.js';

// CI runs a few trials; `npm run test:chaos -- --schedules --trials N` runs more (scripts/chaos.ts).
const TRIALS = Number(process.env.SPARKCTL_SCHEDULE_CRASH_TRIALS ?? 2);
const SEED = Number(process.env.SPARKCTL_CRASH_SEED ?? Date.now() % 100_000);

describe('crash safety of schedules: kill -9 while runs are being started', () => {
  beforeAll(async () => {
    await ensureTestImages();
  });

  it(`${TRIALS} trials: every recorded run had exactly one driver and succeeded; no driver ran unrecorded`, async () => {
    const results: ScheduleCrashTrialResult[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const r = await runScheduleCrashTrial({ seed: SEED + i, kills: 2 + (i % 2) });
      results.push(r);
      if (r.lostOrDoubled.length || r.leftoverContainers)
        process.stdout.write(`schedule crash trial failed (replay with SPARKCTL_CRASH_SEED=${r.seed}): ${JSON.stringify(r, null, 1)}\n`);
    }
    process.stdout.write(`${summariseScheduleTrials(results)}\n`);
    for (const r of results) {
      expect(r.lostOrDoubled, `seed ${r.seed}`).toEqual([]);
      expect(r.leftoverContainers, `seed ${r.seed}`).toBe(0);
      expect(r.containers).toBe(r.runs);
    }
  }, 240_000);
});
