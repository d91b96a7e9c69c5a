import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../src/controller/controller.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob, phaseIs, readFileStatus, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers, uniqueId } from '../support/docker.js';
import { startDockerSocketProxy, type DockerSocketProxy } from '../support/docker-socket-proxy.js';
import { recordContainerEvents } from './support/docker-events.js';

let faults = 0;

describe('Docker engine unreachable (a cut socket proxy; the shared engine keeps running)', () => {
  let root: string;
  let instance: string;
  let proxy: DockerSocketProxy;
  let controller: Controller | undefined;
  let docker: DockerBackend | undefined;
  const logLines: string[] = [];
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await controller?.stop();
    await docker?.close();
    await proxy?.close();
    await removeInstanceContainers(instance);
    await rm(root, { recursive: true, force: true });
  });
  afterAll(() => {
    process.stdout.write(`engine-faults: ${faults} engine outages injected, controller crashes: 0\n`);
  });

  const setUp = async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-engine-'));
    instance = uniqueId('e');
    proxy = await startDockerSocketProxy();
    await mkdir(join(root, 'jobs'));
    docker = createDockerBackend({ instance, socketPath: proxy.socketPath, stopTimeoutSeconds: 1 });
    logLines.length = 0;
    const destination = new Writable({
      write(c: Buffer, _e, cb) {
        logLines.push(c.toString());
        cb();
      },
    });
    controller = new Controller({
      jobsDir: join(root, 'jobs'),
      stateDir: join(root, 'state'),
      logger: createLogger({ destination, level: 'info' }),
      relistIntervalMs: 500,
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    return { jobs: join(root, 'jobs'), state: join(root, 'state'), since: await recordContainerEvents(instance) };
  };

  it('a job submitted while the engine is unreachable waits in Connecting, says why, and runs once the engine is back', async () => {
    const { jobs, since } = await setUp();
    await proxy.cut();
    faults += 1;
    await controller!.start();
    await writeFile(join(jobs, 'patient.yaml'), fakeJob('patient'));
    const waiting = await waitForStatus(
      join(jobs, 'patient.yaml'),
      (s) => s.phase === 'Connecting' && /cannot reach the Docker engine/.test(s.message ?? ''),
    );
    expect(waiting.message).toMatch(/start dockerd/);
    await proxy.restore();
    const done = await waitForStatus(join(jobs, 'patient.yaml'), phaseIs('Succeeded'), 40_000);
    expect(done.executionAttempts).toBe(1);
    const events = await since.stop();
    expect(events.get('patient')?.create).toBe(1);
  });

  it('an outage while drivers run: the jobs keep their drivers, re-attach when the engine is back, and are never doubled', async () => {
    const { jobs, state, since } = await setUp();
    await writeFile(
      join(jobs, 'never.yaml'),
      fakeJob('never', `  sparkConf: {spark.fake.sleepSeconds: "5"}\n  restartPolicy: {type: Never}\n`),
    );
    await writeFile(
      join(jobs, 'retry.yaml'),
      fakeJob(
        'retry',
        `  sparkConf: {spark.fake.sleepSeconds: "5"}\n  restartPolicy: {type: OnFailure, onFailureRetries: 2, onFailureRetryInterval: 1}\n`,
      ),
    );
    await controller!.start();
    await waitForStatus(join(jobs, 'never.yaml'), phaseIs('Running'));
    await waitForStatus(join(jobs, 'retry.yaml'), phaseIs('Running'));
    await proxy.cut();
    faults += 1;
    // Both notice the outage (their wait on the driver broke) and say so, still Running.
    for (const job of ['never', 'retry']) {
      const s = await waitForStatus(join(jobs, `${job}.yaml`), (st) => /cannot reach the Docker engine/.test(st.message ?? ''));
      expect(s.phase).toBe('Running');
    }
    await proxy.restore();

    for (const job of ['never', 'retry']) {
      const done = await waitForStatus(join(jobs, `${job}.yaml`), phaseIs('Failed', 'Succeeded'), 60_000);
      expect(done.phase, job).toBe('Succeeded');
      expect(done.executionAttempts, job).toBe(1);
    }

    // The controller said what happened, in the job's events and its log.
    for (const job of ['never', 'retry']) {
      const ev = await readJobEvents(state, job);
      expect(
        ev.some((e) => e.type === 'Warning' && /cannot reach the Docker engine/.test(e.message)),
        job,
      ).toBe(true);
    }
    expect(logLines.join('')).toMatch(/"phase":"Releasing"/);

    // It still takes new work.
    await writeFile(join(jobs, 'after.yaml'), fakeJob('after'));
    expect((await waitForStatus(join(jobs, 'after.yaml'), phaseIs('Succeeded'))).executionAttempts).toBe(1);

    const events = await since.stop();
    expect(events.get('never')?.create).toBe(1);
    expect(events.get('retry')?.create).toBe(1);
    expect(events.get('after')?.create).toBe(1);
    expect(await readFileStatus(join(jobs, 'never.yaml'))).toMatchObject({ executionAttempts: 1 });
  });
});
