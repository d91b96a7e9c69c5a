import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MesosMaster, MesosPair } from '../../support/mesos-emulator/index.js';
import { startMesosMaster, startMesosPair } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import type { JobRun } from '../../../src/backends/ports.js';
import { callsOf, ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });
const EMULATOR = {
  agents: [{ cpus: 2, mem: 4096 }],
  heartbeatIntervalSeconds: 0.5,
  allocationIntervalSeconds: 0.2,
  statusUpdateRetrySeconds: 1,
};

/** Subscribe calls, with the framework id they carried. */
const subscribes = (m: MesosMaster) => callsOf(m.calls(), 'SUBSCRIBE').map((c) => (c.framework_id as { value: string } | undefined)?.value);

/** Starts a driver that sleeps, and resolves once its log shows it running. */
async function startSleeper(backend: MesosBackend, run: JobRun) {
  const reservation = await backend.requestResources(run, io());
  const ref = await backend.start(run, reservation, io());
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const exit = backend.wait(run, ref, { ...io(), onLog: (c) => c.includes('Submitting 1 missing tasks') && started() });
  await running;
  return { reservation, ref, exit };
}

describe('Mesos backend resilience', () => {
  const closers: Array<() => Promise<void>> = [];
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const master = async (): Promise<MesosMaster> => {
    const m = await startMesosMaster(EMULATOR);
    closers.push(() => m.close());
    return m;
  };
  const backendFor = (o: Parameters<typeof testBackend>[0] = {}) => {
    const t = testBackend(o);
    closers.push(() => t.backend.close());
    return t;
  };

  it('reconnects after a dropped stream with the same framework id; the job finishes once', async () => {
    const m = await master();
    const { backend } = backendFor();
    const run = runOf(mesosSpec({ master: `mesos://127.0.0.1:${m.port}`, sparkConf: { 'spark.fake.sleepSeconds': '2' } }), 'drop');
    const { frameworkId } = await backend.connect(runOf(run.spec), io());
    const { ref, exit, reservation } = await startSleeper(backend, run);
    m.faults.dropStream({ abrupt: true });
    await vi.waitFor(() => expect(subscribes(m)).toEqual([undefined, frameworkId]), { timeout: 15_000 });
    await expect(exit).resolves.toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    await backend.release(run, ref, reservation, io());
    expect(callsOf(m.calls(), 'ACCEPT')).toHaveLength(1);
    expect(
      m
        .tasks()
        .filter((t) => t.id === ref.taskId)
        .map((t) => t.state),
    ).toEqual(['TASK_FINISHED']);
    expect(callsOf(m.calls(), 'RECONCILE').length).toBeGreaterThanOrEqual(2);
  });

  it('reconnects when heartbeats stop, with the same framework id', async () => {
    const m = await master();
    const { backend, logger } = backendFor();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${m.port}` });
    const { frameworkId } = await backend.connect(runOf(s), io());
    m.faults.stopHeartbeats();
    await vi.waitFor(() => expect(logger.lines.some((l) => l.includes('Missed heartbeats'))).toBe(true), { timeout: 10_000 });
    m.faults.resumeHeartbeats();
    await vi.waitFor(() => expect(subscribes(m)).toEqual([undefined, frameworkId]), { timeout: 10_000 });
    const run = runOf(s, 'after-heartbeats');
    const reservation = await backend.requestResources(run, io());
    const ref = await backend.start(run, reservation, io());
    await expect(backend.wait(run, ref, io())).resolves.toMatchObject({ outcome: 'succeeded' });
    await backend.release(run, ref, reservation, io());
    expect(ref.frameworkId).toBe(frameworkId);
  });

  it('follows the 307 of a non-leader and fails over to the new leader with the same framework id', async () => {
    const pair: MesosPair = await startMesosPair(EMULATOR);
    closers.push(() => pair.close());
    const [a, b] = pair.masters;
    const { backend } = backendFor();
    const run = runOf(mesosSpec({ master: `mesos://127.0.0.1:${b.port}`, sparkConf: { 'spark.fake.sleepSeconds': '2' } }), 'failover');
    const { frameworkId } = await backend.connect(runOf(run.spec), io());
    const subscribed = () =>
      a
        .messages()
        .filter((x) => x.dir === 'event' && (x.body as { type: string }).type === 'SUBSCRIBED')
        .map((x) => ({
          port: x.port,
          frameworkId: (x.body as { subscribed: { framework_id: { value: string } } }).subscribed.framework_id.value,
        }));
    expect(subscribed()).toEqual([{ port: a.port, frameworkId }]);
    const { ref, exit, reservation } = await startSleeper(backend, run);
    pair.faults.failover();
    expect(pair.leader().port).toBe(b.port);
    await vi.waitFor(
      () =>
        expect(subscribed()).toEqual([
          { port: a.port, frameworkId },
          { port: b.port, frameworkId },
        ]),
      { timeout: 10_000 },
    );
    const subscribeCalls = a.messages().filter((x) => x.dir === 'call' && (x.body as { type: string }).type === 'SUBSCRIBE');
    expect(subscribeCalls.map((x) => x.port)).toEqual([b.port, a.port, a.port, b.port]);
    await expect(exit).resolves.toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    await backend.release(run, ref, reservation, io());
    expect(subscribes(a)).toEqual([undefined, undefined, frameworkId, frameworkId]);
    expect(callsOf(a.calls(), 'ACCEPT')).toHaveLength(1);
  });

  it('a restarted backend (same state dir) fails over to the same framework and adopts the running task instead of launching it again', async () => {
    const m = await master();
    const first = testBackend();
    const run = runOf(mesosSpec({ master: `mesos://127.0.0.1:${m.port}`, sparkConf: { 'spark.fake.sleepSeconds': '3' } }), 'restart');
    const { frameworkId } = await first.backend.connect(runOf(run.spec), io());
    const { ref, reservation } = await startSleeper(first.backend, run);
    await first.backend.close();

    const { backend } = backendFor({ stateDir: first.stateDir });
    const connected = await backend.connect(undefined, io());
    expect(connected.frameworkId).toBe(frameworkId);
    const drivers = await backend.listDrivers(io());
    expect(drivers).toEqual([
      {
        ref: { backend: 'mesos', taskId: ref.taskId, agentId: ref.agentId, frameworkId },
        job: 'restart',
        specHash: run.specHash,
        attempt: 1,
        running: true,
      },
    ]);
    const again = await backend.start(run, reservation, io());
    expect(again).toEqual(ref);
    await expect(backend.wait(run, again, io())).resolves.toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    await backend.release(run, again, reservation, io());
    expect(callsOf(m.calls(), 'ACCEPT')).toHaveLength(1);
    expect(subscribes(m)).toEqual([undefined, frameworkId]);
  });

  it('tries ZooKeeper hosts as masters on the configured port', async () => {
    const m = await master();
    const { backend } = backendFor({ zkMasterPort: m.port });
    const s = mesosSpec({ master: 'mesos://zk://127.0.0.1:2181,localhost:2181/mesos' });
    await expect(backend.connect(runOf(s), io())).resolves.toMatchObject({ backend: 'mesos', frameworkId: expect.any(String) });
  });

  it('authenticates with HTTP Basic and refuses a wrong secret without revealing it', async () => {
    const m = await startMesosMaster({ ...EMULATOR, auth: { principal: 'spark', secret: 'right-secret' } });
    closers.push(() => m.close());
    const s = mesosSpec({ master: `mesos://127.0.0.1:${m.port}` });
    const ok = backendFor({ env: { MESOS_TEST_SECRET: 'right-secret' } });
    await expect(ok.backend.connect(runOf(s), io())).resolves.toMatchObject({ frameworkId: expect.any(String) });
    const bad = backendFor({ env: { MESOS_TEST_SECRET: 'wrong-secret' } });
    const err = await bad.backend.connect(runOf(s), io()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPARKCTL_MESOS_UNAUTHORIZED', errorClass: 'terminal' });
    expect(String((err as Error).message)).not.toContain('wrong-secret');
    expect(bad.logger.lines.join('\n')).not.toContain('wrong-secret');
  });
});
