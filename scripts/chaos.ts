/**
 * The long mode of the crash-safety suite: `npm run test:chaos -- --trials N [--seed S] [--kills K]` (every fourth trial kills once with
 * the state dir full).
 * Runs N kill -9 trials (three jobs each on the real engine), prints one line per trial and the
 * totals RELIABILITY.md quotes, and exits 1 when any job was lost, run twice or ended wrong, any
 * manifest read was torn, or a user's edit was lost. With `--schedules`, the trials are of a schedule firing every 2 s instead
 * (test/reliability/support/schedule-crash-trial.ts): exit 1 when a run was lost, started twice or ran unrecorded.
 */
import { parseArgs } from 'node:util';
import { ensureTestImages } from '../test/support/docker.js';
import { runCrashTrial, summariseCrashTrials, type CrashTrialResult } from '../test/reliability/support/crash-trial.js';
import {
  runScheduleCrashTrial,
  summariseScheduleTrials,
  type ScheduleCrashTrialResult,
} from '../test/reliability/support/schedule-crash-trial.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    kills: { type: 'string', default: '' },
    schedules: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const seed = Number(values.seed);
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run test:chaos -- --trials N [--seed S] [--kills K] [--schedules]\n');
  process.exit(2);
}
await ensureTestImages();
if (values.schedules) {
  const runs: ScheduleCrashTrialResult[] = [];
  for (let i = 0; i < trials; i++) {
    const r = await runScheduleCrashTrial({ seed: seed + i, kills: values.kills ? Number(values.kills) : 2 + (i % 3) });
    runs.push(r);
    const bad = r.lostOrDoubled.length + r.leftoverContainers;
    process.stdout.write(
      `trial ${i + 1}/${trials} seed ${r.seed}: kills after ${r.killsAfterMs.join(',')} ms, ${r.runs} runs -> ${bad === 0 ? 'ok' : `FAILED ${JSON.stringify(r)}`} (${r.durationMs} ms)\n`,
    );
  }
  process.stdout.write(`${summariseScheduleTrials(runs)}\n`);
  process.exit(runs.some((r) => r.lostOrDoubled.length || r.leftoverContainers) ? 1 : 0);
}
const results: CrashTrialResult[] = [];
for (let i = 0; i < trials; i++) {
  const kills = values.kills ? Number(values.kills) : 1 + (i % 3);
  // Every fourth trial kills once while the state dir (a small tmpfs) is full, then frees it.
  const r = await runCrashTrial({ seed: seed + i, kills, fullDisk: i % 4 === 3 });
  results.push(r);
  const bad = r.lostOrDoubled.length + r.tornReads.length + (r.userEditKept ? 0 : 1) + r.leftoverContainers;
  process.stdout.write(
    `trial ${i + 1}/${trials} seed ${r.seed}: ${r.kills.map((k) => `${k.mode}@${k.afterMs}ms`).join(' ')} -> ${bad === 0 ? 'ok' : `FAILED ${JSON.stringify(r)}`} (${r.durationMs} ms)\n`,
  );
}
process.stdout.write(`${summariseCrashTrials(results)}\n`);
const failed = results.filter((r) => r.lostOrDoubled.length || r.tornReads.length || !r.userEditKept || r.leftoverContainers);
process.exit(failed.length === 0 ? 0 : 1);
