import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import type { JobRun } from '../../../src/backends/ports.js';
import { ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });

// A cluster-mode driver task carries the environment real Spark needs on a Mesos agent, and the test image enforces it.
describe('Mesos backend: the driver environment of a cluster task', () => {
  let master: MesosMaster;
  const backends: MesosBackend[] = [];
  const spec = (o: Parameters<typeof mesosSpec>[0] = {}) => mesosSpec({ master: `mesos://127.0.0.1:${master.port}`, ...o });

  /** Runs one attempt through the emulated cluster and returns its exit and collected log. */
  const runToEnd = async (run: JobRun) => {
    const { backend } = testBackend();
    backends.push(backend);
    await backend.connect(runOf(run.spec), io());
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    const exit = await backend.wait(run, ref, io());
    const { log } = await backend.collect(run, ref, mkdtempSync(path.join(tmpdir(), 'collect-env-')), io());
    await backend.release(run, ref, reservation, io());
    return { exit, log };
  };

  beforeAll(async () => {
    ensureFakeImage();
    master = await startMesosMaster({
      agents: [{ cpus: 2, mem: 4096 }],
      heartbeatIntervalSeconds: 0.5,
      allocationIntervalSeconds: 0.2,
      statusUpdateRetrySeconds: 1,
    });
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await master?.close();
  });

  it('passes MESOS_NATIVE_JAVA_LIBRARY and spark.cores.max, and no local-only host settings', async () => {
    const run = runOf(
      spec({ executor: { cores: 1, instances: 3 }, sparkConf: { 'spark.fake.printEnv': 'MESOS_NATIVE_JAVA_LIBRARY,SPARK_LOCAL_IP' } }),
      'env-ok',
    );
    const { exit, log } = await runToEnd(run);
    expect(exit).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(log).toContain('Env: MESOS_NATIVE_JAVA_LIBRARY=/usr/lib/libmesos.so');
    expect(log).toContain('Loaded native Mesos library from /usr/lib/libmesos.so');
    expect(log).toContain('Env: SPARK_LOCAL_IP=<unset>');
    expect(log).toContain('Conf: spark.cores.max=3');
  });

  it('fails the driver like real Spark when spec.mesos.nativeLibrary names no file in the image', async () => {
    const run = runOf(
      spec({
        mesos: { role: '*', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' }, nativeLibrary: '/usr/local/lib/libmesos.so' },
      }),
      'env-nolib',
    );
    const { exit, log } = await runToEnd(run);
    expect(exit).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(log).toContain("java.lang.UnsatisfiedLinkError: Can't load library: /usr/local/lib/libmesos.so");
  });
});
