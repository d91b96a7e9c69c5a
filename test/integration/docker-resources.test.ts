import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import type { Reservation } from '../../src/backends/ports.js';
import { callIO, ensureTestImages, makeRun, removeInstanceContainers, TEST_IMAGES, uniqueId } from '../support/docker.js';

// Connecting, image policies and the CPU/memory ledger, against the real engine.
describe('docker backend: connect', () => {
  it('reaches the engine and reports an API version of at least 1.41', async () => {
    const backend = createDockerBackend({ instance: uniqueId('c') });
    const result = await backend.connect(undefined, callIO());
    expect(result.backend).toBe('docker');
    const [major, minor] = result.version.split('.').map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 41)).toBe(true);
    expect(backend.resources().capacity.cpus).toBeGreaterThan(0);
    await backend.close();
  });

  it('fails retryable with EngineUnavailable, naming the socket and the fix, when nothing listens', async () => {
    const backend = createDockerBackend({ socketPath: '/tmp/sparkctl-no-such-docker.sock' });
    const err = await backend.connect(undefined, callIO()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SPARKCTL_DOCKER_ENGINE_UNAVAILABLE', errorClass: 'retryable', reason: 'EngineUnavailable' });
    expect((err as Error).message).toMatch(/unix:\/\/\/tmp\/sparkctl-no-such-docker\.sock/);
    expect((err as Error).message).toMatch(/start dockerd/);
  });

  it('rejects an instance id that cannot go into a container name', () => {
    expect(() => createDockerBackend({ instance: 'Bad Name' })).toThrow(/instance "Bad Name"/);
  });
});

describe('docker backend: images', () => {
  const instance = uniqueId('img');
  let backend: DockerBackend;
  const held: Reservation[] = [];

  beforeAll(async () => {
    await ensureTestImages();
    backend = createDockerBackend({ instance, capacity: { cpus: 4, memMiB: 4096 } });
    await backend.connect(undefined, callIO());
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await backend.close();
  });

  it('Never with a missing image fails terminal with ImageNotPresent naming the image', async () => {
    const run = makeRun({ image: 'sparkctl/not-built-here:1', imagePullPolicy: 'Never' });
    const err = await backend.requestResources(run, callIO()).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'ImageNotPresent', errorClass: 'terminal', code: 'SPARKCTL_DOCKER_IMAGE_NOT_PRESENT' });
    expect((err as Error).message).toContain('sparkctl/not-built-here:1');
    expect(backend.resources().held).toEqual([]);
  });

  it('Never and IfNotPresent use a local image without pulling', async () => {
    for (const policy of ['Never', 'IfNotPresent'] as const) {
      const run = makeRun({ image: TEST_IMAGES.sparkFake, imagePullPolicy: policy });
      const r = await backend.requestResources(run, callIO());
      expect(r).toMatchObject({ key: `${run.name}/1`, cpus: 0.5, memMiB: 128 });
      held.push(r);
    }
    expect(backend.resources().held).toHaveLength(2);
    for (const r of held.splice(0)) await backend.release(makeRun({}, { name: r.key.split('/')[0]! }), undefined, r, callIO());
    expect(backend.resources().held).toEqual([]);
  });

  it('IfNotPresent with a missing image tries a pull; with no registry it fails terminal with ImagePullFailed', async () => {
    const run = makeRun({ image: 'registry.sparkctl.invalid/spark:3.5.3', imagePullPolicy: 'IfNotPresent' });
    const err = await backend.requestResources(run, callIO()).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'ImagePullFailed', errorClass: 'terminal' });
    expect((err as Error).message).toMatch(/registry\.sparkctl\.invalid\/spark:3\.5\.3/);
    expect((err as Error).message).toMatch(/could not be reached|no image by that name/);
  });

  it('Always with a local copy and no registry fails retryable: the registry may come back', async () => {
    const run = makeRun({ image: TEST_IMAGES.sparkFake, imagePullPolicy: 'Always' });
    const err = await backend.requestResources(run, callIO()).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'ImagePullFailed', errorClass: 'retryable' });
  });
});

