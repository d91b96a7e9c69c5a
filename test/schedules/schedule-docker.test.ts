import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { ScheduledSparkJobStatus } from '../../src/api/scheduled-spark-job.js';
import { readAllJobRecords, readJobEvents } from '../../src/state/read-journal.js';
import { readScheduleRecord } from '../../src/state/schedule-record.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import type { SparkJobStatus } from '../../src/api/status.js';
import { ensureTestImages, removeInstanceContainers, testDocker } from '../support/docker.js';

/** A schedule firing every 3 seconds on the fake Spark image; `extra` goes under spec, `conf` into the template's sparkConf. */
export function fakeSchedule(name: string, extra: string, conf = ''): string {
  return `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
spec:
  schedule: "*/3 * * * * *"
${extra}  template:
    image: sparkctl/spark-fake:test
    imagePullPolicy: Never
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    mainClass: org.apache.spark.examples.SparkPi
    driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
    sparkConf: {${conf}}
`;
}

/** The status the controller wrote into a schedule's manifest. */
async function fileStatus(path: string): Promise<ScheduledSparkJobStatus | undefined> {
  try {
    return (parseDocument(await readFile(path, 'utf8')).toJS() as { status?: ScheduledSparkJobStatus } | null)?.status;
  } catch {
    return undefined;
  }
}

/** Polls until `until` holds for the schedule's written status (the controller's real output). */
async function waitForSchedule(
  path: string,
  until: (s: ScheduledSparkJobStatus) => boolean,
  timeoutMs = 40_000,
): Promise<ScheduledSparkJobStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ScheduledSparkJobStatus | undefined;
  while (Date.now() < deadline) {
    last = await fileStatus(path);
    if (last && until(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting on ${path}; last status: ${JSON.stringify(last)}`);
}

/** Every run the schedule started, from its events (the journal's record of what happened). */
async function startedRuns(stateDir: string, schedule: string): Promise<string[]> {
  const events = await readJobEvents(stateDir, schedule);
  return events.filter((e) => e.reason === 'RunStarted' || e.reason === 'Triggered').map((e) => e.message.replace('started run ', ''));
}

const containersOf = async (job: string) => testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.job=${job}`] } });

