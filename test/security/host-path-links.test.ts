import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import type { MesosBackend } from '../../src/backends/mesos/create-mesos-backend.js';
import { checkPolicy } from '../../src/policy/check-policy.js';
import type { Policy } from '../../src/policy/policy.js';
import { callsOf, ensureFakeImage, testBackend } from '../backends/mesos/backend-harness.js';
import { mesosSpec, runOf } from '../backends/mesos/fixtures.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { callIO, ensureTestImages, inspectContainer, makeRun, removeInstanceContainers, testDocker, uniqueId } from '../support/docker.js';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';

const spec = (extra: Record<string, unknown>) =>
  SparkJobSpecSchema.parse({ image: 'x', mainApplicationFile: 'local:///a.jar', mainClass: 'A', ...extra });

// ALLOWED is the operator's --allow-host-path; a job that could write into it planted `root -> /`.
describe('a link inside an allowed folder never leads out of it', () => {
  let allowed: string;
  let policy: Policy;
  beforeAll(async () => {
    await ensureTestImages();
    allowed = await mkdtemp(join(tmpdir(), 'sparkctl-allowed-'));
    await mkdir(join(allowed, 'data'));
    await writeFile(join(allowed, 'data', 'input.txt'), 'input\n');
    await symlink('/', join(allowed, 'root'));
    await symlink(join(allowed, 'data'), join(allowed, 'alias'));
    await symlink(join(allowed, 'loop'), join(allowed, 'loop'));
    policy = { allowHostNetwork: true, allowedHostPaths: [allowed] };
  });
  afterAll(async () => {
    await rm(allowed, { recursive: true, force: true });
  });

  it('refuses hostPath, certsDir and secretRef.file reached through ALLOWED/root -> / as PolicyViolations naming --allow-host-path, without telling where the link leads', async () => {
    const s = spec({
      master: 'mesos://127.0.0.1:5050',
      network: 'host',
      volumes: [{ hostPath: `${allowed}/root/etc`, containerPath: '/e' }],
      mesos: { certsDir: `${allowed}/root/etc/ssl`, secretRef: { file: `${allowed}/root/etc/hostname` } },
    });
    const { violations } = await checkPolicy(s, policy);
    expect(violations.map((v) => v.path)).toEqual(['spec.volumes[0].hostPath', 'spec.mesos.certsDir', 'spec.mesos.secretRef.file']);
    for (const v of violations) expect(v.message).toMatch(/leads out of every --allow-host-path prefix through a link/);
    // Where the link leads is not told (no probing of the host through status messages).
    for (const v of violations) expect(v.message).not.toMatch(/ \/etc\b/);
    // The same folder reached without a link that leaves ALLOWED is fine, and comes back resolved.
    const ok = await checkPolicy(spec({ volumes: [{ hostPath: `${allowed}/alias`, containerPath: '/in' }] }), policy);
    expect(ok.violations).toEqual([]);
    expect(ok.spec.volumes[0]!.hostPath).toBe(join(allowed, 'data'));
  });

  it('refuses a host path it cannot resolve (a link loop), naming the field', async () => {
    const { violations } = await checkPolicy(spec({ volumes: [{ hostPath: `${allowed}/loop/x`, containerPath: '/l' }] }), policy);
    expect(violations).toEqual([
      { path: 'spec.volumes[0].hostPath', message: expect.stringMatching(/cannot be resolved on this host \(ELOOP\)/) as string },
    ]);
  });

  describe('with a controller on the real engine', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('marks a job mounting ALLOWED/root/etc Invalid (PolicyViolation) and creates no container', async () => {
      h = await createHarness({ policy });
      await h.write(
        'escape.yaml',
        fakeJob('escape', `  volumes: [{hostPath: ${allowed}/root/etc, containerPath: /host-etc, readOnly: true}]\n`),
      );
      await h.start();
      const status = await waitForStatus(join(h.jobsDir, 'escape.yaml'), phaseIs('Invalid'));
      expect(status.message).toContain('spec.volumes[0].hostPath: ');
      expect(status.message).toContain('--allow-host-path');
      expect(status.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
      await h.controller.whenIdle();
      expect(await testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${h.instance}`] } })).toEqual([]);
    });
  });

  describe('the Docker backend at launch', () => {
    const instance = uniqueId('links');
    let backend: DockerBackend;
    beforeAll(() => {
      backend = createDockerBackend({ instance, stopTimeoutSeconds: 1, policy });
    });
    afterAll(async () => {
      await removeInstanceContainers(instance);
      await backend.close();
    });

    it('hands Docker the resolved path: a volume of ALLOWED/alias (-> ALLOWED/data) is bound from ALLOWED/data', async () => {
      const run = makeRun({ volumes: [{ hostPath: `${allowed}/alias`, containerPath: '/in', readOnly: true }] });
      const reservation = await backend.requestResources(run, callIO());
      const ref = await backend.start(run, reservation, callIO());
      const info = (await inspectContainer(ref.containerId!))!;
      expect(info.HostConfig.Binds).toEqual([`${join(allowed, 'data')}:/in:ro`]);
      expect(info.Mounts.map((m) => m.Source)).toEqual([join(allowed, 'data')]);
      await backend.release(run, ref, reservation, callIO());
    });

    it('checks again right before it creates the container: a link planted after the controller allowed the path is refused', async () => {
      await mkdir(join(allowed, 'later', 'etc'), { recursive: true });
      const run = makeRun({ volumes: [{ hostPath: `${allowed}/later/etc`, containerPath: '/e' }] }, { name: 'planted' });
      expect((await checkPolicy(run.spec, policy)).violations).toEqual([]);
      const reservation = await backend.requestResources(run, callIO());
      // Between the check and the launch, a job with ALLOWED mounted read-write swaps the folder for a link to /.
      await rm(join(allowed, 'later'), { recursive: true });
      await symlink('/', join(allowed, 'later'));
      await expect(backend.start(run, reservation, callIO())).rejects.toMatchObject({
        reason: 'PolicyViolation',
        errorClass: 'terminal',
        message: expect.stringMatching(/spec\.volumes\[0\]\.hostPath: .*leads out of every --allow-host-path prefix/) as string,
      });
      await expect(backend.requestResources(run, callIO())).rejects.toMatchObject({ reason: 'PolicyViolation' });
      expect(await inspectContainer(`sparkctl-${instance}-planted-1`)).toBeUndefined();
      backend.reclaim(reservation);
      await backend.release(run, undefined, reservation, callIO());
    });
  });

  describe('the Mesos backend (cluster mode) at launch', () => {
    let master: MesosMaster;
    let mesos: MesosBackend | undefined;
    beforeAll(async () => {
      ensureFakeImage();
      master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
    });
    afterEach(async () => {
      await mesos?.close();
      mesos = undefined;
    });
    afterAll(async () => {
      await master?.close();
    });
    const granted = () => ({ ...policy, allowedSecretEnv: ['MESOS_TEST_SECRET'] });

    it('refuses certsDir through ALLOWED/root before any call reaches the master', async () => {
      mesos = testBackend({ policy: granted() }).backend;
      const s = mesosSpec({
        master: `mesos://127.0.0.1:${master.port}`,
        mesos: { role: '*', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' }, certsDir: `${allowed}/root/etc/ssl` },
      });
      const before = master.calls().length;
      await expect(mesos.connect(runOf(s), callIO())).rejects.toMatchObject({
        reason: 'PolicyViolation',
        message: expect.stringContaining('spec.mesos.certsDir') as string,
      });
      await expect(mesos.requestResources(runOf(s, 'certs-escape'), callIO())).rejects.toMatchObject({ reason: 'PolicyViolation' });
      expect(master.calls().length).toBe(before);
    });

    it('launches the task with the resolved host path of a volume', async () => {
      mesos = testBackend({ policy: granted() }).backend;
      const s = mesosSpec({
        master: `mesos://127.0.0.1:${master.port}`,
        volumes: [{ hostPath: `${allowed}/alias`, containerPath: '/in', readOnly: true }],
      });
      const run = runOf(s, 'alias-volume');
      await mesos.connect(runOf(s), callIO());
      const reservation = await mesos.requestResources(run, callIO());
      const ref = await mesos.start(run, reservation, callIO());
      const accept = callsOf(master.calls(), 'ACCEPT').at(-1) as {
        accept: {
          operations: Array<{
            launch: { task_infos: Array<{ container: { volumes: Array<{ host_path: string; container_path: string }> } }> };
          }>;
        };
      };
      const volumes = accept.accept.operations[0]!.launch.task_infos[0]!.container.volumes;
      expect(volumes).toContainEqual(expect.objectContaining({ container_path: '/in', host_path: join(allowed, 'data') }));
      expect(JSON.stringify(volumes)).not.toContain(`${allowed}/alias`);
      await mesos.release(run, ref, reservation, callIO());
    });
  });
});
