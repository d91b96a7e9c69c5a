import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend, type DockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../src/controller/controller.js';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import { isLoopbackHost, MetricsAddressError, parseMetricsAddr } from '../../src/config/metrics-addr.js';
import { serveHealth, type HealthServer } from '../../src/controller/serve-health.js';
import { silentLogger } from '../../src/logger.js';
import { fakeJob, phaseIs, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers, uniqueId } from '../support/docker.js';

const cli = join(import.meta.dirname, 'support', 'sparkctl-cli.ts');

/** A free loopback port (bound then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The value of one sample line in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics address', () => {
  it('parses host:port and [v6]:port, and rejects the rest with the flag named', () => {
    expect(parseMetricsAddr('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddr('[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['9464', 'localhost', ':9464', '1.2.3.4:99999', '[::1]', 'a:b']) {
      expect(() => parseMetricsAddr(bad)).toThrow(/--metrics-addr .* is not host:port/);
    }
  });

  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('refuses a non-loopback address that was not given explicitly, before binding anything', async () => {
    const attempt = serveHealth({
      addr: '0.0.0.0:0',
      explicit: false,
      registry: createControllerMetrics({ defaultMetrics: false }).registry,
      isStarted: () => true,
      stateDir: tmpdir(),
      pingEngine: async () => undefined,
      logger: silentLogger(),
    });
    await expect(attempt).rejects.toBeInstanceOf(MetricsAddressError);
    await expect(attempt).rejects.toThrow(/not loopback; pass --metrics-addr 0.0.0.0:0 explicitly/);
  });
});

describe('start latency and counters', () => {
  it('observes Pending→Running once per attempt and counts submissions, retries and failures', async () => {
    let t = 100;
    const m = createControllerMetrics({ now: () => t, defaultMetrics: false });
    m.onPhase('a', undefined, 'Pending');
    t = 101;
    m.onPhase('a', 'Pending', 'Connecting');
    m.onPhase('a', 'Connecting', 'Connecting'); // a reason change only
    m.onPhase('a', 'Connecting', 'RequestingResources');
    t = 103.5;
    m.onPhase('a', 'RequestingResources', 'Running');
    m.onPhase('a', 'Running', 'Releasing');
    m.onPhase('a', 'Releasing', 'Retrying');
    t = 110;
    m.onPhase('a', 'Retrying', 'Connecting');
    t = 111;
    m.onPhase('a', 'Connecting', 'Running');
    m.onPhase('a', 'Running', 'Failed');
    const text = await m.registry.metrics();
    expect(sample(text, 'sparkctl_job_start_latency_seconds_count')).toBe(2);
    expect(sample(text, 'sparkctl_job_start_latency_seconds_sum')).toBeCloseTo(3.5 + 1);
    expect(sample(text, 'sparkctl_job_submissions_total')).toBe(2);
    expect(sample(text, 'sparkctl_job_retries_total')).toBe(1);
    expect(sample(text, 'sparkctl_job_failures_total')).toBe(1);
  });
});

describe('health server over a real controller', () => {
  let root: string | undefined;
  let instance: string | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    if (instance) await removeInstanceContainers(instance);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('serves /healthz, /readyz and /metrics with jobs by phase, reconcile durations, start latency and process metrics', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-metrics-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    instance = uniqueId('m');
    const docker: DockerBackend = createDockerBackend({ instance, stopTimeoutSeconds: 1 });
    const metrics = createControllerMetrics();
    const controller = new Controller({
      jobsDir,
      stateDir,
      logger: silentLogger(),
      relistIntervalMs: 1000,
      onPhase: metrics.onPhase,
      onReconcile: metrics.onReconcile,
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    metrics.attach(controller);
    await writeFile(join(jobsDir, 'ok.yaml'), fakeJob('ok'));
    await writeFile(join(jobsDir, 'bad.yaml'), fakeJob('bad', `  sparkConf: {spark.fake.exitCode: "3"}\n`));
    await controller.start();
    let started = true;
    let engineUp = true;
    const health: HealthServer = await serveHealth({
      addr: '127.0.0.1:0',
      explicit: false,
      registry: metrics.registry,
      isStarted: () => started,
      stateDir,
      pingEngine: async (signal) => {
        if (!engineUp) throw new Error('engine down (test)');
        await docker.connect(undefined, { signal });
      },
      pingIntervalMs: 50,
      engineFreshSeconds: 0.5,
      journalCheckMs: 100,
      logger: silentLogger(),
    });
    closers.push(
      () => docker.close(),
      () => controller.stop(),
      () => health.close(),
    );
    await waitForStatus(join(jobsDir, 'ok.yaml'), phaseIs('Succeeded'));
    await waitForStatus(join(jobsDir, 'bad.yaml'), phaseIs('Failed'));
    await controller.whenIdle();

    expect(await (await fetch(`${health.url}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${health.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: { controller: { ok: true }, journal: { ok: true }, engine: { ok: true } },
    });

    const res = await fetch(`${health.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(sample(text, 'sparkctl_jobs{phase="Succeeded"}')).toBe(1);
    expect(sample(text, 'sparkctl_jobs{phase="Failed"}')).toBe(1);
    expect(sample(text, 'sparkctl_jobs{phase="Running"}')).toBe(0);
    expect(sample(text, 'sparkctl_queue_depth')).toBe(0);
    expect(sample(text, 'sparkctl_job_submissions_total')).toBe(2);
    expect(sample(text, 'sparkctl_job_failures_total')).toBe(1);
    expect(sample(text, 'sparkctl_job_start_latency_seconds_count')).toBe(2);
    expect(sample(text, 'sparkctl_reconcile_duration_seconds_count{result="ok"}')).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^sparkctl_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^sparkctl_nodejs_heap_size_used_bytes \d/m);

    // The engine stops answering: not ready, with the reason; back again: ready.
    engineUp = false;
    await expect.poll(async () => (await fetch(`${health.url}/readyz`)).status, { timeout: 5000 }).toBe(503);
    const body = (await (await fetch(`${health.url}/readyz`)).json()) as { checks: { engine: { message: string } } };
    expect(body.checks.engine.message).toMatch(/engine down \(test\)/);
    engineUp = true;
    await expect.poll(async () => (await fetch(`${health.url}/readyz`)).status, { timeout: 5000 }).toBe(200);

    // The journal cannot be written: not ready (once the cached check has expired).
    await rm(stateDir, { recursive: true, force: true });
    await expect.poll(async () => (await fetch(`${health.url}/readyz`)).status, { timeout: 5000 }).toBe(503);
    const unwritable = await fetch(`${health.url}/readyz`);
    expect(((await unwritable.json()) as { checks: { journal: { message: string } } }).checks.journal.message).toMatch(/not writable/);
    await mkdir(stateDir, { recursive: true });

    started = false;
    expect((await fetch(`${health.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${health.url}/nope`)).status).toBe(404);
  });

  it('answers 100 concurrent /readyz probes all 200, writes into the state dir at most once per cached check, and still turns 503 when the state dir breaks', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-readyz-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    instance = uniqueId('r');
    const docker: DockerBackend = createDockerBackend({ instance, stopTimeoutSeconds: 1 });
    const controller = new Controller({
      jobsDir,
      stateDir,
      logger: silentLogger(),
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    await controller.start();
    const health = await serveHealth({
      addr: '127.0.0.1:0',
      explicit: false,
      registry: createControllerMetrics({ defaultMetrics: false }).registry,
      isStarted: () => true,
      stateDir,
      pingEngine: (signal) => docker.connect(undefined, { signal }),
      pingIntervalMs: 50,
      logger: silentLogger(),
    });
    closers.push(
      () => docker.close(),
      () => controller.stop(),
      () => health.close(),
    );
    await expect.poll(async () => (await fetch(`${health.url}/readyz`)).status, { timeout: 5000 }).toBe(200);

    // Every probe file the health server creates in the state dir (inotify sees even one created and removed at once).
    const probes = new Set<string>();
    const watcher = watch(stateDir, (_event, file) => {
      if (file?.startsWith('.readyz-')) probes.add(file);
    });
    const started = Date.now();
    const burst = async () =>
      Promise.all(
        Array.from({ length: 100 }, async () => {
          const res = await fetch(`${health.url}/readyz`);
          return { status: res.status, body: (await res.json()) as { checks: { journal: { message: string } } } };
        }),
      );
    const answers = [...(await burst()), ...(await burst()), ...(await burst())];
    const elapsed = Date.now() - started;
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.checks.journal.message)).toEqual([]);
    expect(answers).toHaveLength(300);
    // A fresh probe fires through the watcher before the next burst asks: flush pending inotify events.
    await writeFile(join(stateDir, '.readyz-flush'), '');
    await expect.poll(() => probes.has('.readyz-flush')).toBe(true);
    watcher.close();
    probes.delete('.readyz-flush');
    // One check per second (the default cache) at most, plus the one cached before the bursts: never one per request.
    expect(probes.size).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
    expect((await readdir(stateDir)).filter((f) => f.startsWith('.readyz-') && f !== '.readyz-flush')).toEqual([]);

    // A state dir that even root cannot write into (a file in its place): 503 once the cached answer has expired.
    await rm(stateDir, { recursive: true, force: true });
    await writeFile(stateDir, 'not a folder');
    const broken = Date.now();
    await expect.poll(async () => (await fetch(`${health.url}/readyz`)).status, { timeout: 5000, interval: 100 }).toBe(503);
    expect(Date.now() - broken).toBeLessThan(3000);
    const body = (await (await fetch(`${health.url}/readyz`)).json()) as {
      ready: boolean;
      checks: { journal: { ok: boolean; message: string } };
    };
    expect(body.ready).toBe(false);
    expect(body.checks.journal).toMatchObject({ ok: false, message: expect.stringMatching(/not writable: .*ENOTDIR/) });
  });

  it('sparkctl controller --metrics-addr serves on that loopback port until SIGTERM, then exits 0', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-metrics-cli-'));
    const jobsDir = join(root, 'jobs');
    await mkdir(jobsDir);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--jobs', jobsDir, '--state-dir', join(root, 'state'), 'controller', '--metrics-addr', `127.0.0.1:${port}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SPARKCTL_LOG_LEVEL: 'info' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    closers.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await expect.poll(() => stderr.includes('Serving /healthz'), { timeout: 20_000 }).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^sparkctl_jobs\{phase="Pending"\} 0$/m);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('sparkctl controller rejects a malformed --metrics-addr as a usage error (exit 2)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--jobs', tmpdir(), 'controller', '--metrics-addr', 'nonsense'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--metrics-addr "nonsense" is not host:port/);
  });
});
