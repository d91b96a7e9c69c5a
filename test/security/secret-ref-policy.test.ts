import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosBackend } from '../../src/backends/mesos/create-mesos-backend.js';
import { resolveSecret } from '../../src/backends/mesos/resolve-credentials.js';
import { journalPaths } from '../../src/state/journal-paths.js';
import type { Policy } from '../../src/policy/policy.js';
import { ensureFakeImage, testBackend } from '../backends/mesos/backend-harness.js';
import { mesosSpec, runOf } from '../backends/mesos/fixtures.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { callIO, ensureTestImages, testDocker } from '../support/docker.js';
import { startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';

/** A Mesos client-mode job (driver on the local engine, host network) with the given `mesos:` block. */
const clientJob = (name: string, mesos: string, extra = '') =>
  fakeJob(name, `  master: mesos://127.0.0.1:5050\n  network: host\n  mesos: ${mesos}\n  executor: {instances: 1}\n${extra}`);

const containersOf = async (instance: string, job: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`, `io.sparkctl.job=${job}`] } });

describe('spec.mesos.secretRef is under the policy', () => {
  let scratch: string;
  let h: Harness | undefined;
  let master: MesosMaster | undefined;
  let mesos: MesosBackend | undefined;
  beforeAll(async () => {
    await ensureTestImages();
    ensureFakeImage();
    scratch = await mkdtemp(join(tmpdir(), 'sparkctl-secretref-'));
  });
  afterEach(async () => {
    await h?.close();
    await mesos?.close();
    await master?.close();
    h = undefined;
    mesos = undefined;
    master = undefined;
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('client mode with only --allow-host-network: secretRef.file of the engine socket or a root-only file is a PolicyViolation naming --allow-host-path, secretRef.env one naming --allow-secret-env, and no container is made', async () => {
    h = await createHarness({ policy: { allowHostNetwork: true, allowedHostPaths: [] } });
    await h.write('socket.yaml', clientJob('socket', '{principal: spark, secretRef: {file: /var/run/docker.sock}}'));
    await h.write('shadow.yaml', clientJob('shadow', '{principal: spark, secretRef: {file: /etc/shadow}}'));
    await h.write('home.yaml', clientJob('home', '{principal: spark, secretRef: {env: HOME}}'));
    await h.start();
    for (const [job, message] of [
      ['socket', /^spec\.mesos\.secretRef\.file: .*--allow-host-path/],
      ['shadow', /^spec\.mesos\.secretRef\.file: .*--allow-host-path/],
      ['home', /^spec\.mesos\.secretRef\.env: .*--allow-secret-env HOME/],
    ] as const) {
      const status = await waitForStatus(join(h.jobsDir, `${job}.yaml`), phaseIs('Invalid'));
      expect(status.message, job).toMatch(message);
      expect(
        status.conditions?.find((c) => c.type === 'Stalled'),
        job,
      ).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
    }
    await h.controller.whenIdle();
    for (const job of ['socket', 'shadow', 'home']) expect(await containersOf(h.instance, job), job).toEqual([]);
  });

  it('cluster mode: secretRef.env naming a controller variable not given by --allow-secret-env is Invalid naming the flag, and the master never hears of it', async () => {
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
    const env = { MESOS_TEST_SECRET: 'granted', CONTROLLER_DB_PASSWORD: 'not-for-manifests' };
    // The operator granted MESOS_TEST_SECRET only; the backend checks the same policy again itself.
    const policy: Policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] };
    mesos = testBackend({ env, policy }).backend;
    h = await createHarness({ policy, mesos: () => mesos! });
    await h.write(
      'borrow.yaml',
      fakeJob(
        'borrow',
        `  master: mesos://127.0.0.1:${master.port}\n  mode: cluster\n  mesos: {principal: spark, secretRef: {env: CONTROLLER_DB_PASSWORD}}\n`,
      ),
    );
    await h.start();
    const status = await waitForStatus(join(h.jobsDir, 'borrow.yaml'), phaseIs('Invalid'));
    expect(status.message).toContain('spec.mesos.secretRef.env: ');
    expect(status.message).toContain('--allow-secret-env CONTROLLER_DB_PASSWORD');
    expect(status.message).not.toContain('not-for-manifests');
    await h.controller.whenIdle();
    expect(master.calls()).toEqual([]);

    // The backend refuses it by itself too (defence in depth), before any call; a granted variable connects.
    const borrow = mesosSpec({
      master: `mesos://127.0.0.1:${master.port}`,
      mesos: { role: '*', principal: 'spark', secretRef: { env: 'CONTROLLER_DB_PASSWORD' } },
    });
    await expect(mesos.connect(runOf(borrow), callIO())).rejects.toMatchObject({
      reason: 'PolicyViolation',
      message: expect.stringContaining('--allow-secret-env') as string,
    });
    await expect(mesos.requestResources(runOf(borrow, 'borrow'), callIO())).rejects.toMatchObject({ reason: 'PolicyViolation' });
    expect(master.calls()).toEqual([]);
    const granted = mesosSpec({ master: `mesos://127.0.0.1:${master.port}` });
    await expect(mesos.connect(runOf(granted), callIO())).resolves.toMatchObject({ backend: 'mesos' });
    expect(master.calls().length).toBeGreaterThan(0);
  });

  it('a restarted controller does not resume a stored framework whose secret variable the operator no longer grants', async () => {
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5 });
    const granted: Policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] };
    const first = testBackend({ policy: granted });
    await first.backend.connect(runOf(mesosSpec({ master: `mesos://127.0.0.1:${master.port}` })), callIO());
    await first.backend.close();
    const before = master.calls().length;
    expect(before).toBeGreaterThan(0);
    const narrower = testBackend({ stateDir: first.stateDir, policy: { ...granted, allowedSecretEnv: [] } });
    mesos = narrower.backend;
    expect(await mesos.connect(undefined, callIO())).toEqual({ backend: 'mesos', version: 'unknown' });
    expect(await mesos.listDrivers(callIO())).toEqual([]);
    expect(master.calls().length).toBe(before);
    expect(narrower.logger.lines.join('\n')).toContain('Skipped a stored framework whose credentials the policy no longer grants');
  });

  it('a FIFO as secret file never blocks the controller: the job fails saying why, another job still runs, the controller stops on request', async () => {
    const dir = join(scratch, 'fifo');
    await mkdir(dir);
    execFileSync('mkfifo', [join(dir, 'secret')]);
    h = await createHarness({ policy: { allowHostNetwork: true, allowedHostPaths: [dir] } });
    await h.write(
      'fifo.yaml',
      clientJob('fifo', `{principal: spark, secretRef: {file: ${dir}/secret}}`, '  restartPolicy: {type: Never}\n'),
    );
    await h.write('other.yaml', fakeJob('other', '  network: host\n'));
    await h.start();
    const status = await waitForStatus(join(h.jobsDir, 'fifo.yaml'), phaseIs('Failed', 'Invalid'));
    expect(status.message).toContain(`spec.mesos.secretRef.file: ${dir}/secret is not a regular file`);
    expect((await waitForStatus(join(h.jobsDir, 'other.yaml'), phaseIs('Succeeded', 'Failed'))).phase).toBe('Succeeded');
    expect(await containersOf(h.instance, 'fifo')).toEqual([]);
    await h.controller.stop();
  });

  it('a FIFO as secret file in cluster mode: refused at once (the credential read never blocks), the master never contacted', async () => {
    const dir = join(scratch, 'fifo-cluster');
    await mkdir(dir);
    execFileSync('mkfifo', [join(dir, 'secret')]);
    expect(() => resolveSecret({ file: join(dir, 'secret') })).toThrow(/is not a regular file/);
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5 });
    mesos = testBackend({ policy: { allowHostNetwork: false, allowedHostPaths: [dir] } }).backend;
    const s = mesosSpec({
      master: `mesos://127.0.0.1:${master.port}`,
      mesos: { role: '*', principal: 'spark', secretRef: { file: join(dir, 'secret') } },
    });
    await expect(mesos.connect(runOf(s), callIO())).rejects.toMatchObject({
      errorClass: 'terminal',
      message: expect.stringContaining('is not a regular file') as string,
    });
    expect(master.calls()).toEqual([]);
  });

  it("a Docker driver gets the secret file's trimmed value as SPARK_MESOS_SECRET in its environment, and no bind of the file (inspected on the engine)", async () => {
    const dir = join(scratch, 'granted');
    await mkdir(join(dir, 'versions'), { recursive: true });
    const value = `file-s3cret-${Date.now()}`;
    await writeFile(join(dir, 'versions', 'mesos-secret'), `  ${value}\n`, { mode: 0o600 });
    // As mounted secrets often are: the name is a link to the current version, inside the granted folder.
    await symlink(join(dir, 'versions', 'mesos-secret'), join(dir, 'mesos-secret'));
    h = await createHarness({ policy: { allowHostNetwork: true, allowedHostPaths: [dir] } });
    await h.write(
      'byfile.yaml',
      clientJob(
        'byfile',
        `{principal: spark, secretRef: {file: ${dir}/mesos-secret}}`,
        '  sparkConf: {spark.fake.sleepSeconds: "3", spark.fake.printEnv: "SPARK_MESOS_SECRET,SPARK_MESOS_SECRET_FILE"}\n',
      ),
    );
    await h.start();
    await waitForStatus(join(h.jobsDir, 'byfile.yaml'), phaseIs('Running'));
    const [c] = await containersOf(h.instance, 'byfile');
    const info = await testDocker().getContainer(c!.Id).inspect();
    expect(info.Config.Env).toContain(`SPARK_MESOS_SECRET=${value}`);
    expect(info.Config.Env.filter((e) => e.startsWith('SPARK_MESOS_SECRET_FILE='))).toEqual([]);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Mounts).toEqual([]);
    expect(JSON.stringify(info.Config.Cmd)).not.toContain(value);
    const status = await waitForStatus(join(h.jobsDir, 'byfile.yaml'), phaseIs('Succeeded', 'Failed'));
    expect(status.phase).toBe('Succeeded');
    const log = await readFile(journalPaths.log(h.stateDir, 'byfile', 1), 'utf8');
    expect(log).toMatch(/Env: SPARK_MESOS_SECRET=\*\*\*\*\*\*\n/);
    expect(log).not.toContain(value);
  });
});
