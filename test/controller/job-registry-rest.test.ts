import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SparkJobStatusSchema, type Phase, type SparkJobStatus } from '../../src/api/status.js';
import { JobRegistry, statusKey, type JobEntry, type JobMachine } from '../../src/controller/job-registry.js';
import { createLogger } from '../../src/logger.js';
import { canonicalJson } from '../../src/manifest/spec-hash.js';
import { projectStatus } from '../../src/machines/project-status.js';
import type { JobEvent } from '../../src/machines/types.js';
import { Journal } from '../../src/state/journal.js';
import { readJobEvents, readJobRecord } from '../../src/state/read-journal.js';
import { machineWithFakes, testJob, type FakeLog } from '../machines/fake-actors.js';

/** A registry over fake actors and a real journal, recording phase changes. */
async function setup(behaviour: Parameters<typeof machineWithFakes>[1] = { waitForever: true }) {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-rest-'));
  const journal = new Journal(join(root, 'state'));
  await journal.init();
  const log: FakeLog = { calls: [] };
  const machine = machineWithFakes(log, behaviour) as unknown as JobMachine;
  const phases: Array<[string, Phase | undefined, Phase]> = [];
  const requeued: string[] = [];
  const registry = new JobRegistry(machine, {
    journal,
    logger: createLogger({ level: 'silent' }),
    onPhase: (name, from, to) => phases.push([name, from, to]),
    requeue: (f) => requeued.push(f),
    released: () => undefined,
    changed: () => undefined,
    stopped: () => false,
  });
  const close = async () => {
    registry.stopAll();
    await journal.flush();
    await rm(root, { recursive: true, force: true });
  };
  cleanups.push(close);
  return { root, journal, registry, machine, log, phases, requeued, stateDir: join(root, 'state') };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const reasons = async (stateDir: string, name: string) => (await readJobEvents(stateDir, name)).map((e) => e.reason);

/** The same job driven by a plain started actor: what the lazy registry must match. */
function referenceActor(machine: JobMachine, job: ReturnType<typeof testJob>, specHash: string, events: JobEvent[]) {
  const actor = createActor(machine, { input: { name: job.metadata.name, spec: job.spec, specHash, suspended: job.spec.suspend } });
  actor.start();
  for (const e of events) actor.send(e);
  const out = { persisted: actor.getPersistedSnapshot(), status: projectStatus(actor.getSnapshot(), undefined, new Date(0)) };
  actor.stop();
  return out;
}

const create = (registry: JobRegistry, job = testJob({ suspend: true }), hash = 'h1') =>
  registry.create(job.metadata.name, 'a.yaml', job, hash, []);

describe('jobs at rest have no actor until an event needs one', () => {
  it('a job first seen suspended has no actor; its snapshot, status, events and record are those an actor gives', async () => {
    const t = await setup();
    const entry = create(t.registry);
    expect(entry.actor.awake).toBe(false);
    expect(entry.status?.phase).toBe('Suspended');
    const ref = referenceActor(t.machine, testJob({ suspend: true }), 'h1', []);
    expect(entry.actor.getPersistedSnapshot()).toEqual(ref.persisted);
    expect(projectStatus(entry.actor.getSnapshot(), undefined, new Date(0))).toEqual(ref.status);
    expect(t.phases).toEqual([['job-a', undefined, 'Suspended']]);
    await t.journal.flush();
    expect(await reasons(t.stateDir, 'job-a')).toEqual(['Added', 'Suspended']);
    const rec = await readJobRecord(t.stateDir, 'job-a');
    expect(rec?.status.phase).toBe('Suspended');
    expect(rec?.snapshot).toEqual(JSON.parse(JSON.stringify(ref.persisted)));
    // Nothing was asked of the backend.
    expect(t.log.calls).toEqual([]);
  });

  it('resuming starts the actor from the snapshot, and the run goes on as it would have', async () => {
    const t = await setup();
    const entry = create(t.registry);
    entry.actor.send({ type: 'job.resume' });
    expect(entry.actor.awake).toBe(true);
    await vi.waitFor(() => expect(entry.actor.getSnapshot().hasTag('Running')).toBe(true));
    expect(t.log.calls).toEqual(['connect', 'reserve:1', 'start:1', 'wait:1']);
    await t.journal.flush();
    expect(await reasons(t.stateDir, 'job-a')).toEqual(['Added', 'Suspended', 'Pending', 'Connecting', 'RequestingResources', 'Running']);
    expect(t.phases.map(([, from, to]) => `${from}>${to}`)).toEqual([
      'undefined>Suspended',
      'Suspended>Pending',
      'Pending>Connecting',
      'Connecting>RequestingResources',
      'RequestingResources>Running',
    ]);
    expect((await readJobRecord(t.stateDir, 'job-a'))?.status.phase).toBe('Running');
  });

  it('a new spec, a rerun request and an invalid spec are taken at rest as an actor takes them', async () => {
    const t = await setup();
    const entry = create(t.registry);
    const next = testJob({ suspend: true, mainClass: 'Other' });
    const events: JobEvent[] = [
      { type: 'job.specChanged', spec: next.spec, specHash: 'h2' },
      { type: 'job.rerun', requestedAt: '2025-01-01T00:00:00Z' },
      { type: 'job.invalidate', message: 'spec.image: not allowed', reason: 'PolicyViolation' },
    ];
    for (const e of events) entry.actor.send(e);
    expect(entry.actor.awake).toBe(false);
    const ref = referenceActor(t.machine, testJob({ suspend: true }), 'h1', events);
    expect(entry.actor.getPersistedSnapshot()).toEqual(ref.persisted);
    expect(entry.status?.phase).toBe('Invalid');
    expect(entry.status?.observedSpecHash).toBe('h2');
    await t.journal.flush();
    expect(await reasons(t.stateDir, 'job-a')).toEqual(['Added', 'Suspended', 'PolicyViolation']);
    expect((await readJobRecord(t.stateDir, 'job-a'))?.status.message).toBe('spec.image: not allowed');
  });

  it('deleting a job at rest releases and forgets it without an actor', async () => {
    const t = await setup();
    const entry = create(t.registry);
    entry.actor.send({ type: 'job.delete' });
    expect(entry.actor.awake).toBe(false);
    await vi.waitFor(() => expect(t.registry.get('job-a')).toBeUndefined());
    await t.journal.flush();
    expect(await readdir(join(t.stateDir, 'jobs'))).toEqual([]);
    const [moved] = await readdir(join(t.stateDir, 'deleted'));
    const events = await readFile(join(t.stateDir, 'deleted', moved!, 'events.jsonl'), 'utf8');
    expect(
      events
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { reason: string }).reason),
    ).toEqual(['Added', 'Suspended', 'Deleted']);
  });

  it('a job restored finished keeps no actor, and its results still expire after timeToLiveSeconds', async () => {
    const t = await setup({ exitCodes: [0] });
    const job = testJob({ timeToLiveSeconds: 1 });
    const first = t.registry.create('job-a', 'a.yaml', job, 'h1', []);
    await vi.waitFor(() => expect(first.actor.getSnapshot().hasTag('Succeeded')).toBe(true));
    await t.journal.flush();
    const rec = (await readJobRecord(t.stateDir, 'job-a'))!;
    expect(rec.status.phase).toBe('Succeeded');
    first.actor.stop();

    const u = await setup();
    await u.journal.saveRecord(rec);
    u.registry.restore([rec], () => undefined);
    const restored = u.registry.get('job-a') as JobEntry;
    expect(restored.actor.awake).toBe(false);
    expect(restored.status?.phase).toBe('Succeeded');
    await vi.waitFor(() => expect(restored.status?.message).toBe('Results and history forgotten after timeToLiveSeconds'), {
      timeout: 5_000,
    });
    expect(restored.actor.awake).toBe(true);
    expect(restored.status?.phase).toBe('Succeeded');
  });

  it('a job restored suspended keeps no actor and its unchanged record is not written again', async () => {
    const t = await setup();
    create(t.registry);
    await t.journal.flush();
    const rec = (await readJobRecord(t.stateDir, 'job-a'))!;
    const u = await setup();
    const save = vi.spyOn(u.journal, 'saveRecord');
    u.registry.restore([rec], () => undefined);
    const entry = u.registry.get('job-a')!;
    expect(entry.actor.awake).toBe(false);
    expect(entry.status).toEqual(rec.status);
    expect(save).not.toHaveBeenCalled();
    expect(u.phases).toEqual([]);
  });

  it('the status key of a projected status is the one of its schema-parsed copy (no parse per status)', async () => {
    const t = await setup({ exitCodes: [1, 0] });
    const statuses: SparkJobStatus[] = [];
    const save = t.journal.saveRecord.bind(t.journal);
    vi.spyOn(t.journal, 'saveRecord').mockImplementation((rec, opts) => (statuses.push(rec.status), save(rec, opts)));
    const entry = create(t.registry, testJob({ restartPolicy: { type: 'OnFailure', onFailureRetries: 1, onFailureRetryInterval: 0 } }));
    await vi.waitFor(() => expect(entry.status?.phase).toBe('Succeeded'), { timeout: 10_000 });
    expect(new Set(statuses.map((s) => s.phase)).size).toBeGreaterThan(4);
    for (const s of statuses) expect(statusKey(s)).toBe(canonicalJson(SparkJobStatusSchema.parse(s)));
  });
});
