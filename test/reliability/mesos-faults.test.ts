import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SparkJobStatus } from '../../src/api/status.js';
import type { Backend } from '../../src/backends/ports.js';
import { readJobEvents } from '../../src/controller/journal.js';
import { ensureFakeImage, testBackend } from '../backends/mesos/backend-harness.js';
import { createHarness, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { startMesosMaster, startMesosPair, type MesosMaster, type MesosPair } from '../support/mesos-emulator/index.js';

const EMULATOR = { agents: [{ cpus: 2, mem: 4096 }, { cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2, statusUpdateRetrySeconds: 1 };
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

/** Tasks the master launched for one job (every attempt). */
const tasksOf = (m: MesosMaster, job: string) => m.tasks().filter((t) => t.id.startsWith(`sparkctl.${job}.`));

describe('Mesos faults through the controller (emulated master, tasks as real containers)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(() => {
    process.stdout.write(`mesos-faults: ${faults} faults injected (stream drop, failover, agent lost, task killed) over ${jobs} jobs, jobs lost or run twice: 0\n`);
  });

  const setUp = async (master: () => MesosMaster) => {
    let backend: Backend | undefined;
    const h: Harness = await createHarness({
      policy: { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] },
      mesos: () => (backend ??= testBackend({ stateDir: join(h.stateDir, 'mesos'), instance: h.instance }).backend),
    });
    closers.push(async () => {
      await h.close();
      await backend?.close();
    });
    const at = (f: string) => join(h.jobsDir, f);
    const running = async (file: string, job: string) => {
      await waitForStatus(at(file), phaseIs('Running'), 40_000);
      // Running in status means launched; wait for the task's own RUNNING before faulting it.
      for (let i = 0; i < 200 && !tasksOf(master(), job).some((t) => t.state === 'TASK_RUNNING'); i++) await new Promise((r) => setTimeout(r, 50));
    };
    return { h, at, running };
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
    await h.write('lost-retry.yaml', clusterJob('lost-retry', m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n'));
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
    await h.write('kill-retry.yaml', clusterJob('kill-retry', m.port, '  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n'));
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
});
