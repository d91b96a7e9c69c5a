import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllJobRecords } from '../../../src/state/read-journal.js';
import { readScheduleRecord } from '../../../src/state/schedule-record.js';
import { removeInstanceContainers, testDocker, uniqueId } from '../../support/docker.js';
import { startControllerChild, type ControllerChild } from './controller-child.js';
import { recordContainerEvents } from './docker-events.js';
import { seededRandom } from './rng.js';

/** A schedule firing every 2 seconds, runs side by side (Allow), every run kept (so every run can be counted). */
const SCHEDULE = `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: tick
spec:
  schedule: "*/2 * * * * *"
  concurrencyPolicy: Allow
  successfulRunHistoryLimit: 1000
  failedRunHistoryLimit: 1000
  suspend: false
  template:
    image: sparkctl/spark-fake:test
    imagePullPolicy: Never
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
    driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
    sparkConf: {spark.fake.sleepSeconds: "1"}
`;

/** Resolves as soon as a new run's journal folder appears (right after the run is recorded, before or as it starts), or after `maxMs`. */
async function newRunRecorded(dir: string, maxMs: number): Promise<void> {
  const before = new Set(await readdir(dir).catch(() => [] as string[]));
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const now = await readdir(dir).catch(() => [] as string[]);
    if (now.some((n) => n.startsWith('tick-') && !before.has(n))) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** What one schedule crash trial did and found (counts from the engine's events and the journal). */
export interface ScheduleCrashTrialResult {
  readonly seed: number;
  readonly killsAfterMs: number[];
  /** Runs the journal recorded, and driver containers the engine created for runs of the schedule. */
  readonly runs: number;
  readonly containers: number;
  /** Scheduled times passed over (downtime while killed), as the schedule's record counts them. */
  readonly missedRuns: number;
  /** Runs created twice, lost (recorded but never finished), or run without a record. */
  readonly lostOrDoubled: string[];
  readonly leftoverContainers: number;
  readonly durationMs: number;
}

/**
 * One schedule crash trial: a schedule firing every 2 s on the real engine, its controller killed
 * with SIGKILL `kills` times (after a seeded random delay, or right as a run is recorded) and restarted at once; then the schedule is
 * suspended and every run is waited for. Each run the journal recorded must have had exactly one
 * driver, started once, and have Succeeded; no driver may exist for a run the journal does not know.
 */
export async function runScheduleCrashTrial(options: {
  seed: number;
  kills: number;
  timeoutMs?: number;
}): Promise<ScheduleCrashTrialResult> {
  const began = Date.now();
  const rand = seededRandom(options.seed);
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-schedule-crash-'));
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir);
  const file = join(jobsDir, 'tick.yaml');
  await writeFile(file, SCHEDULE);
  const instance = uniqueId('s');
  const since = await recordContainerEvents(instance);
  const killsAfterMs: number[] = [];
  let ctl: ControllerChild | undefined;
  const lostOrDoubled: string[] = [];
  try {
    ctl = await startControllerChild(jobsDir, stateDir, instance);
    for (let k = 0; k < options.kills; k++) {
      const t0 = Date.now();
      if (rand() < 0.5) await new Promise((r) => setTimeout(r, 500 + Math.floor(rand() * 3500)));
      else await newRunRecorded(join(stateDir, 'jobs'), 6000);
      await ctl.kill9();
      killsAfterMs.push(Date.now() - t0);
      ctl = await startControllerChild(jobsDir, stateDir, instance);
    }
    await new Promise((r) => setTimeout(r, 2500));
    // No new runs from here: every run recorded so far must finish.
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('  suspend: false\n', '  suspend: true\n'));
    const deadline = Date.now() + (options.timeoutMs ?? 40_000);
    for (;;) {
      const runs = (await readAllJobRecords(stateDir)).filter((r) => r.run?.schedule === 'tick');
      if (runs.length > 0 && runs.every((r) => r.status.phase === 'Succeeded')) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await ctl.terminate();
  } finally {
    await ctl?.kill9();
  }
  const events = await since.stop();
  const records = (await readAllJobRecords(stateDir)).filter((r) => r.run?.schedule === 'tick');
  const names = new Set(records.map((r) => r.name));
  for (const rec of records) {
    const ev = events.get(rec.name) ?? { create: 0, start: 0, destroy: 0 };
    if (rec.status.phase !== 'Succeeded' || ev.create !== 1 || ev.start !== 1 || rec.status.executionAttempts !== 1)
      lostOrDoubled.push(`${rec.name}: phase ${rec.status.phase}, ${ev.create} created, ${ev.start} started`);
  }
  let containers = 0;
  for (const [job, ev] of events) {
    if (!job.startsWith('tick-')) continue;
    containers += ev.create;
    if (!names.has(job)) lostOrDoubled.push(`${job}: a driver ran for a run the journal does not record`);
  }
  if (records.length === 0) lostOrDoubled.push('no run was recorded at all');
  const missedRuns = (await readScheduleRecord(stateDir, 'tick').catch(() => undefined))?.status.missedRuns ?? 0;
  const leftover = await testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });
  await removeInstanceContainers(instance);
  await rm(root, { recursive: true, force: true });
  return {
    seed: options.seed,
    killsAfterMs,
    runs: records.length,
    containers,
    missedRuns,
    lostOrDoubled,
    leftoverContainers: leftover.length,
    durationMs: Date.now() - began,
  };
}

/** Totals over schedule trials, in the words RELIABILITY.md uses. */
export function summariseScheduleTrials(results: readonly ScheduleCrashTrialResult[]): string {
  const sum = (f: (r: ScheduleCrashTrialResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return (
    `schedule crash-safety: ${results.length} trials, ${sum((r) => r.killsAfterMs.length)} kill -9, ${sum((r) => r.runs)} runs recorded, ` +
    `${sum((r) => r.containers)} drivers created, runs lost, doubled or unrecorded: ${sum((r) => r.lostOrDoubled.length)}, ` +
    `times missed while down: ${sum((r) => r.missedRuns)}, seeds: ${results.map((r) => r.seed).join(',')}`
  );
}
