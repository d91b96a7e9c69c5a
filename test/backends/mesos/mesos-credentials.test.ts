import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import { CONTAINER_LABELS } from '../../support/mesos-emulator/docker-run-spec.js';
import { testDocker } from '../../support/docker.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import { FRAMEWORK_STORE_FILE } from '../../../src/backends/mesos/framework-store.js';
import { callsOf, ensureFakeImage, SECRET, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const EMULATOR = {
  agents: [{ cpus: 2, mem: 4096 }],
  heartbeatIntervalSeconds: 0.5,
  allocationIntervalSeconds: 0.2,
  statusUpdateRetrySeconds: 1,
};
const io = () => ({ signal: AbortSignal.timeout(40_000) });

type TaskInfo = {
  name: string;
  command: { value: string; arguments: string[]; environment?: { variables: Array<{ name: string; value: string }> } };
  labels: { labels: Array<{ key: string; value: string }> };
};
const launchedTasks = (m: MesosMaster): TaskInfo[] =>
  callsOf(m.calls(), 'ACCEPT').flatMap((c) =>
    (c.accept as { operations: Array<{ launch?: { task_infos: TaskInfo[] } }> }).operations.flatMap((o) => o.launch?.task_infos ?? []),
  );

describe('Mesos credentials: one session per credential, secrets only in the task environment', () => {
  const backends: MesosBackend[] = [];
  const masters: MesosMaster[] = [];
  const make = (o: Parameters<typeof testBackend>[0] = {}) => {
    const t = testBackend(o);
    backends.push(t.backend);
    return t;
  };
  const master = async (o: Parameters<typeof startMesosMaster>[0] = EMULATOR) => {
    const m = await startMesosMaster(o);
    masters.push(m);
    return m;
  };
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
    await Promise.all(masters.splice(0).map((m) => m.close()));
  });

  it("fails a job whose secretRef names an unset variable, naming the field, even while another job's session to the same master and principal is live", async () => {
    const m = await master({ ...EMULATOR, auth: { principal: 'spark', secret: SECRET } });
    // The operator grants UNSET_VARIABLE too, but it is not set: the job's own credential must still be checked.
    const { backend, logger, stateDir } = make({
      env: { MESOS_TEST_SECRET: SECRET, OTHER_TEAM_SECRET: 'not-the-secret' },
      policy: {
        allowHostNetwork: false,
        allowedHostPaths: [],
        allowedSecretEnv: ['MESOS_TEST_SECRET', 'OTHER_TEAM_SECRET', 'UNSET_VARIABLE'],
      },
    });
    const good = mesosSpec({ master: `mesos://127.0.0.1:${m.port}` });
    await expect(backend.connect(runOf(good), io())).resolves.toMatchObject({ frameworkId: expect.any(String) });

    const unset = mesosSpec({
      master: `mesos://127.0.0.1:${m.port}`,
      mesos: { role: '*', principal: 'spark', secretRef: { env: 'UNSET_VARIABLE' } },
    });
    const run = runOf(unset, 'borrower');
    await expect(backend.connect(runOf(unset), io())).rejects.toThrow(
      /spec\.mesos\.secretRef\.env: the variable UNSET_VARIABLE is not set/,
    );
    await expect(backend.requestResources(run, io())).rejects.toMatchObject({ code: 'SPARKCTL_MESOS_SECRET' });

    const wrong = mesosSpec({
      master: `mesos://127.0.0.1:${m.port}`,
      mesos: { role: '*', principal: 'spark', secretRef: { env: 'OTHER_TEAM_SECRET' } },
    });
    const err = await backend.requestResources(runOf(wrong, 'wrong-secret'), io()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPARKCTL_MESOS_UNAUTHORIZED' });
    expect(String((err as Error).message)).not.toContain('not-the-secret');
    expect(launchedTasks(m)).toEqual([]);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    // The stored framework records carry references and a keyed fingerprint, never a secret.
    const stored = readFileSync(path.join(stateDir, FRAMEWORK_STORE_FILE), 'utf8');
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain('not-the-secret');
  });

  it('passes the secret as SPARK_MESOS_SECRET in command.environment: never in the argv, a label or the name, neither in the TaskInfo nor in the container the agent ran', async () => {
    const m = await master();
    const { backend, logger } = make();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${m.port}`, sparkConf: { 'spark.fake.sleepSeconds': '30' } });
    const run = runOf(s, `env-secret-${process.pid}`);
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    try {
      const [task] = launchedTasks(m);
      expect(task).toBeDefined();
      expect(JSON.stringify([task!.command.value, task!.command.arguments, task!.labels, task!.name])).not.toContain(SECRET);
      expect(task!.command.environment?.variables).toContainEqual({ name: 'SPARK_MESOS_SECRET', value: SECRET });

      const docker = testDocker();
      let id: string | undefined;
      await vi.waitFor(
        async () => {
          const [c] = await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.taskId}=${ref.taskId}`] } });
          expect(c).toBeDefined();
          id = c!.Id;
        },
        { timeout: 20_000, interval: 200 },
      );
      const info = await docker
        .getContainer(id!)
        .inspect()
        .catch((err: unknown) => {
          throw new Error(`container of ${ref.taskId} is gone: ${JSON.stringify(m.tasks().find((t) => t.id === ref.taskId))}`, {
            cause: err,
          });
        });
      expect(JSON.stringify([info.Path, info.Args, info.Config.Cmd, info.Config.Entrypoint, info.Name, info.Config.Labels])).not.toContain(
        SECRET,
      );
      expect(info.Args.join(' ')).toContain('spark.mesos.principal=spark');
      expect(info.Config.Env).toContain(`SPARK_MESOS_SECRET=${SECRET}`);
    } finally {
      await backend.release(run, ref, reservation, io());
    }
    expect(logger.lines.join('\n')).not.toContain(SECRET);
  });

  it('after the secret behind the same secretRef changes and the controller restarts, resumes the stored framework under the new fingerprint and adopts its driver', async () => {
    const m = await master();
    const first = make({ env: { MESOS_TEST_SECRET: 'old-secret' } });
    const s = mesosSpec({ master: `mesos://127.0.0.1:${m.port}`, sparkConf: { 'spark.fake.sleepSeconds': '30' } });
    const run = runOf(s, 'rotated');
    const { frameworkId } = await first.backend.connect(runOf(s), io());
    const reservation = await first.backend.requestResources(run, io());
    const ref = await first.backend.start(run, reservation, io());
    await first.backend.close();

    const second = make({ stateDir: first.stateDir, env: { MESOS_TEST_SECRET: 'new-secret' } });
    try {
      await expect(second.backend.connect(runOf(s), io())).resolves.toMatchObject({ frameworkId });
      const drivers = await second.backend.listDrivers(io());
      expect(drivers.map((d) => d.ref.taskId)).toContain(ref.taskId);
      const stored = JSON.parse(readFileSync(path.join(first.stateDir, FRAMEWORK_STORE_FILE), 'utf8')) as {
        frameworks: Record<string, unknown>;
      };
      expect(Object.keys(stored.frameworks)).toHaveLength(1);
    } finally {
      await second.backend.release(run, ref, undefined, io());
    }
  });

  it('resumes a framework stored before keys had a fingerprint (master|principal) under the new key, keeping its id', async () => {
    const m = await master();
    const first = make();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${m.port}` });
    const { frameworkId } = await first.backend.connect(runOf(s), io());
    await first.backend.close();
    const file = path.join(first.stateDir, FRAMEWORK_STORE_FILE);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { frameworks: Record<string, unknown> };
    const [record] = Object.values(data.frameworks);
    writeFileSync(file, JSON.stringify({ version: 1, frameworks: { [`mesos://127.0.0.1:${m.port}|spark`]: record } }));

    const second = make({ stateDir: first.stateDir });
    await expect(second.backend.connect(runOf(s), io())).resolves.toMatchObject({ frameworkId });
    const keys = Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { frameworks: Record<string, unknown> }).frameworks);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^mesos://127\\.0\\.0\\.1:${m.port}\\|spark\\|\\|[0-9a-f]{16}$`));
  });

  it("masks the job's secret env values and the Mesos secret in the driver log, streamed and collected", async () => {
    const m = await master();
    const { backend } = make();
    const token = 'tok-cluster-8642';
    const s = mesosSpec({
      master: `mesos://127.0.0.1:${m.port}`,
      driver: { cores: 1, memory: '512m', env: [{ name: 'TOKEN', value: token, secret: true }] },
      sparkConf: { 'spark.fake.printEnv': 'TOKEN,SPARK_MESOS_SECRET' },
    });
    const run = runOf(s, `print-env-${process.pid}`);
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    const chunks: string[] = [];
    await expect(backend.wait(run, ref, { ...io(), onLog: (c) => chunks.push(c) })).resolves.toMatchObject({ outcome: 'succeeded' });
    const collected = await backend.collect(run, ref, mkdtempSync(path.join(tmpdir(), 'collect-')), io());
    await backend.release(run, ref, reservation, io());
    for (const log of [chunks.join(''), collected.log]) {
      expect(log).toContain('Env: TOKEN=******');
      expect(log).toContain('Env: SPARK_MESOS_SECRET=******');
      expect(log).not.toContain(token);
      expect(log).not.toContain(SECRET);
    }
  });
});