describe('docker backend: the CPU and memory ledger', () => {
  const instance = uniqueId('led');
  let backend: DockerBackend;

  beforeAll(async () => {
    await ensureTestImages();
    backend = createDockerBackend({ instance, capacity: { cpus: 2, memMiB: 4096 } });
    await backend.connect(undefined, callIO());
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await backend.close();
  });

  const oneCpu = () => makeRun({ driver: { cores: 1, memory: '512m' } });

  it('never overcommits: with 2 CPUs the third 1-CPU job waits until one releases, and is told why', async () => {
    const [a, b, c] = [oneCpu(), oneCpu(), oneCpu()];
    const ra = await backend.requestResources(a, callIO());
    const rb = await backend.requestResources(b, callIO());
    const notes: string[] = [];
    let noted!: () => void;
    const firstNote = new Promise<void>((r) => (noted = r));
    let cGranted = false;
    const pc = backend
      .requestResources(
        c,
        callIO(undefined, (m) => (notes.push(m), noted())),
      )
      .then((r) => ((cGranted = true), r));
    await firstNote;
    expect(cGranted).toBe(false);
    expect(notes[0]).toBe('waiting for 1 CPU / 896 MiB; free: 0 CPUs / 2304 MiB');
    expect(backend.resources().used).toEqual({ cpus: 2, memMiB: 1792 });
    expect(backend.resources().waiting).toEqual([`${c.name}/1`]);

    const ref = await backend.start(a, ra, callIO());
    await backend.release(a, ref, ra, callIO());
    const rc = await pc;
    expect(rc.key).toBe(`${c.name}/1`);
    expect(backend.resources().used).toEqual({ cpus: 2, memMiB: 1792 });
    await backend.release(b, undefined, rb, callIO());
    await backend.release(c, undefined, rc, callIO());
    expect(backend.resources().used).toEqual({ cpus: 0, memMiB: 0 });
  });

  it('stops waiting when the signal aborts, and the line moves on', async () => {
    const [a, b, c, d] = [oneCpu(), oneCpu(), oneCpu(), oneCpu()];
    const ra = await backend.requestResources(a, callIO());
    const rb = await backend.requestResources(b, callIO());
    const ac = new AbortController();
    const pc = backend.requestResources(c, callIO(ac.signal));
    // requestResources checks the image with the engine before it queues: let c queue first.
    await expect.poll(() => backend.resources().waiting, { timeout: 15_000 }).toEqual([`${c.name}/1`]);
    const pd = backend.requestResources(d, callIO());
    await expect.poll(() => backend.resources().waiting, { timeout: 15_000 }).toEqual([`${c.name}/1`, `${d.name}/1`]);
    ac.abort(new Error('job deleted'));
    await expect(pc).rejects.toThrow('job deleted');
    expect(backend.resources().waiting).toEqual([`${d.name}/1`]);
    await backend.release(a, undefined, ra, callIO());
    const rd = await pd;
    await backend.release(b, undefined, rb, callIO());
    await backend.release(d, undefined, rd, callIO());
    expect(backend.resources().held).toEqual([]);
  });

  it('fails terminal with InsufficientResources when one job is larger than the whole host', async () => {
    const big = makeRun({ driver: { cores: 3, memory: '1g' } });
    const err = await backend.requestResources(big, callIO()).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'InsufficientResources', errorClass: 'terminal' });
    expect((err as Error).message).toContain('asks for 3 CPUs / 1408 MiB');
    expect((err as Error).message).toContain('this host has 2 CPUs / 4096 MiB');
  });

  it('counts a reclaimed reservation again, so new jobs wait behind it', async () => {
    const restored = oneCpu();
    backend.reclaim({ key: `${restored.name}/1`, cpus: 2, memMiB: 100 });
    const waiting = oneCpu();
    const ac = new AbortController();
    const p = backend.requestResources(waiting, callIO(ac.signal));
    await expect.poll(() => backend.resources().waiting, { timeout: 15_000 }).toEqual([`${waiting.name}/1`]);
    await backend.release(restored, undefined, { key: `${restored.name}/1`, cpus: 2, memMiB: 100 }, callIO());
    const r = await p;
    await backend.release(waiting, undefined, r, callIO());
    expect(backend.resources().held).toEqual([]);
  });
});
