import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../../support/controller-harness.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import { callsOf, ensureFakeImage, SECRET, testBackend } from './backend-harness.js';

/** The flags these tests' controller runs with: --allow-secret-env MESOS_TEST_SECRET. */
const policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] };

describe('controller with the Mesos backend (emulated master, real Docker engine)', () => {
  let h: Harness | undefined;
  let master: MesosMaster | undefined;
  let mesos: MesosBackend | undefined;
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    await h?.close();
    await mesos?.close();
    await master?.close();
    h = undefined;
    mesos = undefined;
    master = undefined;
  });

  const clusterJob = (name: string, port: number, extra = '') =>
    fakeJob(
      name,
      `  master: mesos://127.0.0.1:${port}\n  mode: cluster\n  mesos: {role: "*", principal: spark, secretRef: {env: MESOS_TEST_SECRET}}\n${extra}`,
    );

  it('runs a cluster-mode SparkJob to Succeeded: status written, log collected, the secret nowhere', async () => {
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
    const t = testBackend();
    mesos = t.backend;
    h = await createHarness({ policy, mesos: () => mesos! });
    await h.write(
      'pi.yaml',
      clusterJob(
        'pi',
        master.port,
        `  sparkConf: {spark.fake.output: /out/result.txt}\n  outputs: [{name: result, path: /out/result.txt}]\n`,
      ),
    );
    await h.start();
    const file = join(h.jobsDir, 'pi.yaml');
    const status = await waitForStatus(file, phaseIs('Succeeded', 'Failed'), 45_000);
    expect(status.phase).toBe('Succeeded');
    expect(status.exitCode).toBe(0);
    expect(status.driver).toMatchObject({
      backend: 'mesos',
      taskId: 'sparkctl.pi.1.' + status.observedSpecHash!.slice(0, 12),
      agentId: master.agentIds[0],
    });
    const log = await readFile(join(h.stateDir, 'jobs', 'pi', 'logs', 'attempt-1.log'), 'utf8');
    expect(log).toContain('Pi is roughly');
    expect(await readFile(status.results!.outputs[0]!.path, 'utf8')).toContain('Pi is roughly');
    expect(log).not.toContain(SECRET);
    expect(await readFile(file, 'utf8')).not.toContain(SECRET);
    expect(callsOf(master.calls(), 'ACCEPT')).toHaveLength(1);
    expect(master.tasks().map((x) => x.state)).toEqual(['TASK_FINISHED']);
  });

  it('fails a job whose driver cannot get an offer by startDeadlineSeconds, saying what it asked for and what was offered', async () => {
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
    const t = testBackend();
    mesos = t.backend;
    h = await createHarness({ policy, mesos: () => mesos! });
    await h.write(
      'big.yaml',
      clusterJob('big', master.port, `  startDeadlineSeconds: 3\n`).replace('driver: {cores: 0.5', 'driver: {cores: 8'),
    );
    await h.start();
    const status = await waitForStatus(join(h.jobsDir, 'big.yaml'), phaseIs('Failed'), 30_000);
    expect(status.message).toContain('cpus 8');
    expect(status.message).toMatch(/last offered: 127\.0\.0\.1 \(role \*, cpus 2/);
    expect(master.tasks()).toHaveLength(0);
  });
});
