import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../../src/backends/docker/build-container-spec.js';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import type { JobRun } from '../../src/backends/ports.js';
import { TEST_IMAGES, callIO, ensureTestImages, inspectContainer, makeRun, removeInstanceContainers, uniqueId } from '../support/docker.js';

// The driver environment reaches real containers, and the test image (as strict as real Spark) accepts it.
describe('docker backend: the driver environment real Spark needs', () => {
  const instance = uniqueId('env');
  let backend: DockerBackend;
  let dest: string;

  /** Runs one attempt to its end and returns the exit and the collected log. */
  const runToEnd = async (run: JobRun) => {
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    try {
      const exit = await backend.wait(run, ref, callIO());
      const { log } = await backend.collect(run, ref, join(dest, run.name), callIO());
      return { exit, log, ref };
    } finally {
      await backend.release(run, ref, reservation, callIO());
    }
  };

  beforeAll(async () => {
    await ensureTestImages();
    dest = await mkdtemp(join(tmpdir(), 'sparkctl-driver-env-'));
    // As started with --allow-host-network --allow-host-path <the test folder>.
    backend = createDockerBackend({
      instance,
      capacity: { cpus: 8, memMiB: 8192 },
      advertiseAddress: '127.0.0.1',
      policy: { allowHostNetwork: true, allowedHostPaths: [dest] },
    });
    await backend.connect(undefined, callIO());
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await backend.close();
    await rm(dest, { recursive: true, force: true });
  });

  it('runs a network-none local driver, which can name its host only through SPARK_LOCAL_IP', async () => {
    const { exit, log } = await runToEnd(makeRun({ network: 'none', sparkConf: { 'spark.fake.printEnv': 'SPARK_LOCAL_IP' } }));
    expect(exit).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(log).toContain('Env: SPARK_LOCAL_IP=127.0.0.1');
    expect(log).toContain('Conf: spark.driver.host=127.0.0.1');
  });

  it('gives a client-mode Mesos driver libmesos, the advertised address and spark.cores.max', async () => {
    const run = makeRun({
      master: 'mesos://127.0.0.1:5050',
      network: 'host',
      executor: { cores: 2, instances: 3 },
      sparkConf: { 'spark.fake.printEnv': 'MESOS_NATIVE_JAVA_LIBRARY,LIBPROCESS_IP,LIBPROCESS_ADVERTISE_IP' },
    });
    const { exit, log } = await runToEnd(run);
    expect(exit).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(log).toContain('Loaded native Mesos library from /usr/lib/libmesos.so');
    expect(log).toContain('Env: LIBPROCESS_IP=127.0.0.1');
    expect(log).toContain('Env: LIBPROCESS_ADVERTISE_IP=127.0.0.1');
    expect(log).toContain('Conf: spark.driver.host=127.0.0.1');
    expect(log).toContain('Conf: spark.cores.max=6');
    expect(log).not.toContain('spark.executor.instances');
  });

  it('fails early, before any container, when the image lacks libmesos at spec.mesos.nativeLibrary', async () => {
    const noLib = makeRun({ image: TEST_IMAGES.busybox, master: 'mesos://127.0.0.1:5050', network: 'host' });
    const reservation = await backend.requestResources(noLib, callIO());
    await expect(backend.start(noLib, reservation, callIO())).rejects.toMatchObject({
      code: 'SPARKCTL_DOCKER_NATIVE_LIBRARY_MISSING',
      errorClass: 'terminal',
      message: expect.stringMatching(
        /image sparkctl\/busybox:test has no Mesos native library at \/usr\/lib\/libmesos\.so \(spec\.mesos\.nativeLibrary\).*examples\/images\/spark-mesos\/Dockerfile/,
      ),
    });
    expect(await inspectContainer(containerName(instance, noLib.name, 1))).toBeUndefined();
    await backend.release(noLib, undefined, reservation, callIO());

    const elsewhere = makeRun({
      master: 'mesos://127.0.0.1:5050',
      network: 'host',
      mesos: { nativeLibrary: '/usr/local/lib/libmesos.so' },
    });
    const r2 = await backend.requestResources(elsewhere, callIO());
    await expect(backend.start(elsewhere, r2, callIO())).rejects.toMatchObject({ code: 'SPARKCTL_DOCKER_NATIVE_LIBRARY_MISSING' });
    await backend.release(elsewhere, undefined, r2, callIO());
  });

  it('speaks TLS to the master through libprocess with certsDir, and fails when the key is not readable by the driver user', async () => {
    const certs = join(dest, 'certs');
    await mkdir(certs, { recursive: true });
    for (const f of ['mesos.crt', 'mesos.key', 'trustedroot.crt']) await writeFile(join(certs, f), f, { mode: 0o644 });
    const spec = { master: 'mesos://127.0.0.1:5050', network: 'host', mesos: { certsDir: certs } };
    const ok = await runToEnd(makeRun(spec));
    expect(ok.exit).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(ok.log).toContain('TLS enabled with certificate /certs/mesos.crt');
    expect(ok.log).not.toContain('spark.ssl.enabled');

    // A key readable only by another user: the driver (root without capabilities here) cannot load it.
    await chmod(join(certs, 'mesos.key'), 0o600);
    await chown(join(certs, 'mesos.key'), 4242, 4242);
    const unreadable = await runToEnd(makeRun(spec));
    expect(unreadable.exit).toMatchObject({ exitCode: 1, outcome: 'failed' });
    expect(unreadable.log).toContain("Could not load key file '/certs/mesos.key'");
  });
});
