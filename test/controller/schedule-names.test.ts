import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SparkJobStatus } from '../../src/api/status.js';
import { JobRegistry, type JobMachine } from '../../src/controller/job-registry.js';
import type { ReconcileContext } from '../../src/controller/reconcile-context.js';
import { reconcile } from '../../src/controller/reconcile-steps.js';
import { ScheduleRunner } from '../../src/controller/schedule-runner.js';
import { createLogger } from '../../src/logger.js';
import { duplicateNameStatus } from '../../src/manifest/check-unique-names.js';
import { runHash } from '../../src/manifest/run-hash.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { Journal } from '../../src/state/journal.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { machineWithFakes } from '../machines/fake-actors.js';

const job = (name: string) => `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: img
  mainApplicationFile: local:///app.jar
  mainClass: Main
`;

const schedule = (name: string, cron: string) => `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: ${name}
spec:
  schedule: "${cron}"
  template:
    image: img
    mainApplicationFile: local:///app.jar
    mainClass: Main
`;

/** A second at which "* /3 * * * * *" fires (second 0 of a minute): the run of that time is `<name>-1764000000`. */
const FIRE_MS = 1_764_000_000_000;

describe('one name space for SparkJobs, schedules and runs (real schedule runner, fake job actors)', () => {
  let root: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function setup() {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-names-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    const journal = new Journal(stateDir);
    await journal.init();
    const logger = createLogger({ level: 'silent' });
    const registry = new JobRegistry(machineWithFakes({ calls: [] }, { waitForever: true }) as unknown as JobMachine, {
      journal,
      logger,
      requeue: () => undefined,
      released: () => undefined,
      changed: () => undefined,
      stopped: () => false,
    });
    let clock = FIRE_MS - 1000;
    const hash = (spec: Parameters<typeof runHash>[0]) => runHash(spec, undefined);
    const schedules = new ScheduleRunner({
      stateDir,
      journal,
      registry,
      logger,
      policy: DEFAULT_POLICY,
      env: {},
      runHash: hash,
      requeue: () => undefined,
      missingGraceMs: 0,
      now: () => clock,
    });
    const ctx: ReconcileContext = {
      jobsDir,
      registry,
      seen: new Map(),
      log: logger,
      policy: DEFAULT_POLICY,
      env: {},
      missingGraceMs: 0,
      requeue: () => undefined,
      changed: () => undefined,
      runHash: hash,
      schedules,
    };
    cleanup = async () => {
      schedules.stop();
      for (const e of registry.all()) e.actor.stop();
      // The journal's last writes land before the folder goes.
      await journal.flush();
    };
    const put = async (file: string, text: string) => {
      await writeFile(join(jobsDir, file), text);
      await reconcile(file, ctx);
    };
    const statusIn = async (file: string) =>
      (parse(await readFile(join(jobsDir, file), 'utf8')) as { status?: Partial<SparkJobStatus> & { message?: string } }).status;
    return { registry, schedules, stateDir, put, statusIn, tick: (ms: number) => (clock = ms) };
  }

  it('a SparkJob appearing with a schedule’s name is Invalid with the duplicate-name status and starts nothing', async () => {
    const t = await setup();
    await t.put('nightly.yaml', schedule('nightly', '0 2 * * *'));
    await t.put('job.yaml', job('nightly'));
    const status = await t.statusIn('job.yaml');
    expect(status?.phase).toBe('Invalid');
    expect(status?.message).toBe(duplicateNameStatus('nightly', 'nightly.yaml'));
    expect(t.registry.get('nightly')).toBeUndefined();
    expect(t.schedules.fileOf('nightly')).toBe('nightly.yaml');
  });

  it('a SparkJob named like an existing run is Invalid and the run keeps its name and its schedule', async () => {
    const t = await setup();
    await t.put('nightly.yaml', schedule('nightly', '0 2 * * *'));
    const run = await t.schedules.trigger('nightly');
    expect(run).toBe('nightly-1763999999');
    await t.put('clash.yaml', job(run));
    const status = await t.statusIn('clash.yaml');
    expect(status?.phase).toBe('Invalid');
    expect(status?.message).toBe(duplicateNameStatus(run, 'a run of ScheduledSparkJob nightly (nightly.yaml)'));
    const entry = t.registry.get(run);
    expect(entry?.run?.schedule).toBe('nightly');
    expect(entry?.file).toBe('nightly.yaml');
  });

  it('a run whose name a SparkJob took first is not started; the schedule says why and counts the time handled', async () => {
    const t = await setup();
    await t.put('taken.yaml', job('every-1764000000'));
    expect(t.registry.get('every-1764000000')?.run).toBeUndefined();
    await t.put('every.yaml', schedule('every', '*/3 * * * * *'));
    t.tick(FIRE_MS + 500);
    await t.put('every.yaml', schedule('every', '*/3 * * * * *') + '# touched\n');
    const status = await t.statusIn('every.yaml');
    expect(status?.message).toBe(
      'the run of 2025-11-24T16:00:00.000Z was not started: its name every-1764000000 is used by SparkJob every-1764000000 in taken.yaml; rename that job',
    );
    expect((status as { active?: string[] }).active).toEqual([]);
    expect((status as { lastScheduleTime?: string }).lastScheduleTime).toBe('2025-11-24T16:00:00.000Z');
    // The job is still the one from taken.yaml, not a run.
    expect(t.registry.get('every-1764000000')?.file).toBe('taken.yaml');
    expect(t.registry.get('every-1764000000')?.run).toBeUndefined();
    const events = await readJobEvents(t.stateDir, 'every');
    expect(events.filter((e) => e.reason === 'RunStarted')).toEqual([]);
    await expect(t.schedules.trigger('every')).rejects.toThrow(
      'every-1764000000 is the name of SparkJob in taken.yaml; rename that job, or trigger in a second',
    );
  });
});
