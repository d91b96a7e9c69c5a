/**
 * Where a job's time goes inside the controller: reads every job's events from a state dir
 * (kept with SPARKCTL_BENCH_KEEP=1) and prints the median time between consecutive events
 * (Added → Connecting → RequestingResources → Running → Collecting → Releasing → Succeeded).
 *   npx tsx bench/phase-timeline.ts STATE_DIR
 */
import { readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { journalPaths } from '../src/state/journal-paths.js';
import { readJobEvents } from '../src/state/read-journal.js';
import { formatMs, summarize, type Summary } from './support/stats.js';

/** Median and p95 of each step between consecutive events, over every job in the state dir. */
export async function phaseTimeline(stateDir: string): Promise<Array<{ step: string; summary: Summary }>> {
  const steps = new Map<string, number[]>();
  const order: string[] = [];
  for (const name of await readdir(journalPaths.jobs(stateDir))) {
    const events = await readJobEvents(stateDir, name);
    for (let i = 1; i < events.length; i++) {
      const step = `${events[i - 1]!.reason} → ${events[i]!.reason}`;
      if (!steps.has(step)) {
        steps.set(step, []);
        order.push(step);
      }
      steps.get(step)!.push(Date.parse(events[i]!.time) - Date.parse(events[i - 1]!.time));
    }
  }
  return order.map((step) => ({ step, summary: summarize(steps.get(step)!) }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: phase-timeline.ts STATE_DIR\n');
    process.exit(2);
  }
  for (const { step, summary } of await phaseTimeline(dir)) {
    console.log(
      `${step.padEnd(48)} median ${formatMs(summary.median).padStart(9)}  p95 ${formatMs(summary.p95).padStart(9)}  (${summary.n})`,
    );
  }
}
