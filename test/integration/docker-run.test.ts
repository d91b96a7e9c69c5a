import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../src/backends/ports.js';
import { containerName } from '../../src/backends/docker/build-container-spec.js';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { callIO, ensureTestImages, inspectContainer, makeRun, removeInstanceContainers, testDocker, uniqueId } from '../support/docker.js';

// Drivers of the fake Spark image run for real on the local engine, from start to release.
describe('docker backend: running a driver', () => {
  const instance = uniqueId('run');
  let backend: DockerBackend;
  let dest: string;

  // What the operator grants these drivers: the scratch folder, host network, two named variables.
  const policy = () => ({
    allowHostNetwork: true,
    allowedHostPaths: [dest],
    allowedSecretEnv: ['SPARKCTL_TEST_MESOS_SECRET', 'SPARKCTL_TEST_UNSET_SECRET'],
  });

  beforeAll(async () => {
    await ensureTestImages();
    dest = await mkdtemp(join(tmpdir(), 'sparkctl-docker-run-'));
    backend = createDockerBackend({ instance, capacity: { cpus: 8, memMiB: 8192 }, policy: policy() });
    await backend.connect(undefined, callIO());
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await backend.close();
    await rm(dest, { recursive: true, force: true });
  });

  it('runs SparkPi end to end: start, wait with streamed logs, collect exit code, log and outputs, release', async () => {
    const run = makeRun({
      sparkConf: { 'spark.app.name': 'pi-e2e', 'spark.fake.output': '/out/result.txt' },
      outputs: [{ name: 'result', path: '/out/result.txt' }],
    });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    expect(ref).toMatchObject({ backend: 'docker', containerName: containerName(instance, run.name, 1) });

    let streamed = '';
    const exit = await backend.wait(run, ref, { ...callIO(), onLog: (c) => (streamed += c) });
    expect(exit).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    expect(streamed).toMatch(/INFO SparkContext: Running Spark version 3\.5\.3/);

    const collected = await backend.collect(run, ref, join(dest, 'e2e'), callIO());
    expect(collected.exitCode).toBe(0);
    expect(collected.log).toMatch(/Pi is roughly 3\.1\d+/);
    expect(collected.log).toContain('INFO SparkContext: Submitted application: pi-e2e');
    expect(collected.log).toContain('Parsed arguments: master=local[1] deployMode=client class=org.apache.spark.examples.SparkPi');
    expect(collected.log).toContain('Conf: spark.driver.memory=64m');
    expect(collected.log).toContain('Application arguments: 10');
    expect(collected.outputs).toEqual([{ name: 'result', path: join(dest, 'e2e', 'result'), bytes: expect.any(Number) }]);
    expect(await readFile(join(dest, 'e2e', 'result'), 'utf8')).toMatch(/^Pi is roughly 3\.1\d+\n$/);

    await backend.release(run, ref, reservation, callIO());
    expect(await inspectContainer(ref.containerId!)).toBeUndefined();
    expect(backend.resources().held).not.toContain(reservation.key);
    await backend.release(run, ref, reservation, callIO());
  });

  it('propagates a non-zero exit code and reports missing outputs as entries, not throws', async () => {
    const run = makeRun({
      driver: { cores: 0.5, memory: '64m', memoryOverhead: '64m', env: [{ name: 'SPARK_FAKE_EXIT_CODE', value: '3' }] },
      outputs: [{ name: 'result', path: '/out/never.txt' }],
    });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    const exit = await backend.wait(run, ref, callIO());
    expect(exit).toMatchObject({ exitCode: 3, outcome: 'failed' });
    expect(exit.message).toBeUndefined();
    const collected = await backend.collect(run, ref, join(dest, 'exit3'), callIO());
    expect(collected.exitCode).toBe(3);
    expect(collected.log).toContain('requested exit code 3');
    expect(collected.outputs).toHaveLength(1);
    expect(collected.outputs[0]!.bytes).toBeUndefined();
    expect(collected.outputs[0]!.error).toMatch(/\/out\/never\.txt does not exist/);
    await backend.release(run, ref, reservation, callIO());
  });

  it('refuses an output over the size limit and a folder as an output', async () => {
    const small = createDockerBackend({ instance, capacity: { cpus: 8, memMiB: 8192 }, maxOutputBytes: 1000 });
    const run = makeRun({
      sparkConf: { 'spark.fake.output': '/out/big.bin', 'spark.fake.outputBytes': '5000' },
      outputs: [
        { name: 'big', path: '/out/big.bin' },
        { name: 'folder', path: '/out' },
      ],
    });
    const reservation = await small.requestResources(run, callIO());
    const ref = await small.start(run, reservation, callIO());
    await small.wait(run, ref, callIO());
    const collected = await small.collect(run, ref, join(dest, 'limits'), callIO());
    expect(collected.outputs[0]!.error).toMatch(/5000 bytes, more than the limit of 1000/);
    expect(collected.outputs[1]!.error).toMatch(/is a directory/);
    await small.release(run, ref, reservation, callIO());
    await small.close();
  });

  it('stops waiting when the signal aborts; release then stops and removes the running container', async () => {
    const run = makeRun({ sparkConf: { 'spark.fake.sleepSeconds': '300' } });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    const ac = new AbortController();
    let sawLog!: () => void;
    const logged = new Promise<void>((r) => (sawLog = r));
    const waiting = backend.wait(run, ref, { ...callIO(ac.signal), onLog: (c) => c.includes('running for 300s') && sawLog() });
    await logged;
    ac.abort(new Error('job deleted'));
    await expect(waiting).rejects.toThrow('job deleted');
    expect((await inspectContainer(ref.containerId!))?.State.Running).toBe(true);

    const t0 = Date.now();
    await backend.release(run, ref, reservation, callIO());
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await inspectContainer(ref.containerId!)).toBeUndefined();
  });

  it('starts a run once: a second start returns the same container', async () => {
    const run = makeRun({ sparkConf: { 'spark.fake.sleepSeconds': '300' } });
    const reservation = await backend.requestResources(run, callIO());
    const twin = createDockerBackend({ instance, capacity: { cpus: 8, memMiB: 8192 } });
    const [a, b, t] = await Promise.all([
      backend.start(run, reservation, callIO()),
      backend.start(run, reservation, callIO()),
      twin.start(run, reservation, callIO()),
    ]);
    const c = await backend.start(run, reservation, callIO());
    expect(b.containerId).toBe(a.containerId);
    expect(t.containerId).toBe(a.containerId);
    expect(c.containerId).toBe(a.containerId);
    await twin.close();
    const drivers = (await backend.listDrivers(callIO())).filter((d) => d.job === run.name);
    expect(drivers).toHaveLength(1);
    await backend.release(run, a, reservation, callIO());
  });

  it('labels the container, applies limits and security options, and lists it as an owned driver', async () => {
    const run = makeRun(
      {
        sparkConf: { 'spark.fake.sleepSeconds': '300' },
        driver: { cores: 0.5, memory: '64m', memoryOverhead: '64m', env: [{ name: 'GREETING', value: 'hi there' }] },
      },
      { attempt: 2, specHash: 'abc123' },
    );
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    const info = (await inspectContainer(ref.containerId!))!;
    expect(info.Name).toBe(`/sparkctl-${instance}-${run.name}-2`);
    expect(info.Config.Labels).toMatchObject({
      [LABELS.managedBy]: 'sparkctl',
      [LABELS.instance]: instance,
      [LABELS.job]: run.name,
      [LABELS.specHash]: 'abc123',
      [LABELS.attempt]: '2',
    });
    expect(info.Config.Cmd).toEqual(
      expect.arrayContaining(['/opt/spark/bin/spark-submit', '--master', 'local[1]', '--class', 'org.apache.spark.examples.SparkPi']),
    );
    expect(info.Config.Env).toContain('GREETING=hi there');
    expect(info.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 128 * 1024 * 1024,
      NetworkMode: 'none',
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      Privileged: false,
    });
    expect(info.HostConfig.PidMode ?? '').toBe('');

    const owned = await backend.listDrivers(callIO());
    expect(owned).toContainEqual({
      ref: { backend: 'docker', containerId: ref.containerId, containerName: ref.containerName },
      job: run.name,
      specHash: 'abc123',
      attempt: 2,
      running: true,
    });
    const other = createDockerBackend({ instance: uniqueId('other') });
    expect((await other.listDrivers(callIO())).map((d) => d.job)).not.toContain(run.name);
    await backend.release(run, ref, reservation, callIO());
    expect((await backend.listDrivers(callIO())).map((d) => d.job)).not.toContain(run.name);
  });

  it('binds volumes (read-only when asked) and refuses a host path that does not exist', async () => {
    const run = makeRun({
      volumes: [{ hostPath: dest, containerPath: '/in', readOnly: true }],
      sparkConf: { 'spark.fake.requireFiles': '/in' },
    });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    expect((await inspectContainer(ref.containerId!))!.HostConfig.Binds).toEqual([`${dest}:/in:ro`]);
    expect(await backend.wait(run, ref, callIO())).toMatchObject({ exitCode: 0 });
    await backend.release(run, ref, reservation, callIO());

    const missing = makeRun({ volumes: [{ hostPath: join(dest, 'no-such-dir'), containerPath: '/in', readOnly: false }] });
    await expect(backend.requestResources(missing, callIO())).rejects.toMatchObject({
      reason: 'InvalidSpec',
      errorClass: 'terminal',
      message: expect.stringMatching(/spec\.volumes\[0\]\.hostPath/),
    });
  });

  it('runs a Mesos client-mode driver as the same container: host network, certificates read-only at /certs, secret by env', async () => {
    const certs = join(dest, 'certs');
    await mkdir(certs, { recursive: true });
    // libprocess needs all three (LIBPROCESS_SSL_CERT_FILE, _KEY_FILE, _CA_FILE), readable by the driver's user.
    for (const f of ['mesos.crt', 'mesos.key', 'trustedroot.crt']) await writeFile(join(certs, f), f, { mode: 0o644 });
    const withSecret = createDockerBackend({
      instance,
      capacity: { cpus: 8, memMiB: 8192 },
      env: { SPARKCTL_TEST_MESOS_SECRET: 's3cret' },
      policy: policy(),
    });
    const run = makeRun({
      master: 'mesos://127.0.0.1:5050',
      network: 'host',
      mesos: { certsDir: certs, principal: 'spark', secretRef: { env: 'SPARKCTL_TEST_MESOS_SECRET' } },
      sparkConf: { 'spark.fake.requireFiles': '/certs/mesos.crt', 'spark.fake.printEnv': 'SPARK_MESOS_PRINCIPAL,SPARK_MESOS_SECRET' },
    });
    const reservation = await withSecret.requestResources(run, callIO());
    const ref = await withSecret.start(run, reservation, callIO());
    const info = (await inspectContainer(ref.containerId!))!;
    expect(info.HostConfig.NetworkMode).toBe('host');
    expect(info.HostConfig.Binds).toEqual([`${certs}:/certs:ro`]);
    expect(info.Config.Cmd!.join(' ')).not.toContain('s3cret');
    expect(await withSecret.wait(run, ref, callIO())).toMatchObject({ exitCode: 0, outcome: 'succeeded' });
    const { log } = await withSecret.collect(run, ref, join(dest, 'mesos'), callIO());
    expect(log).toContain('Registering with Mesos master at mesos://127.0.0.1:5050');
    expect(log).toContain('Found file /certs/mesos.crt');
    expect(log).toContain('Env: SPARK_MESOS_PRINCIPAL=spark');
    // The driver had the secret (it printed it), and the collected log masks it.
    expect(log).toContain('Env: SPARK_MESOS_SECRET=******');
    expect(log).not.toContain('s3cret');
    await withSecret.release(run, ref, reservation, callIO());

    const unset = makeRun({
      master: 'mesos://127.0.0.1:5050',
      network: 'host',
      mesos: { secretRef: { env: 'SPARKCTL_TEST_UNSET_SECRET' } },
    });
    await expect(backend.requestResources(unset, callIO())).rejects.toMatchObject({
      errorClass: 'terminal',
      message: expect.stringContaining('SPARKCTL_TEST_UNSET_SECRET is not set'),
    });
    await withSecret.close();
  });

  it('reports a driver whose container vanished as lost', async () => {
    const run = makeRun({ sparkConf: { 'spark.fake.sleepSeconds': '300' } });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    await testDocker().getContainer(ref.containerId!).remove({ force: true });
    expect(await backend.wait(run, ref, callIO())).toMatchObject({ exitCode: null, outcome: 'lost' });
    expect((await backend.collect(run, ref, join(dest, 'lost'), callIO())).exitCode).toBeNull();
    await backend.release(run, ref, reservation, callIO());
  });

  it('releases a run whose driver reference was lost, by its deterministic name', async () => {
    const run = makeRun({ sparkConf: { 'spark.fake.sleepSeconds': '300' } });
    const reservation = await backend.requestResources(run, callIO());
    const ref = await backend.start(run, reservation, callIO());
    await backend.release(run, undefined, undefined, callIO());
    expect(await inspectContainer(ref.containerId!)).toBeUndefined();
    expect(backend.resources().held).not.toContain(reservation.key);
  });
});
