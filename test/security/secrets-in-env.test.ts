import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { callIO, ensureTestImages, makeRun, removeInstanceContainers, testDocker, uniqueId } from '../support/docker.js';

const MESOS_SECRET = 'mesos-pw-4711';
const ENV_SECRET = 'tok-4711';

describe('the Docker backend passes secrets in the environment only (real engine)', () => {
  const instance = uniqueId('e');
  const backend = createDockerBackend({
    instance,
    capacity: { cpus: 4, memMiB: 4096 },
    stopTimeoutSeconds: 1,
    env: { TEAM_SECRET: MESOS_SECRET },
    policy: { allowHostNetwork: true, allowedHostPaths: [], allowedSecretEnv: ['TEAM_SECRET'] },
  });
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterAll(async () => {
    await backend.close();
    await removeInstanceContainers(instance);
  });

  it('a Mesos client-mode driver gets SPARK_MESOS_SECRET and secret env values in Env, never in Cmd, Args, its name or labels', async () => {
    const run = makeRun({
      master: 'mesos://127.0.0.1:5050',
      mode: 'client',
      network: 'host',
      mesos: { principal: 'spark', secretRef: { env: 'TEAM_SECRET' } },
      driver: { cores: 0.5, memory: '64m', memoryOverhead: '64m', env: [{ name: 'TOKEN', value: ENV_SECRET, secret: true }] },
      sparkConf: { 'spark.fake.sleepSeconds': '20' },
    });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    try {
      const info = await testDocker().getContainer(ref.containerId!).inspect();
      const visible = JSON.stringify([info.Path, info.Args, info.Config.Cmd, info.Config.Entrypoint, info.Name, info.Config.Labels]);
      expect(visible).not.toContain(MESOS_SECRET);
      expect(visible).not.toContain(ENV_SECRET);
      expect(info.Config.Env).toEqual(
        expect.arrayContaining([`SPARK_MESOS_SECRET=${MESOS_SECRET}`, `TOKEN=${ENV_SECRET}`, 'SPARK_MESOS_PRINCIPAL=spark']),
      );
    } finally {
      await backend.release(run, ref, reservation, callIO());
    }
  });
});
