import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import type { UnknownTask } from '../../../src/backends/mesos/framework-session.js';
import { FRAMEWORK_STORE_FILE } from '../../../src/backends/mesos/framework-store.js';
import type { JobRun } from '../../../src/backends/ports.js';
import { ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });
const EMULATOR = {
  agents: [{ cpus: 2, mem: 4096 }],
  heartbeatIntervalSeconds: 0.5,
  allocationIntervalSeconds: 0.2,
  statusUpdateRetrySeconds: 1,
};

async function startSleeper(backend: MesosBackend, run: JobRun) {
  const reservation = await backend.requestResources(run, io());
  const ref = await backend.start(run, reservation, io());
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const exit = backend.wait(run, ref, { ...io(), onLog: (c) => c.includes('Submitting 1 missing tasks') && started() });
  await running;
  return { reservation, ref, exit };
}

describe('Mesos backend: task and offer faults', () => {
  const closers: Array<() => Promise<void>> = [];
  let m: MesosMaster;
  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const setup = async (o: Parameters<typeof testBackend>[0] = {}) => {
    m = await startMesosMaster(EMULATOR);
    closers.push(() => m.close());
    const t = testBackend(o);
    closers.push(() => t.backend.close());
    return t;
  };
  const sleeper = (name: string, seconds = '30') =>
    runOf(mesosSpec({ master: `mesos://127.0.0.1:${m.port}`, sparkConf: { 'spark.fake.sleepSeconds': seconds } }), name);

  it('reports a driver killed under it (SIGKILL) as failed with exit code 137', async () => {
    const { backend } = await setup();
    const run = sleeper('sigkill');
    const { ref, exit, reservation } = await startSleeper(backend, run);
    await m.faults.failTask(ref.taskId!);
    await expect(exit).resolves.toMatchObject({ outcome: 'failed', exitCode: 137 });
    await backend.release(run, ref, reservation, io());
  });

  it('reports a driver on a lost agent as lost with the reason, and releases it without hanging', async () => {
    const { backend } = await setup();
    const run = sleeper('agent-lost');
    const { ref, exit, reservation } = await startSleeper(backend, run);
    m.faults.loseAgent(ref.agentId!);
    const end = await exit;
    expect(end).toMatchObject({ outcome: 'lost', exitCode: null });
    expect(end.message).toContain('TASK_UNREACHABLE');
    expect(end.message).toContain('REASON_AGENT_REMOVED');
    await backend.release(run, ref, reservation, io());
  });

  it('fails start retryably when the held offer was rescinded', async () => {
    const { backend } = await setup();
    const run = sleeper('rescinded', '0');
    const reservation = await backend.requestResources(run, io());
    m.faults.loseAgent(reservation.agentId!);
    const err = await backend.start(run, reservation, io()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPARKCTL_MESOS_OFFER_LOST', errorClass: 'retryable' });
  });

  it('declines a held offer that was never launched on when the run is released', async () => {
    const { backend } = await setup();
    const run = sleeper('unused', '0');
    const reservation = await backend.requestResources(run, io());
    await backend.release(run, undefined, reservation, io());
    const declined = m
      .calls()
      .filter((c) => (c as { type: string }).type === 'DECLINE')
      .flatMap((c) => (c as { decline: { offer_ids: Array<{ value: string }> } }).decline.offer_ids.map((o) => o.value));
    expect(declined).toContain(reservation.offerId);
    await expect(backend.start(run, reservation, io())).rejects.toMatchObject({ code: 'SPARKCTL_MESOS_OFFER_LOST' });
    expect(m.tasks()).toHaveLength(0);
  });

  it('reports sparkctl tasks of the framework that nobody here knows', async () => {
    const first = await setup();
    const run = sleeper('orphan');
    const { ref } = await startSleeper(first.backend, run);
    await first.backend.close();
    const file = path.join(first.stateDir, FRAMEWORK_STORE_FILE);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { frameworks: Record<string, { tasks: object }> };
    for (const fw of Object.values(stored.frameworks)) fw.tasks = {};
    writeFileSync(file, JSON.stringify(stored));

    let report!: (t: UnknownTask) => void;
    const reported = new Promise<UnknownTask>((r) => (report = r));
    const second = testBackend({ stateDir: first.stateDir, onUnknownTask: (t) => report(t) });
    closers.push(() => second.backend.close());
    const { frameworkId } = await second.backend.connect(undefined, io());
    await expect(reported).resolves.toMatchObject({
      taskId: ref.taskId,
      frameworkId,
      state: 'TASK_RUNNING',
      agentId: ref.agentId,
      job: 'orphan',
      attempt: 1,
    });
    const drivers = await second.backend.listDrivers(io());
    expect(drivers).toContainEqual(
      expect.objectContaining({ job: 'orphan', attempt: 1, running: true, specHash: run.specHash.slice(0, 12) }),
    );
  });

  it('says why it cannot subscribe while the master is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const t = testBackend();
    closers.push(() => t.backend.close());
    const ac = new AbortController();
    let progress!: (m: string) => void;
    const noted = new Promise<string>((r) => (progress = r));
    const pending = t.backend.connect(runOf(mesosSpec({ master: `mesos://127.0.0.1:${port}` })), {
      signal: ac.signal,
      onProgress: (msg) => msg.includes('ECONNREFUSED') && progress(msg),
    });
    await expect(noted).resolves.toContain(`Subscribing to the Mesos master mesos://127.0.0.1:${port}`);
    ac.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
  });
});
