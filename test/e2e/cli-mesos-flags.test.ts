import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { statusesSent } from '../backends/mesos/backend-harness.js';
import { CONTAINER_LABELS, startMesosMaster, type MesosMaster } from '../support/mesos-emulator/index.js';
import { ensureTestImages } from '../support/docker.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const clusterJob = (name: string, port: number, extra = '') =>
  fakeJob(name, `  master: mesos://127.0.0.1:${port}\n  mode: cluster\n  mesos: {role: "*"}\n${extra}`).replace(
    'driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}',
    'driver: {cores: 1, memory: 64m, memoryOverhead: 16m}',
  );
const statusOf = async (path: string) => (parse(await readFile(path, 'utf8')) as { status?: { phase?: string; message?: string } }).status;

describe('sparkctl controller --mesos-user / --mesos-single-host / --mesos-unreachable-grace', () => {
  let master: MesosMaster;
  let ws: Workspace;
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages();
    master = await startMesosMaster({ agents: [{ cpus: 4, mem: 8192 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
  });
  afterEach(async () => {
    await ws?.close();
  });
  afterAll(async () => {
    await master?.close();
  });

  it('runs a cluster-mode driver as --mesos-user on a single-host cluster', async () => {
    ws = await createWorkspace();
    const file = await ws.write('pi.yaml', clusterJob('pi', master.port));
    const run = await ws.run(['controller', '--exit-when-idle', '--mesos-single-host', '--mesos-user', 'nobody']);
    expect(run.code).toBe(0);
    expect(await statusOf(file)).toMatchObject({ phase: 'Succeeded' });
    const subscribe = master.calls().find((c) => (c as { type?: string }).type === 'SUBSCRIBE') as {
      subscribe: { framework_info: { user: string } };
    };
    expect(subscribe.subscribe.framework_info.user).toBe('nobody');
    const task = master.tasks().find((t) => t.id.startsWith('sparkctl.pi.'))!;
    const [listed] = await new Docker().listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.taskId}=${task.id}`] } });
    expect((await new Docker().getContainer(listed!.Id).inspect()).Config.User).toBe('65534:65534');
  });

  it('without --mesos-single-host refuses a loopback master for cluster mode, naming the flag', async () => {
    ws = await createWorkspace();
    const file = await ws.write('loop.yaml', clusterJob('loop', master.port));
    const launched = master.tasks().length;
    const run = await ws.run(['controller', '--exit-when-idle']);
    expect(run.code).toBe(0);
    const status = await statusOf(file);
    expect(status?.phase).toBe('Failed');
    expect(status?.message).toContain('--mesos-single-host');
    expect(master.tasks()).toHaveLength(launched);
  });

  it('--mesos-unreachable-grace: a partition that heals within the grace keeps the run (one task, one attempt)', async () => {
    ws = await createWorkspace();
    const file = await ws.write(
      'part.yaml',
      clusterJob(
        'part',
        master.port,
        '  sparkConf: {spark.fake.sleepSeconds: "6"}\n  restartPolicy: {type: OnFailure, onFailureRetries: 1, onFailureRetryInterval: 1}\n',
      ),
    );
    const run = ws.run(['controller', '--exit-when-idle', '--mesos-single-host', '--mesos-unreachable-grace', '60s']);
    const ours = () => master.tasks().filter((t) => t.id.startsWith('sparkctl.part.'));
    await expect.poll(() => ours().some((t) => t.state === 'TASK_RUNNING'), { timeout: 60_000, interval: 100 }).toBe(true);
    const task = ours()[0]!;
    master.faults.partitionAgent(task.agentId);
    const unreachableSent = () => statusesSent(master.events(), task.id).some((st) => st.state === 'TASK_UNREACHABLE');
    await expect.poll(unreachableSent, { timeout: 30_000, interval: 100 }).toBe(true);
    master.faults.healAgent(task.agentId);
    expect((await run).code).toBe(0);
    expect(await statusOf(file)).toMatchObject({ phase: 'Succeeded' });
    expect(ours().map((t) => t.state)).toEqual(['TASK_FINISHED']);
  });

  it('rejects a --mesos-unreachable-grace that is no duration (exit 2), naming the flag', async () => {
    ws = await createWorkspace();
    const run = await ws.run(['controller', '--exit-when-idle', '--mesos-unreachable-grace', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--mesos-unreachable-grace');
  });

  it('rejects a --mesos-user that is no Unix user name (exit 2)', async () => {
    ws = await createWorkspace();
    const run = await ws.run(['controller', '--exit-when-idle', '--mesos-user', 'no body']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--mesos-user');
  });
});
