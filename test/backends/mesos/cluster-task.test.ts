import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { CONTAINER_LABELS, startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import { MesosLoopbackMasterError } from '../../../src/backends/mesos/errors.js';
import { callsOf, ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
/** nobody: a framework user other than the uid the tests run as (root). */
const NOBODY = { name: 'nobody', uid: 65534, gid: 65534 };

type TaskInfo = { command: { arguments: string[] }; container: { docker: { parameters?: Array<{ key: string; value: string }> } } };

describe('Mesos cluster-mode driver task on the emulated agent', () => {
  let master: MesosMaster;
  const backends: MesosBackend[] = [];
  const make = (o: Parameters<typeof testBackend>[0] = {}) => {
    const t = testBackend(o);
    backends.push(t.backend);
    return t;
  };
  const spec = (o: Parameters<typeof mesosSpec>[0] = {}) => mesosSpec({ master: `mesos://127.0.0.1:${master.port}`, ...o });
  const launchedTask = (taskId: string): TaskInfo => {
    const infos = callsOf(master.calls(), 'ACCEPT').flatMap((c) =>
      (c.accept as { operations: Array<{ launch?: { task_infos: Array<TaskInfo & { task_id: { value: string } }> } }> }).operations.flatMap(
        (o) => o.launch?.task_infos ?? [],
      ),
    );
    return infos.find((t) => t.task_id.value === taskId)!;
  };
  const runJob = async (backend: MesosBackend, name: string, s: ReturnType<typeof spec>) => {
    const run = runOf(s, name);
    await backend.connect(runOf(s), io());
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    const exit = await backend.wait(run, ref, io());
    return { run, reservation, ref, exit };
  };

  beforeAll(async () => {
    ensureFakeImage();
    master = await startMesosMaster({
      agents: [{ cpus: 4, mem: 8192 }],
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

  it('runs the driver as the framework user, hardened (CapDrop ALL, no-new-privileges), in a sandbox it owns, and collects its outputs', async () => {
    const { backend } = make({ user: NOBODY.name });
    const s = spec({ outputs: [{ name: 'result', path: '/out/result.txt' }], sparkConf: { 'spark.fake.output': '/out/result.txt' } });
    const { run, reservation, ref, exit } = await runJob(backend, 'as-user', s);
    expect(exit).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    const task = master.tasks().find((t) => t.id === ref.taskId)!;
    const sandbox = statSync(task.sandbox);
    expect({ uid: sandbox.uid, gid: sandbox.gid, mode: sandbox.mode & 0o777 }).toEqual({ uid: NOBODY.uid, gid: NOBODY.gid, mode: 0o750 });
    expect(statSync(path.join(task.sandbox, 'sparkctl-outputs', 'out')).uid).toBe(NOBODY.uid);
    const [listed] = await docker.listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.taskId}=${ref.taskId}`] } });
    const inspect = await docker.getContainer(listed!.Id).inspect();
    expect(inspect.Config.User).toBe(`${NOBODY.uid}:${NOBODY.gid}`);
    expect(inspect.HostConfig.CapDrop).toEqual(['ALL']);
    expect(inspect.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    const framework = callsOf(master.calls(), 'SUBSCRIBE').at(-1)!.subscribe as { framework_info: { user: string } };
    expect(framework.framework_info.user).toBe(NOBODY.name);
    const dest = mkdtempSync(path.join(tmpdir(), 'collect-user-'));
    const collected = await backend.collect(run, ref, dest, io());
    expect(collected.outputs).toEqual([{ name: 'result', path: path.join(dest, 'result'), bytes: expect.any(Number) }]);
    expect(readFileSync(path.join(dest, 'result'), 'utf8')).toMatch(/^Pi is roughly/);
    const vars = (
      launchedTask(ref.taskId!) as unknown as { command: { environment: { variables: Array<{ name: string; value: string }> } } }
    ).command.environment.variables;
    expect(vars).toContainEqual({ name: 'SPARK_LOCAL_DIRS', value: '/mnt/mesos/sandbox' });
    await backend.release(run, ref, reservation, io());
  });

  it('keeps the sandbox owned by the driver user when the master kept an older framework user (CommandInfo.user)', async () => {
    const first = make({ user: 'root' });
    const s = spec();
    await first.backend.connect(runOf(s), io());
    await first.backend.close();
    // Same framework (same state dir), new --mesos-user: the master keeps FrameworkInfo.user = root.
    const { backend } = make({ user: NOBODY.name, stateDir: first.stateDir });
    const { run, reservation, ref, exit } = await runJob(backend, 'user-changed', s);
    expect(exit).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(statSync(master.tasks().find((t) => t.id === ref.taskId)!.sandbox).uid).toBe(NOBODY.uid);
    await backend.release(run, ref, reservation, io());
  });

  it('collects a binary output byte for byte (/files/download, not /files/read)', async () => {
    const { backend } = make();
    const s = spec({ outputs: [{ name: 'blob', path: '/out/blob.bin' }] });
    const { run, reservation, ref, exit } = await runJob(backend, 'binary-out', s);
    expect(exit.outcome).toBe('succeeded');
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const task = master.tasks().find((t) => t.id === ref.taskId)!;
    writeFileSync(path.join(task.sandbox, 'sparkctl-outputs', 'out', 'blob.bin'), bytes);
    const dest = mkdtempSync(path.join(tmpdir(), 'collect-bin-'));
    const collected = await backend.collect(run, ref, dest, io());
    expect(collected.outputs).toEqual([{ name: 'blob', path: path.join(dest, 'blob'), bytes: 512 }]);
    expect(readFileSync(path.join(dest, 'blob')).equals(bytes)).toBe(true);
    await backend.release(run, ref, reservation, io());
  });

  it('gives the driver the leader that SUBSCRIBED advertised as --master, not the URL of the spec', async () => {
    const { backend } = make();
    const s = spec({ master: `mesos://localhost:${master.port}` });
    const { run, reservation, ref } = await runJob(backend, 'advertised', s);
    const args = launchedTask(ref.taskId!).command.arguments;
    expect(args[args.indexOf('--master') + 1]).toBe(`mesos://127.0.0.1:${master.port}`);
    await backend.release(run, ref, reservation, io());
  });

  it('refuses to launch a driver that would dial a loopback master unless the cluster is a single host', async () => {
    const { backend } = make({ singleHost: false });
    const s = spec();
    const run = runOf(s, 'loopback');
    await backend.connect(runOf(s), io());
    const launchesBefore = callsOf(master.calls(), 'ACCEPT').length;
    await expect(backend.requestResources(run, io())).rejects.toThrow(/--mesos-single-host/);
    // Checked again at launch, against the leader of that moment.
    const reservation = { key: 'loopback/1', cpus: 1, memMiB: 896, agentId: master.agentIds[0]!, offerId: 'none' };
    await expect(backend.start(run, reservation, io())).rejects.toThrow(MesosLoopbackMasterError);
    expect(callsOf(master.calls(), 'ACCEPT')).toHaveLength(launchesBefore);
  });
});
