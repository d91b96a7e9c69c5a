import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import { callsOf, ensureFakeImage, SECRET, statusesSent, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });

describe('Mesos backend against the emulated master and the real Docker engine', () => {
  let master: MesosMaster;
  const backends: MesosBackend[] = [];
  const make = (o: Parameters<typeof testBackend>[0] = {}) => {
    const t = testBackend(o);
    backends.push(t.backend);
    return t;
  };
  const spec = (o: Parameters<typeof mesosSpec>[0] = {}) => mesosSpec({ master: `mesos://127.0.0.1:${master.port}`, ...o });

  beforeAll(async () => {
    ensureFakeImage();
    master = await startMesosMaster({
      agents: [{ cpus: 2, mem: 4096, attributes: { rack: 'r1' } }],
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

  it('runs a cluster-mode driver end to end: offer accepted, container run, updates acknowledged, logs and outputs collected', async () => {
    const { backend, logger } = make();
    const s = spec({ outputs: [{ name: 'result', path: '/out/result.txt' }], sparkConf: { 'spark.fake.output': '/out/result.txt' } });
    const run = runOf(s, 'pi-ok');
    const connected = await backend.connect(runOf(s), io());
    expect(connected).toMatchObject({ backend: 'mesos', frameworkId: expect.stringMatching(/-\d{4}$/) });
    const reservation = await backend.requestResources(run, io());
    expect(reservation).toMatchObject({ key: 'pi-ok/1', cpus: 1, memMiB: 896, agentId: master.agentIds[0], hostname: '127.0.0.1' });
    const ref = await backend.start(run, reservation, io());
    expect(ref).toEqual({
      backend: 'mesos',
      taskId: 'sparkctl.pi-ok.1.9f2c1a7b3d4e',
      agentId: master.agentIds[0],
      frameworkId: connected.frameworkId,
    });
    const chunks: string[] = [];
    const exit = await backend.wait(run, ref, { ...io(), onLog: (c) => chunks.push(c) });
    expect(exit).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(chunks.join('')).toContain('Pi is roughly');
    const dest = mkdtempSync(path.join(tmpdir(), 'collect-'));
    const collected = await backend.collect(run, ref, dest, io());
    expect(collected.exitCode).toBe(0);
    expect(collected.log).toContain('Pi is roughly');
    expect(collected.log).toContain('Running Spark version');
    expect(collected.outputs).toEqual([{ name: 'result', path: path.join(dest, 'result'), bytes: expect.any(Number) }]);
    expect(readFileSync(path.join(dest, 'result'), 'utf8')).toMatch(/^Pi is roughly/);
    await backend.release(run, ref, reservation, io());

    const task = master.tasks().find((t) => t.id === ref.taskId)!;
    expect(task.state).toBe('TASK_FINISHED');
    expect(task.exitCode).toBe(0);
    const launched = callsOf(master.calls(), 'ACCEPT');
    expect(launched).toHaveLength(1);
    const taskInfo = (launched[0]!.accept as { operations: Array<{ launch: { task_infos: Array<Record<string, unknown>> } }> })
      .operations[0]!.launch.task_infos[0]!;
    expect(taskInfo.container).toMatchObject({ type: 'DOCKER', docker: { image: 'sparkctl/spark-fake:test', network: 'HOST' } });
    expect((taskInfo.command as { arguments: string[] }).arguments.join(' ')).not.toContain(SECRET);
    expect((taskInfo.command as { environment: { variables: unknown[] } }).environment.variables).toContainEqual({
      name: 'SPARK_MESOS_SECRET',
      value: SECRET,
    });
    await vi.waitFor(() => expect(master.pendingUpdates().filter((u) => JSON.stringify(u).includes(ref.taskId!))).toEqual([]), {
      timeout: 15_000,
    });
    const uuids = statusesSent(master.events(), ref.taskId!);
    const acked = callsOf(master.calls(), 'ACKNOWLEDGE').map((c) => (c.acknowledge as { uuid: string }).uuid);
    expect(new Set(acked)).toEqual(new Set(uuids.filter((st) => st.uuid !== undefined).map((st) => st.uuid)));
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    expect(collected.log).not.toContain(SECRET);
    expect(chunks.join('')).not.toContain(SECRET);
  });

  it('reports a failing driver with its exit code', async () => {
    const { backend } = make();
    const s = spec({ sparkConf: { 'spark.fake.exitCode': '3' } });
    const run = runOf(s, 'pi-fail');
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    const exit = await backend.wait(run, ref, io());
    expect(exit).toMatchObject({ outcome: 'failed', exitCode: 3 });
    expect(exit.message).toContain('TASK_FAILED');
    const collected = await backend.collect(run, ref, mkdtempSync(path.join(tmpdir(), 'collect-')), io());
    expect(collected.exitCode).toBe(3);
    expect(collected.log).toContain('requested exit code 3');
    await backend.release(run, ref, reservation, io());
  });

  it('pages through a driver log larger than one /files/read chunk (64 KiB), streamed and collected whole', async () => {
    const { backend } = make();
    const s = spec({ sparkConf: { 'spark.fake.logLines': '3000' } });
    const run = runOf(s, 'big-log');
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    const chunks: string[] = [];
    await expect(backend.wait(run, ref, { ...io(), onLog: (c) => chunks.push(c) })).resolves.toMatchObject({ outcome: 'succeeded' });
    const collected = await backend.collect(run, ref, mkdtempSync(path.join(tmpdir(), 'collect-')), io());
    expect(Buffer.byteLength(collected.log)).toBeGreaterThan(3 * 65_536);
    const lines = collected.log.split('\n').filter((l) => l.includes('Running task'));
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toContain('TID 2999');
    expect(
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.includes('Running task')),
    ).toHaveLength(3000);
    await backend.release(run, ref, reservation, io());
  });

  it('kills a running driver on release and waits for TASK_KILLED', async () => {
    const { backend } = make();
    const s = spec({ sparkConf: { 'spark.fake.sleepSeconds': '60' } });
    const run = runOf(s, 'pi-kill');
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const waiting = backend.wait(run, ref, { ...io(), onLog: (c) => c.includes('Submitting 1 missing tasks') && started() });
    await running;
    await backend.release(run, ref, reservation, io());
    expect(master.tasks().find((t) => t.id === ref.taskId)!.state).toBe('TASK_KILLED');
    await expect(waiting).resolves.toMatchObject({ outcome: 'killed', exitCode: null });
    expect(callsOf(master.calls(), 'KILL').map((c) => (c.kill as { task_id: { value: string } }).task_id.value)).toContain(ref.taskId);
  });

  it('adds a role to the live framework (UPDATE_FRAMEWORK) and takes an offer allocated to it', async () => {
    const { backend } = make();
    const first = spec();
    const { frameworkId } = await backend.connect(runOf(first), io());
    const s = spec({ mesos: { role: 'spark', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' } } });
    const run = runOf(s, 'role-spark');
    const reservation = await backend.requestResources(run, io());
    const updates = callsOf(master.calls(), 'UPDATE_FRAMEWORK').filter((c) => (c.framework_id as { value: string }).value === frameworkId);
    expect((updates.at(-1)!.update_framework as { framework_info: { roles: string[] } }).framework_info.roles).toEqual(['*', 'spark']);
    const ref = await backend.start(run, reservation, io());
    await expect(backend.wait(run, ref, io())).resolves.toMatchObject({ outcome: 'succeeded' });
    await backend.release(run, ref, reservation, io());
    expect(master.tasks().find((t) => t.id === ref.taskId)!.role).toBe('spark');
  });

  it('waits while no offer fits, says what it asked for and what was offered, and gives up on abort', async () => {
    const { backend } = make();
    const s = spec({
      driver: { cores: 8, memory: '512m' },
      mesos: { role: '*', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' }, constraints: 'rack:r9' },
    });
    const run = runOf(s, 'too-big');
    const ac = new AbortController();
    let offered!: (m: string) => void;
    const sawOffer = new Promise<string>((r) => (offered = r));
    const pending = backend.requestResources(run, { signal: ac.signal, onProgress: (m) => m.includes('last offered') && offered(m) });
    const message = await sawOffer;
    expect(message).toContain('cpus 8, mem 896 MiB, role *, constraints rack:r9');
    expect(message).toMatch(
      /last offered: 127\.0\.0\.1 \(role \*, cpus 2, mem 4096 MiB, rack:r1\): cpus 2 < 8, attribute rack=r1 does not match r9/,
    );
    ac.abort(new Error('start deadline passed'));
    await expect(pending).rejects.toThrow('start deadline passed');
    await vi.waitFor(() => expect(callsOf(master.calls(), 'DECLINE').length).toBeGreaterThan(0), { timeout: 15_000 });
    const declines = callsOf(master.calls(), 'DECLINE');
    expect(declines.at(-1)!.decline).toMatchObject({ filters: { refuse_seconds: expect.any(Number) } });
    expect(callsOf(master.calls(), 'REVIVE').length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(callsOf(master.calls(), 'SUPPRESS').length).toBeGreaterThan(0), { timeout: 15_000 });
  });
});
