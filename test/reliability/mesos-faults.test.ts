import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SparkJobStatus } from '../../src/api/status.js';
import type { Backend } from '../../src/backends/ports.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { callsOf, ensureFakeImage, statusesSent, testBackend } from '../backends/mesos/backend-harness.js';
import { createHarness, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { startMesosMaster, startMesosPair, type MesosMaster, type MesosPair } from '../support/mesos-emulator/index.js';

const EMULATOR = {
  agents: [
    { cpus: 2, mem: 4096 },
    { cpus: 2, mem: 4096 },
  ],
  heartbeatIntervalSeconds: 0.5,
  allocationIntervalSeconds: 0.2,
  statusUpdateRetrySeconds: 1,
};
let faults = 0;
let jobs = 0;

/** A cluster-mode SparkJob on the emulated master. */
function clusterJob(name: string, port: number, extra = ''): string {
  return `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: sparkctl/spark-fake:test
  imagePullPolicy: Never
  master: mesos://127.0.0.1:${port}
  mode: cluster
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  mainClass: org.apache.spark.examples.SparkPi
  arguments: ["10"]
  driver: {cores: 0.5, memory: 128m}
  mesos: {principal: spark, secretRef: {env: MESOS_TEST_SECRET}}
  sparkConf: {spark.fake.sleepSeconds: "3"}
${extra}`;
}

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** Whether a task's container is running on the engine now. */
const containerRuns = async (containerId: string) =>
  (
    await docker
      .getContainer(`mesos-${containerId}`)
      .inspect()
      .catch(() => undefined)
  )?.State.Running === true;

/** Tasks the master launched for one job (every attempt). */
const tasksOf = (m: MesosMaster, job: string) => m.tasks().filter((t) => t.id.startsWith(`sparkctl.${job}.`));

describe('Mesos faults through the controller (emulated master, tasks as real containers)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(() => {
    process.stdout.write(
      `mesos-faults: ${faults} faults injected (stream drop, failover, agent lost, agent partitioned, task killed) over ${jobs} jobs, jobs lost or run twice: 0\n`,
    );
  });

  const setUp = async (master: () => MesosMaster, overrides: { unreachableGraceMs?: number } = {}) => {
    let backend: Backend | undefined;
    const stopController = async () => {
      await h.controller.stop();
      await h.docker.close();
      await backend?.close();
      backend = undefined;
    };
    const h: Harness = await createHarness({
      policy: { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] },
      mesos: () => (backend ??= testBackend({ stateDir: join(h.stateDir, 'mesos'), instance: h.instance, ...overrides }).backend),
    });
    closers.push(async () => {
      await h.close();
      await backend?.close();
    });
    const at = (f: string) => join(h.jobsDir, f);
    const running = async (file: string, job: string) => {
      await waitForStatus(at(file), phaseIs('Running'), 40_000);
      // Running in status means launched; wait for the task's own RUNNING before faulting it.
      for (let i = 0; i < 200 && !tasksOf(master(), job).some((t) => t.state === 'TASK_RUNNING'); i++)
        await new Promise((r) => setTimeout(r, 50));
    };
    return { h, at, running, stopController };
  };
  const done = (s: SparkJobStatus) => s.phase === 'Succeeded' || s.phase === 'Failed';

  it('a dropped subscription stream mid-run: the job finishes once, on the same task', async () => {
    const m = await startMesosMaster(EMULATOR);
    closers.push(() => m.close());
    const { h, at, running } = await setUp(() => m);
    await h.write('drop.yaml', clusterJob('drop', m.port));
    await h.start();
    await running('drop.yaml', 'drop');
    m.faults.dropStream({ abrupt: true });
    faults += 1;
    jobs += 1;
    const s = await waitForStatus(at('drop.yaml'), done, 60_000);
    expect(s).toMatchObject({ phase: 'Succeeded', executionAttempts: 1, exitCode: 0 });
    expect(tasksOf(m, 'drop').map((t) => t.state)).toEqual(['TASK_FINISHED']);
  });

  it('a leader failover mid-run: the job follows the new leader and finishes once', async () => {
    const pair: MesosPair = await startMesosPair(EMULATOR);
    closers.push(() => pair.close());
    const { h, at, running } = await setUp(() => pair.masters[0]);
    await h.write('failover.yaml', clusterJob('failover', pair.masters[0].port));
    await h.start();
    await running('failover.yaml', 'failover');
    pair.faults.failover();
    faults += 1;
    jobs += 1;
    const s = await waitForStatus(at('failover.yaml'), done, 60_000);
    expect(s).toMatchObject({ phase: 'Succeeded', executionAttempts: 1 });
    expect(tasksOf(pair.masters[0], 'failover').map((t) => t.state)).toEqual(['TASK_FINISHED']);
  });

  it('an agent lost mid-run: TASK_LOST; Never fails saying so, OnFailure reruns once on another agent', async () => {
    // Three agents: whichever one or two the drivers land on, one is left for the rerun.
    const m = await startMesosMaster({ ...EMULATOR, agents: [...EMULATOR.agents, { cpus: 2, mem: 4096 }] });
    closers.push(() => m.close());
    const { h, at, running } = await setUp(() => m);
    await h.write('lost-never.yaml', clusterJob('lost-never', m.port, '  restartPolicy: {type: Never}\n'));
    await h.write(
      'lost-retry.yaml',
      clusterJob('lost-retry', m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n'),
    );
    await h.start();
    await running('lost-never.yaml', 'lost-never');
    await running('lost-retry.yaml', 'lost-retry');
    const agents = new Set([...tasksOf(m, 'lost-never'), ...tasksOf(m, 'lost-retry')].map((t) => t.agentId));
    for (const a of agents) m.faults.loseAgent(a);
    faults += agents.size;
    jobs += 2;
    const never = await waitForStatus(at('lost-never.yaml'), done, 60_000);
    expect(never.phase).toBe('Failed');
    expect(never.conditions.find((c) => c.type === 'Succeeded')?.reason).toBe('TaskLost');
    expect(tasksOf(m, 'lost-never')).toHaveLength(1);
    const retry = await waitForStatus(at('lost-retry.yaml'), done, 60_000);
    expect(retry).toMatchObject({ phase: 'Succeeded', executionAttempts: 2 });
    const retryTasks = tasksOf(m, 'lost-retry');
    expect(retryTasks).toHaveLength(2);
    const rerun = retryTasks.find((t) => t.state === 'TASK_FINISHED');
    expect(rerun).toBeDefined();
    expect(agents.has(rerun!.agentId)).toBe(false);
    const ev = await readJobEvents(h.stateDir, 'lost-never');
    expect(ev.some((e) => e.type === 'Warning' && e.reason === 'TaskLost')).toBe(true);
  });

  it('a task killed mid-run (TASK_FAILED): Never fails once; OnFailure reruns and succeeds', async () => {
    const m = await startMesosMaster(EMULATOR);
    closers.push(() => m.close());
    const { h, at, running } = await setUp(() => m);
    await h.write('kill-never.yaml', clusterJob('kill-never', m.port, '  restartPolicy: {type: Never}\n'));
    await h.write(
      'kill-retry.yaml',
      clusterJob('kill-retry', m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n'),
    );
    await h.start();
    await running('kill-never.yaml', 'kill-never');
    await running('kill-retry.yaml', 'kill-retry');
    await m.faults.failTask(tasksOf(m, 'kill-never')[0]!.id);
    await m.faults.failTask(tasksOf(m, 'kill-retry')[0]!.id);
    faults += 2;
    jobs += 2;
    const never = await waitForStatus(at('kill-never.yaml'), done, 60_000);
    expect(never.phase).toBe('Failed');
    expect(never.message).toMatch(/137|killed|failed/i);
    expect(tasksOf(m, 'kill-never')).toHaveLength(1);
    const retry = await waitForStatus(at('kill-retry.yaml'), done, 60_000);
    expect(retry).toMatchObject({ phase: 'Succeeded', executionAttempts: 2 });
    expect(tasksOf(m, 'kill-retry').map((t) => t.state)).toEqual(['TASK_FAILED', 'TASK_FINISHED']);
  });

  describe('an agent partitioned mid-run and healed (OnFailure): the replaced task is killed when it comes back', () => {
    const partitioned = async (restartBetween: boolean) => {
      const m = await startMesosMaster(EMULATOR);
      closers.push(() => m.close());
      const { h, at, running, stopController } = await setUp(() => m);
      const job = restartBetween ? 'part-restart' : 'part-heal';
      await h.write(
        `${job}.yaml`,
        clusterJob(job, m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n').replace(
          'sleepSeconds: "3"',
          'sleepSeconds: "12"',
        ),
      );
      await h.start();
      await running(`${job}.yaml`, job);
      const old = tasksOf(m, job)[0]!;
      m.faults.partitionAgent(old.agentId);
      faults += 1;
      jobs += 1;
      // Attempt 2 runs on the other agent while the old container runs on behind the partition.
      await expect
        .poll(() => tasksOf(m, job).some((t) => t.id !== old.id && t.state === 'TASK_RUNNING'), { timeout: 40_000, interval: 100 })
        .toBe(true);
      const rerun = tasksOf(m, job).find((t) => t.id !== old.id)!;
      expect(rerun.agentId).not.toBe(old.agentId);
      expect(await containerRuns(old.containerId)).toBe(true);
      if (restartBetween) {
        await stopController();
        m.faults.healAgent(old.agentId);
        expect(m.tasks().find((t) => t.id === old.id)?.state).toBe('TASK_RUNNING');
        await h.start();
      } else {
        m.faults.healAgent(old.agentId);
      }
      // Killed at once (KILL with its agent id), long before its own 12 s of work could end.
      await expect.poll(() => m.tasks().find((t) => t.id === old.id)?.state, { timeout: 8_000, interval: 100 }).toBe('TASK_KILLED');
      const kill = callsOf(m.calls(), 'KILL').find((c) => (c.kill as { task_id: { value: string } }).task_id.value === old.id);
      expect(kill?.kill).toMatchObject({ agent_id: { value: old.agentId } });
      expect(await containerRuns(old.containerId)).toBe(false);
      const s = await waitForStatus(at(`${job}.yaml`), done, 60_000);
      expect(s).toMatchObject({ phase: 'Succeeded', executionAttempts: 2, exitCode: 0 });
      expect(s.driver?.taskId).toBe(rerun.id);
      expect(tasksOf(m, job).map((t) => [t.id, t.state])).toEqual([
        [old.id, 'TASK_KILLED'],
        [rerun.id, 'TASK_FINISHED'],
      ]);
    };

    it("healed while the controller runs: the agent's re-registration update gets the old task killed; one successful execution", () =>
      partitioned(false));

    it('healed while the controller is down: the restarted controller kills the old task from its reconciliation answer; one successful execution', () =>
      partitioned(true));

    it('with unreachableGraceMs, a partition that heals within the grace keeps the run: one task, one attempt', async () => {
      const m = await startMesosMaster(EMULATOR);
      closers.push(() => m.close());
      const { h, at, running } = await setUp(() => m, { unreachableGraceMs: 30_000 });
      await h.write(
        'part-grace.yaml',
        clusterJob('part-grace', m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n').replace(
          'sleepSeconds: "3"',
          'sleepSeconds: "6"',
        ),
      );
      await h.start();
      await running('part-grace.yaml', 'part-grace');
      const task = tasksOf(m, 'part-grace')[0]!;
      m.faults.partitionAgent(task.agentId);
      faults += 1;
      jobs += 1;
      const unreachableSent = () => statusesSent(m.events(), task.id).some((st) => st.state === 'TASK_UNREACHABLE');
      await expect.poll(unreachableSent).toBe(true);
      m.faults.healAgent(task.agentId);
      const s = await waitForStatus(at('part-grace.yaml'), done, 60_000);
      expect(s).toMatchObject({ phase: 'Succeeded', executionAttempts: 1, exitCode: 0 });
      expect(tasksOf(m, 'part-grace').map((t) => t.state)).toEqual(['TASK_FINISHED']);
    });
  });
});
