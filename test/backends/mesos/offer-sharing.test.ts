import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import type { SparkJobSpec } from '../../../src/api/spark-job.js';
import type { Reservation } from '../../../src/backends/ports.js';
import { callsOf, ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

const io = () => ({ signal: AbortSignal.timeout(55_000) });

type Accept = {
  offer_ids: Array<{ value: string }>;
  operations: Array<{ type: string; launch?: { task_infos: Array<{ task_id: { value: string } }> } }>;
};
const acceptsOf = (m: MesosMaster): Accept[] => callsOf(m.calls(), 'ACCEPT').map((c) => c.accept as Accept);
const launchedIn = (a: Accept): string[] =>
  a.operations.flatMap((op) => (op.type === 'LAUNCH' ? (op.launch?.task_infos ?? []).map((t) => t.task_id.value) : []));
/** Where the first call of `type` after message `after` is in the master's record (-1: none). */
const callAfter = (m: MesosMaster, type: string, after = -1): number =>
  m.messages().findIndex((msg, i) => i > after && msg.dir === 'call' && (msg.body as { type?: unknown }).type === type);

/**
 * Offers shared by several waiting drivers. The masters allocate once an hour, so every offer here
 * comes from an event (subscribe, REVIVE, an agent healing), never from the periodic cycle.
 */
describe('Mesos offers shared by waiting drivers (emulated master, real containers)', () => {
  const masters: MesosMaster[] = [];
  const backends: MesosBackend[] = [];
  const cluster = async (cpus: number): Promise<MesosMaster> => {
    const m = await startMesosMaster({
      agents: [{ cpus, mem: 4096, attributes: { rack: 'r1' } }],
      heartbeatIntervalSeconds: 0.5,
      allocationIntervalSeconds: 3600,
      statusUpdateRetrySeconds: 1,
    });
    masters.push(m);
    return m;
  };
  const make = () => {
    const t = testBackend();
    backends.push(t.backend);
    return t.backend;
  };
  /** Asks for resources and resolves `waiting` once the driver is in the offer book. */
  const request = (backend: MesosBackend, s: SparkJobSpec, name: string) => {
    let waiting!: () => void;
    const inBook = new Promise<void>((r) => (waiting = r));
    const run = runOf(s, name);
    const reservation = backend.requestResources(run, {
      ...io(),
      onProgress: (m) => m.startsWith('Waiting for a Mesos offer') && waiting(),
    });
    return { run, reservation, inBook };
  };
  const runToEnd = async (backend: MesosBackend, run: ReturnType<typeof runOf>, reservation: Reservation) => {
    const ref = await backend.start(run, reservation, io());
    await expect(backend.wait(run, ref, io())).resolves.toMatchObject({ outcome: 'succeeded' });
    await backend.release(run, ref, reservation, io());
    return ref;
  };

  beforeAll(() => ensureFakeImage());
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
    await Promise.all(masters.splice(0).map((m) => m.close()));
  });
  afterAll(async () => {
    await Promise.all(masters.map((m) => m.close()));
  });

  it('launches every waiting driver that fits one offer with a single ACCEPT carrying all their tasks', async () => {
    const master = await cluster(3);
    const agent = master.agentIds[0]!;
    const backend = make();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${master.port}` });
    await backend.connect(runOf(s), io());
    master.faults.partitionAgent(agent);
    const jobs = ['share-a', 'share-b', 'share-c'].map((n) => request(backend, s, n));
    await Promise.all(jobs.map((j) => j.inBook));
    master.faults.healAgent(agent);
    const reservations = await Promise.all(jobs.map((j) => j.reservation));
    expect(new Set(reservations.map((r) => r.offerId)).size).toBe(1);
    const refs = await Promise.all(jobs.map((j, i) => runToEnd(backend, j.run, reservations[i]!)));

    const launches = acceptsOf(master).filter((a) => launchedIn(a).length > 0);
    expect(launches).toHaveLength(1);
    expect(launches[0]!.offer_ids).toEqual([{ value: reservations[0]!.offerId }]);
    expect(launches[0]!.operations.filter((op) => op.type === 'LAUNCH')).toHaveLength(1);
    expect(new Set(launchedIn(launches[0]!))).toEqual(new Set(refs.map((r) => r.taskId)));
    for (const ref of refs)
      expect(master.tasks().find((t) => t.id === ref.taskId)).toMatchObject({ state: 'TASK_FINISHED', agentId: agent });
  });

  it('gives an offer that fits one driver to the one waiting longest, and the next to the other as soon as the first ends', async () => {
    const master = await cluster(1);
    const agent = master.agentIds[0]!;
    const backend = make();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${master.port}` });
    await backend.connect(runOf(s), io());
    master.faults.partitionAgent(agent);
    const first = request(backend, s, 'turn-first');
    await first.inBook;
    const second = request(backend, s, 'turn-second');
    await second.inBook;
    master.faults.healAgent(agent);
    const firstRes = await first.reservation;
    let secondHeld = false;
    void second.reservation.then(() => (secondHeld = true));
    const firstRef = await backend.start(first.run, firstRes, io());
    expect(secondHeld).toBe(false);
    await expect(backend.wait(first.run, firstRef, io())).resolves.toMatchObject({ outcome: 'succeeded' });
    // No periodic allocation comes within the test: the second driver's offer is the REVIVE sent when the first task ended.
    const secondRes = await second.reservation;
    expect(secondRes.offerId).not.toBe(firstRes.offerId);
    const secondRef = await runToEnd(backend, second.run, secondRes);
    await backend.release(first.run, firstRef, firstRes, io());

    const launches = acceptsOf(master)
      .filter((a) => launchedIn(a).length > 0)
      .map(launchedIn);
    expect(launches).toEqual([[firstRef.taskId], [secondRef.taskId]]);
    const finished = master
      .messages()
      .findIndex(
        (m) =>
          m.dir === 'event' && JSON.stringify(m.body).includes(`"${firstRef.taskId}"`) && JSON.stringify(m.body).includes('TASK_FINISHED'),
      );
    expect(finished).toBeGreaterThan(-1);
    expect(callAfter(master, 'REVIVE', finished)).toBeGreaterThan(finished);
  });

  it('declines an offer no waiting driver fits with a long filter, REVIVEs when new work arrives, and SUPPRESSes when nothing waits', async () => {
    const master = await cluster(1);
    const agent = master.agentIds[0]!;
    const backend = make();
    const s = mesosSpec({ master: `mesos://127.0.0.1:${master.port}` });
    await backend.connect(runOf(s), io());
    master.faults.partitionAgent(agent);
    const ac = new AbortController();
    const elsewhere = mesosSpec({ master: s.master, mesos: { ...s.mesos!, constraints: 'rack:r9' } });
    let waiting!: () => void;
    const inBook = new Promise<void>((r) => (waiting = r));
    const stuck = backend.requestResources(runOf(elsewhere, 'no-rack'), {
      signal: ac.signal,
      onProgress: (m) => m.startsWith('Waiting for a Mesos offer') && waiting(),
    });
    await inBook;
    master.faults.healAgent(agent);
    await vi.waitFor(() => expect(callsOf(master.calls(), 'DECLINE')).toHaveLength(1), { timeout: 15_000 });
    const declined = callsOf(master.calls(), 'DECLINE')[0]!.decline as {
      offer_ids: Array<{ value: string }>;
      filters: { refuse_seconds: number };
    };
    expect(declined.filters.refuse_seconds).toBe(30);
    const declinedAt = callAfter(master, 'DECLINE');

    const fits = request(backend, s, 'new-work');
    const reservation = await fits.reservation;
    const revivedAt = callAfter(master, 'REVIVE', declinedAt);
    expect(revivedAt).toBeGreaterThan(declinedAt);
    expect(reservation.agentId).toBe(agent);
    expect(reservation.offerId).not.toBe(declined.offer_ids[0]!.value);
    await runToEnd(backend, fits.run, reservation);

    ac.abort(new Error('gave up'));
    await expect(stuck).rejects.toThrow('gave up');
    await vi.waitFor(() => expect(callAfter(master, 'SUPPRESS', revivedAt)).toBeGreaterThan(revivedAt), { timeout: 15_000 });
  });
});