describe('ScheduledSparkJob on the real Docker engine', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    const instance = h?.instance;
    await h?.close();
    h = undefined;
    // A run whose driver was being created as the controller stopped lands after close() swept the
    // instance (stop leaves drivers to the next start): sweep once more after in-flight calls end.
    if (instance) {
      await new Promise((r) => setTimeout(r, 1500));
      await removeInstanceContainers(instance);
    }
  });

  it('starts a run every 3 seconds, keeps the history limit and forgets older runs', async () => {
    h = await createHarness();
    await h.write('every3.yaml', fakeSchedule('every3', '  concurrencyPolicy: Allow\n  successfulRunHistoryLimit: 2\n'));
    await h.start();
    const file = join(h.jobsDir, 'every3.yaml');
    const status = await waitForSchedule(file, (s) => s.history.length === 2 && s.history.every((r) => r.phase === 'Succeeded'));
    // Wait for a fourth run: by then at least one succeeded run was beyond the limit.
    let runs: string[] = [];
    for (const deadline = Date.now() + 40_000; runs.length < 4 && Date.now() < deadline;) {
      runs = await startedRuns(h.stateDir, 'every3');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const run of runs) expect(run).toMatch(/^every3-[0-9]{10}$/);
    // Names are the scheduled times: all distinct, 3 seconds apart on a 3-second boundary.
    const times = runs.map((r) => Number(r.slice('every3-'.length)));
    expect(new Set(times).size).toBe(times.length);
    for (const t of times) expect(t % 3).toBe(0);
    expect(status.lastScheduleTime).toBeDefined();
    expect(Date.parse(status.nextScheduleTime!)).toBeGreaterThan(Date.parse(status.lastScheduleTime!));
    const later = await waitForSchedule(file, (s) => s.history.length === 2 && !s.history.some((r) => r.name === runs[0]));
    expect(later.history.map((r) => r.name)).not.toContain(runs[0]);
    // The first run was released and forgotten: its journal folder went to deleted/.
    const deadline = Date.now() + 20_000;
    while ((await readdir(join(h.stateDir, 'jobs'))).includes(runs[0]!) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(join(h.stateDir, 'jobs'))).not.toContain(runs[0]);
    const kept = (await readAllJobRecords(h.stateDir)).filter((r) => r.run?.schedule === 'every3');
    for (const rec of kept) expect(rec.file).toBe('every3.yaml');
    // The run's log is the driver's, as for any job.
    const log = await readFile(join(h.stateDir, 'jobs', later.history.at(-1)!.name, 'logs', 'attempt-1.log'), 'utf8');
    expect(log).toContain('Pi is roughly');
  });

  it('a template the policy refuses starts no run, and the status says which field and why', async () => {
    h = await createHarness();
    await h.write(
      'hostnet.yaml',
      fakeSchedule('hostnet', '').replace('    imagePullPolicy: Never\n', '    imagePullPolicy: Never\n    network: host\n'),
    );
    await h.start();
    const file = join(h.jobsDir, 'hostnet.yaml');
    // Past a scheduled time, with the refusal in the status.
    const status = await waitForSchedule(file, (s) => s.lastScheduleTime !== undefined && (s.message ?? '').includes('network'));
    expect(status.message).toBe(
      'spec.template.network: network: host is not allowed by this controller; start it with --allow-host-network',
    );
    expect(status.active).toEqual([]);
    expect(await startedRuns(h.stateDir, 'hostnet')).toEqual([]);
  });

  it('a changed template applies to the next run; the running run keeps its spec', async () => {
    h = await createHarness();
    const text = fakeSchedule('tpl', '  concurrencyPolicy: Allow\n', 'spark.fake.sleepSeconds: "5"');
    await h.write('tpl.yaml', text);
    await h.start();
    const file = join(h.jobsDir, 'tpl.yaml');
    const first = (await waitForSchedule(file, (s) => s.active.length >= 1)).active[0]!;
    await h.write('tpl.yaml', text.replace('spark.fake.sleepSeconds: "5"', 'spark.fake.sleepSeconds: "5", spark.fake.logLines: "2"'));
    const later = await waitForSchedule(file, (s) => [...s.active, ...s.history.map((r) => r.name)].some((n) => n > first));
    const second = [...later.active, ...later.history.map((r) => r.name)].find((n) => n > first)!;
    const records = new Map((await readAllJobRecords(h.stateDir)).map((r) => [r.name, r]));
    const confOf = (name: string) =>
      (records.get(name)?.snapshot as { context: { spec: { sparkConf: Record<string, string> } } }).context.spec.sparkConf;
    expect(confOf(first)).toEqual({ 'spark.fake.sleepSeconds': '5' });
    expect(confOf(second)).toEqual({ 'spark.fake.sleepSeconds': '5', 'spark.fake.logLines': '2' });
  });

  it('a schedule whose name a SparkJob already holds is refused in its status and starts nothing', async () => {
    h = await createHarness();
    await h.write('dup-job.yaml', fakeJob('dup'));
    await h.start();
    await waitForStatus(join(h.jobsDir, 'dup-job.yaml'), phaseIs('Succeeded'));
    await h.write('dup-schedule.yaml', fakeSchedule('dup', ''));
    const status = (await waitForSchedule(join(h.jobsDir, 'dup-schedule.yaml'), (s) => 'phase' in s)) as unknown as SparkJobStatus;
    expect(status.phase).toBe('Invalid');
    expect(status.message).toBe('metadata.name: dup is already used by dup-job.yaml; names must be unique in the jobs folder');
    expect(await startedRuns(h.stateDir, 'dup')).toEqual([]);
  });

  it('Forbid skips a time while a run is active and counts it missed; the driver carries the run name label', async () => {
    h = await createHarness();
    await h.write('slow.yaml', fakeSchedule('slow', '  concurrencyPolicy: Forbid\n', 'spark.fake.sleepSeconds: "8"'));
    await h.start();
    const file = join(h.jobsDir, 'slow.yaml');
    const status = await waitForSchedule(file, (s) => s.active.length === 1 && s.missedRuns >= 1);
    expect(status.active).toHaveLength(1);
    const run = status.active[0]!;
    expect(status.message).toContain('concurrencyPolicy: Forbid');
    expect((await containersOf(run)).length).toBe(1);
    const events = await readJobEvents(h.stateDir, 'slow');
    expect(events.some((e) => e.reason === 'MissedRuns' && e.type === 'Warning')).toBe(true);
    // Still one run while it is active: Forbid never starts a second.
    expect(await startedRuns(h.stateDir, 'slow')).toEqual([run]);
  });

  it('Replace releases the active run and starts the new one', async () => {
    h = await createHarness();
    await h.write('repl.yaml', fakeSchedule('repl', '  concurrencyPolicy: Replace\n', 'spark.fake.sleepSeconds: "60"'));
    await h.start();
    const file = join(h.jobsDir, 'repl.yaml');
    const first = (await waitForSchedule(file, (s) => s.active.length === 1)).active[0]!;
    const second = await waitForSchedule(file, (s) => s.active.length === 1 && s.active[0] !== first);
    expect(second.active).toHaveLength(1);
    // The replaced run is released (its container removed) and forgotten.
    const deadline = Date.now() + 20_000;
    while ((await containersOf(first)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await containersOf(first)).toHaveLength(0);
    expect(second.history.map((r) => r.name)).not.toContain(first);
  });

  it('after downtime, at most one catch-up run starts and an event says how many times were missed', async () => {
    h = await createHarness();
    await h.write('late.yaml', fakeSchedule('late', '  concurrencyPolicy: Allow\n'));
    await h.start();
    const file = join(h.jobsDir, 'late.yaml');
    await waitForSchedule(file, (s) => s.history.length >= 1);
    await h.controller.stop();
    await h.docker.close();
    const before = (await startedRuns(h.stateDir, 'late')).length;
    // Down for more than three scheduled times.
    await new Promise((r) => setTimeout(r, 10_000));
    const downUntil = Date.now();
    await h.start();
    const deadline = Date.now() + 20_000;
    let missed: string | undefined;
    while (!missed && Date.now() < deadline) {
      missed = (await readJobEvents(h.stateDir, 'late')).find((e) => e.reason === 'MissedRuns')?.message;
      if (!missed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(missed).toMatch(/^[2-9] scheduled run\(s\) not started$/);
    const runs = await startedRuns(h.stateDir, 'late');
    // One catch-up for the latest missed time (before the restart), not one per missed time.
    const catchUps = runs.slice(before).filter((r) => Number(r.slice('late-'.length)) * 1000 < downUntil);
    expect(catchUps).toHaveLength(1);
  });

  it('a restart restores the active run without starting it again; deleting the schedule releases it', async () => {
    h = await createHarness({ missingGraceMs: 0 });
    await h.write('keep.yaml', fakeSchedule('keep', '  concurrencyPolicy: Forbid\n', 'spark.fake.sleepSeconds: "60"'));
    await h.start();
    const file = join(h.jobsDir, 'keep.yaml');
    const run = (await waitForSchedule(file, (s) => s.active.length === 1)).active[0]!;
    await h.controller.stop();
    await h.docker.close();
    await h.start();
    // Past another scheduled time after the restart, the same run is still the only one.
    const before = Date.now();
    const after = await waitForSchedule(file, (s) => Date.parse(s.lastScheduleTime ?? '') > before);
    expect(after.active).toEqual([run]);
    expect(await startedRuns(h.stateDir, 'keep')).toEqual([run]);
    const added = (await readJobEvents(h.stateDir, run)).filter((e) => e.reason === 'Added');
    expect(added).toHaveLength(1);
    expect((await readScheduleRecord(h.stateDir, 'keep'))?.status.active).toEqual([run]);
    await unlink(file);
    const deadline = Date.now() + 20_000;
    while ((await containersOf(run)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await containersOf(run)).toHaveLength(0);
    while ((await readdir(join(h.stateDir, 'jobs'))).includes(run) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(join(h.stateDir, 'jobs'))).not.toContain(run);
    expect(await readScheduleRecord(h.stateDir, 'keep')).toBeUndefined();
  });
});
