import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { DockerCallError, EngineUnavailableError } from '../../src/backends/docker/errors.js';
import { CONNECT_RETRY_MAX_MS } from '../../src/machines/spark-job-machine.js';
import type { DriverInput, WaitOutput } from '../../src/machines/types.js';
import { specHashForTest } from './spec-hash-for-test.js';
import { machineWithFakes, testJob, type FakeLog } from './fake-actors.js';

const start = (log: FakeLog, spec: Record<string, unknown> = {}, behaviour = {}) => {
  const job = testJob(spec);
  const actor = createActor(machineWithFakes(log, behaviour), {
    input: { name: job.metadata.name, spec: job.spec, specHash: specHashForTest(job.spec) },
  });
  actor.start();
  return actor;
};

describe('sparkJobMachine', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs pending → … → succeeded and releases what it acquired', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log);
    const snap = await waitFor(actor, (s) => s.matches('succeeded'));
    expect(log.calls).toEqual(['connect', 'reserve:1', 'start:1', 'wait:1', 'collect:1', 'release:1:driver:reservation']);
    expect(snap.context.executionAttempts).toBe(1);
    expect(snap.context.collected?.exitCode).toBe(0);
  });

  it('retries a failing driver per OnFailure with growing delays, then fails', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(
      log,
      { restartPolicy: { type: 'OnFailure', onFailureRetries: 2, onFailureRetryInterval: 10 } },
      { exitCodes: [3, 3, 3] },
    );
    await waitFor(actor, (s) => s.matches('retrying'));
    const first = actor.getSnapshot().context.retryAt! - Date.now();
    await vi.advanceTimersByTimeAsync(first + 1);
    await waitFor(actor, (s) => s.matches('retrying') && s.context.executionFailures === 2);
    const second = actor.getSnapshot().context.retryAt! - Date.now();
    expect(second).toBeGreaterThan(first);
    await vi.advanceTimersByTimeAsync(second + 1);
    const snap = await waitFor(actor, (s) => s.matches('failed'));
    expect(snap.context.executionAttempts).toBe(3);
    expect(snap.context.failure?.message).toContain('code 3');
    expect(log.calls.filter((c) => c.startsWith('release'))).toHaveLength(3);
  });

  it('re-attaches to the same driver when the engine was unreachable, without a new attempt', async () => {
    const log: FakeLog = { calls: [] };
    const job = testJob();
    let waits = 0;
    const machine = machineWithFakes(log).provide({
      actors: {
        waitForDriver: fromPromise<WaitOutput, DriverInput>(async ({ input }) => {
          log.calls.push(`wait:${input.run.attempt}`);
          waits += 1;
          if (waits <= 2) throw new EngineUnavailableError('cannot reach the Docker engine');
          return { exitCode: 0, outcome: 'succeeded', finishedAt: new Date().toISOString() };
        }),
      },
    });
    const actor = createActor(machine, { input: { name: 'job-a', spec: job.spec, specHash: 'h' } }).start();
    await waitFor(actor, (s) => s.matches({ running: 'reattaching' }));
    expect(actor.getSnapshot().context.progress).toContain('re-attaching');
    await vi.advanceTimersByTimeAsync(60_000);
    const snap = await waitFor(actor, (s) => s.matches('succeeded'));
    expect(snap.context.executionAttempts).toBe(1);
    expect(log.calls.filter((c) => c.startsWith('start'))).toEqual(['start:1']);
    expect(log.calls.filter((c) => c.startsWith('wait'))).toEqual(['wait:1', 'wait:1', 'wait:1']);
  });

  it('counts an engine that keeps answering 500 while the driver is followed as a failure, not an outage to wait out', async () => {
    const log: FakeLog = { calls: [] };
    const job = testJob({ restartPolicy: { type: 'Never' } });
    const machine = machineWithFakes(log).provide({
      actors: {
        waitForDriver: fromPromise<WaitOutput, DriverInput>(async ({ input }) => {
          log.calls.push(`wait:${input.run.attempt}`);
          throw new DockerCallError('Docker engine call failed while waiting for the driver: (HTTP code 500) server error');
        }),
      },
    });
    const actor = createActor(machine, { input: { name: 'job-a', spec: job.spec, specHash: 'h' } }).start();
    const snap = await waitFor(actor, (s) => s.matches('failed'));
    expect(snap.context.failure).toMatchObject({ reason: 'EngineCallFailed', stage: 'execution' });
    expect(log.calls.filter((c) => c.startsWith('wait'))).toEqual(['wait:1']);
    expect(log.calls.some((c) => c.startsWith('release'))).toBe(true);
  });

  it('starts suspended when the manifest says so, and runs once resumed', async () => {
    const log: FakeLog = { calls: [] };
    const job = testJob({ suspend: true });
    const actor = createActor(machineWithFakes(log), { input: { name: 'job-a', spec: job.spec, specHash: 'h', suspended: true } }).start();
    expect(actor.getSnapshot().value).toBe('suspended');
    actor.send({ type: 'job.resume' });
    await waitFor(actor, (s) => s.matches('succeeded'));
    expect(log.calls.filter((c) => c.startsWith('start'))).toEqual(['start:1']);
  });

  it('runs once under restartPolicy Never', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, {}, { exitCodes: [3] });
    const snap = await waitFor(actor, (s) => s.matches('failed'));
    expect(snap.context.executionAttempts).toBe(1);
    expect(log.calls.filter((c) => c.startsWith('start'))).toHaveLength(1);
  });

  it('releases on delete while running, then ends deleted', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, {}, { waitForever: true });
    await waitFor(actor, (s) => s.matches('running'));
    actor.send({ type: 'job.delete' });
    await waitFor(actor, (s) => s.status === 'done');
    expect(log.calls.at(-1)).toBe('release:1:driver:reservation');
  });

  it('suspend releases, resume starts a new attempt', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, {}, { waitForever: true });
    await waitFor(actor, (s) => s.matches('running'));
    actor.send({ type: 'job.suspend' });
    await waitFor(actor, (s) => s.matches('suspended'));
    expect(log.calls).toContain('release:1:driver:reservation');
    actor.send({ type: 'job.resume' });
    await waitFor(actor, (s) => s.matches('running'));
    expect(actor.getSnapshot().context.attempt).toBe(2);
  });

  it('a spec change mid-run releases the old run and runs the new spec', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, {}, { waitForever: true });
    await waitFor(actor, (s) => s.matches('running'));
    const next = testJob({ arguments: ['2'] });
    actor.send({ type: 'job.specChanged', spec: next.spec, specHash: 'h2' });
    await waitFor(actor, (s) => s.matches('running') && s.context.specHash === 'h2');
    expect(log.calls).toEqual([
      'connect',
      'reserve:1',
      'start:1',
      'wait:1',
      'release:1:driver:reservation',
      'connect',
      'reserve:2',
      'start:2',
      'wait:2',
    ]);
  });

  it('fails and releases a run past activeDeadlineSeconds', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, { activeDeadlineSeconds: 5, restartPolicy: { type: 'OnFailure' } }, { waitForever: true });
    await waitFor(actor, (s) => s.matches('running'));
    await vi.advanceTimersByTimeAsync(5_001);
    const snap = await waitFor(actor, (s) => s.matches('failed'));
    expect(snap.context.failure?.reason).toBe('ActiveDeadlineExceeded');
    expect(log.calls.at(-1)).toBe('release:1:driver:reservation');
  });

  it('fails a job that waits past startDeadlineSeconds, saying what it waited for', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, { startDeadlineSeconds: 3 });
    // requestResources of the fakes resolves at once; hold it by sending progress and never resolving:
    actor.stop();
    const job = testJob({ startDeadlineSeconds: 3 });
    const waiting = createActor(
      machineWithFakes(log).provide({
        actors: {
          requestResources: (await import('xstate')).fromPromise(
            ({ signal }) => new Promise((_, rej) => signal.addEventListener('abort', () => rej(new Error('aborted')))),
          ),
        },
      }),
      { input: { name: 'job-a', spec: job.spec, specHash: 'h' } },
    ).start();
    await waitFor(waiting, (s) => s.matches({ submitting: 'requestingResources' }));
    waiting.send({ type: 'job.progress', message: 'waiting for 4 CPUs; free: 1' });
    await vi.advanceTimersByTimeAsync(3_001);
    const snap = await waitFor(waiting, (s) => s.matches('failed'));
    expect(snap.context.failure?.reason).toBe('StartDeadlineExceeded');
    expect(snap.context.failure?.message).toContain('waiting for 4 CPUs');
  });

  it('a terminal submission error fails without retry', async () => {
    const log: FakeLog = { calls: [] };
    const err = Object.assign(new Error('image x not present'), { errorClass: 'terminal', reason: 'ImageNotPresent' });
    const actor = start(log, { restartPolicy: { type: 'OnFailure' } }, { requestError: err });
    const snap = await waitFor(actor, (s) => s.matches('failed'));
    expect(snap.context.failure).toMatchObject({ reason: 'ImageNotPresent', errorClass: 'terminal' });
  });

  it('serves a cached result without running', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, { cache: { enabled: true } }, { cached: { specHash: 'h', exitCode: 0, outputs: [] } });
    const snap = await waitFor(actor, (s) => s.matches('succeeded'));
    expect(snap.context.collected?.cached).toBe(true);
    expect(log.calls).toEqual([]);
  });

  it('restores from a persisted snapshot and re-attaches instead of starting again', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, {}, { waitForever: true });
    await waitFor(actor, (s) => s.matches('running'));
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    log.calls = [];
    const job = testJob();
    const restored = createActor(machineWithFakes(log), {
      snapshot: persisted,
      input: { name: 'job-a', spec: job.spec, specHash: 'x' },
    }).start();
    await waitFor(restored, (s) => s.matches('succeeded'));
    expect(log.calls).toEqual(['wait:1', 'collect:1', 'release:1:driver:reservation']);
  });

  it('backs off a down engine from 1 s doubling to CONNECT_RETRY_MAX_MS, and starts over once connected', async () => {
    const log: FakeLog = { calls: [] };
    const behaviour: { connectError?: Error } = { connectError: new Error('connect ECONNREFUSED /var/run/docker.sock') };
    const actor = start(log, {}, behaviour);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const snap = await waitFor(actor, (s) => s.matches({ submitting: 'connectBackoff' }) && s.context.connectRetries === i + 1);
      delays.push(snap.context.retryAt! - Date.now());
      await vi.advanceTimersByTimeAsync(delays[i]!);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, CONNECT_RETRY_MAX_MS, CONNECT_RETRY_MAX_MS, CONNECT_RETRY_MAX_MS]);
    expect(log.calls.filter((c) => c === 'connect')).toHaveLength(9);
    behaviour.connectError = undefined;
    await vi.advanceTimersByTimeAsync(CONNECT_RETRY_MAX_MS);
    const done = await waitFor(actor, (s) => s.matches('succeeded'));
    expect(done.context.connectRetries).toBeUndefined();
    expect(done.context.submissionFailures).toBe(0);
  });
});

describe('timeToLiveSeconds', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forgets results once the TTL after completion has passed, and only then', async () => {
    const log: FakeLog = { calls: [] };
    const actor = start(log, { timeToLiveSeconds: 60 });
    await waitFor(actor, (s) => s.matches('succeeded'));
    expect(actor.getSnapshot().context.collected).toBeDefined();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(actor.getSnapshot().context.expired).toBe(false);
    await vi.advanceTimersByTimeAsync(1_001);
    const snap = actor.getSnapshot();
    expect(snap.value).toBe('succeeded');
    expect(snap.context.expired).toBe(true);
    expect(snap.context.collected).toBeUndefined();
  });
});
