/**
 * The long mode of the crash-safety suite: `npm run test:chaos -- --trials N [--seed S] [--kills K]` (every fourth trial kills once with
 * the state dir full).
 * Runs N kill -9 trials (three jobs each on the real engine), prints one line per trial and the
 * totals RELIABILITY.md quotes, and exits 1 when any job was lost, run twice or ended wrong, any
 * manifest read was torn, or a user's edit was lost.
 */
import { parseArgs } from 'node:util';
import { ensureTestImages } from '../test/support/docker.js';
import { runCrashTrial, summariseCrashTrials, type CrashTrialResult } from '../test/reliability/support/crash-trial.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    kills: { type: 'string', default: '' },
  },
});
const trials = Number(values.trials);
const seed = Number(values.seed);
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run test:chaos -- --trials N [--seed S] [--kills K]\n');
  process.exit(2);
}
await ensureTestImages();
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
