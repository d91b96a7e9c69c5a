import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { LABELS } from '../../src/backends/ports.js';
import { Controller } from '../../src/controller/controller.js';
import { silentLogger } from '../../src/logger.js';
import { fakeJob, phaseIs, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, TEST_IMAGES, uniqueId } from '../support/docker.js';
import { createPrivateDockerd, loadImage, recordedCreates, type PrivateDockerd } from './support/private-dockerd.js';

/**
 * A real engine restart: a private dockerd (its own socket, data-root, exec-root and pidfile) is
 * stopped and started again while drivers run, with --live-restore on and off.
 */
describe('Docker engine restarted while drivers run (a private dockerd)', () => {
  let engine: PrivateDockerd;
  let root: string;
  let controller: Controller | undefined;
  let docker: DockerBackend | undefined;
  const creates = new Map<string, string>();
  const createsOf = (job: string) => [...creates.values()].filter((j) => j === job).length;

  beforeAll(async () => {
    await ensureTestImages();
    engine = await createPrivateDockerd();
    await engine.start({ liveRestore: true });
    await loadImage(TEST_IMAGES.sparkFake, engine);
  }, 90_000);
  afterAll(async () => {
    await engine?.close();
  }, 90_000);
  afterEach(async () => {
    await controller?.stop();
    await docker?.close();
    await rm(root, { recursive: true, force: true });
    controller = docker = undefined;
  });

  const startController = async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-restart-'));
    await mkdir(join(root, 'jobs'));
    docker = createDockerBackend({ instance: uniqueId('r'), socketPath: engine.socketPath, stopTimeoutSeconds: 1 });
    controller = new Controller({
      jobsDir: join(root, 'jobs'),
      stateDir: join(root, 'state'),
      logger: silentLogger(),
      relistIntervalMs: 500,
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    await controller.start();
    return join(root, 'jobs');
  };

  /** Stops the engine (after noting what it created so far) and starts it again. */
  const restartEngine = async (liveRestore: boolean, whileDown?: () => Promise<void>) => {
    await recordedCreates(engine, LABELS.job, creates);
    await engine.stop();
    await whileDown?.();
    await engine.start({ liveRestore });
  };

  it('with --live-restore the job re-attaches to the same driver and completes: one container, attempt 1', async () => {
    const jobs = await startController();
    await writeFile(
      join(jobs, 'steady.yaml'),
      fakeJob('steady', `  sparkConf: {spark.fake.sleepSeconds: "6"}\n  restartPolicy: {type: Never}\n`),
    );
    const running = await waitForStatus(join(jobs, 'steady.yaml'), phaseIs('Running'));
    expect(running.executionAttempts).toBe(1);
    await restartEngine(true, async () => {
      // The driver outlives the engine: the job stays Running and says why it cannot see it.
      const s = await waitForStatus(join(jobs, 'steady.yaml'), (st) => /cannot reach the Docker engine/.test(st.message ?? ''));
      expect(s.phase).toBe('Running');
    });

    const done = await waitForStatus(join(jobs, 'steady.yaml'), phaseIs('Succeeded', 'Failed'), 40_000);
    expect(done.phase, JSON.stringify(done)).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect(done.exitCode).toBe(0);
    expect(done.driver?.containerId).toBe(running.driver?.containerId);
    await recordedCreates(engine, LABELS.job, creates);
    expect(createsOf('steady')).toBe(1);
  }, 90_000);

  it('without --live-restore the driver dies with the engine and restartPolicy decides: Never fails clearly, OnFailure runs exactly once more', async () => {
    await engine.stop();
    await engine.start({ liveRestore: false });
    const jobs = await startController();
    await writeFile(
      join(jobs, 'never.yaml'),
      fakeJob('never', `  sparkConf: {spark.fake.sleepSeconds: "30"}\n  restartPolicy: {type: Never}\n`),
    );
    await writeFile(
      join(jobs, 'retry.yaml'),
      fakeJob(
        'retry',
        `  sparkConf: {spark.fake.sleepSeconds: "4"}\n  restartPolicy: {type: OnFailure, onFailureRetries: 3, onFailureRetryInterval: 1}\n`,
      ),
    );
    await waitForStatus(join(jobs, 'never.yaml'), phaseIs('Running'));
    await waitForStatus(join(jobs, 'retry.yaml'), phaseIs('Running'));
    // The engine stops the drivers (SIGTERM) as it shuts down.
    await restartEngine(false);

    const failed = await waitForStatus(join(jobs, 'never.yaml'), phaseIs('Failed', 'Succeeded'), 40_000);
    expect(failed.phase, JSON.stringify(failed)).toBe('Failed');
    expect(failed.executionAttempts).toBe(1);
    expect(failed.exitCode).toBe(143);
    expect(failed.message).toBe('driver exited with code 143: the driver was stopped by SIGTERM');
    const retried = await waitForStatus(join(jobs, 'retry.yaml'), phaseIs('Failed', 'Succeeded'), 40_000);
    expect(retried.phase, JSON.stringify(retried)).toBe('Succeeded');
    expect(retried.executionAttempts).toBe(2);
    await recordedCreates(engine, LABELS.job, creates);
    expect(createsOf('never')).toBe(1);
    expect(createsOf('retry')).toBe(2);
  }, 90_000);
});
