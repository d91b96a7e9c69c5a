import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createControllerMetrics } from '../../src/controller/metrics.js';
import { serveHealth } from '../../src/controller/serve-health.js';
import { silentLogger } from '../../src/logger.js';
import { ensureTestImages, testDocker } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, readFileStatus, waitForStatus, type Harness } from '../support/controller-harness.js';

// Fail-stop when the state dir fills: the journal lives on a tiny tmpfs; once the driver runs the
// tmpfs is filled, so its results cannot be recorded. The job must keep its driver (the evidence),
// say why, and finish normally once space returns: one execution, never a second.

const OUTPUT_BYTES = 600 * 1024;

const containersOf = async (instance: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });

/** Fills a file system until it refuses more bytes (ENOSPC), returning the filler's path. */
async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // dd exits non-zero at ENOSPC, which is the point.
  }
  return filler;
}

describe('a full state dir (fail-stop)', () => {
  let h: Harness | undefined;
  let mounted: string | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.controller.stop().catch(() => undefined);
    if (mounted) execFileSync('umount', ['-l', mounted]);
    mounted = undefined;
    await h?.close();
    h = undefined;
  });

  async function setUp(): Promise<{ file: string }> {
    h = await createHarness();
    await mkdir(h.stateDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', h.stateDir]);
    mounted = h.stateDir;
    const extra = [
      `  sparkConf: {spark.fake.sleepSeconds: "3", spark.fake.output: /tmp/big.bin, spark.fake.outputBytes: "${OUTPUT_BYTES}"}`,
      '  outputs: [{name: big, path: /tmp/big.bin}]',
      '  restartPolicy: {type: OnFailure, onFailureRetries: 3, onFailureRetryInterval: 1}',
      '',
    ].join('\n');
    await h.write('big.yaml', fakeJob('big', extra));
    return { file: join(h.jobsDir, 'big.yaml') };
  }

  it('holds the driver while results cannot be recorded, says so, and completes once space returns', async () => {
    const { file } = await setUp();
    await h!.start();
    // The probe-file check gets a writable folder, so a 503 can only come from the journal's own report.
    const health = await serveHealth({
      addr: '127.0.0.1:0',
      explicit: false,
      registry: createControllerMetrics({ defaultMetrics: false }).registry,
      isStarted: () => true,
      stateDir: h!.jobsDir,
      journalProblem: () => h!.controller.journalProblem(),
      pingEngine: async () => undefined,
      logger: silentLogger(),
    });
    const readyz = async () => {
      const res = await fetch(`${health.url}/readyz`);
      return { status: res.status, body: await res.text() };
    };
    await waitForStatus(file, phaseIs('Running'), 30_000);
    expect((await readyz()).status).toBe(200);
    const filler = await fill(h!.stateDir);

    const held = await waitForStatus(
      file,
      (s) => s.phase === 'Collecting' && /JournalUnavailable/.test(JSON.stringify(s.conditions)),
      30_000,
    );
    expect(held.message).toMatch(/ENOSPC/);
    expect(held.message).toMatch(/driver is kept/);
    expect((h!.controller as unknown as { journalProblem?: () => string | undefined }).journalProblem?.() ?? held.message).toMatch(
      /ENOSPC|could not/,
    );
    // The evidence stays: the exited driver container is still there, nothing was released.
    const during = await containersOf(h!.instance);
    expect(during).toHaveLength(1);
    // Still held a few retries later.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await readFileStatus(file))?.phase).toBe('Collecting');
    expect(await containersOf(h!.instance)).toHaveLength(1);

    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatch(/journal record of job big not written: .*ENOSPC/);

    await rm(filler);
    const done = await waitForStatus(file, phaseIs('Succeeded'), 60_000);
    expect(done.executionAttempts).toBe(1);
    expect(done.submissionAttempts).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await readyz()).status).toBe(200);
    await health.close();
    const out = done.results!.outputs.find((o) => o.name === 'big')!;
    expect((await stat(out.path)).size).toBe(OUTPUT_BYTES);
    expect(await containersOf(h!.instance)).toHaveLength(0);
    expect((h!.controller as unknown as { journalProblem?: () => string | undefined }).journalProblem?.()).toBeUndefined();
  }, 150_000);

  it('a restart while the disk is full, then space back, finishes the same run instead of running it again', async () => {
    const { file } = await setUp();
    await h!.start();
    await waitForStatus(file, phaseIs('Running'), 30_000);
    const filler = await fill(h!.stateDir);
    await waitForStatus(file, (s) => s.phase === 'Collecting' && /JournalUnavailable/.test(JSON.stringify(s.conditions)), 30_000);
    await h!.controller.stop();
    const first = await containersOf(h!.instance);
    expect(first).toHaveLength(1);

    await rm(filler);
    await h!.start();
    const done = await waitForStatus(file, phaseIs('Succeeded', 'Failed'), 60_000);
    expect(done.phase).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect((await stat(done.results!.outputs[0]!.path)).size).toBe(OUTPUT_BYTES);
    expect(await containersOf(h!.instance)).toHaveLength(0);
    const journal = JSON.parse(await readFile(join(h!.stateDir, 'jobs', 'big', 'job.json'), 'utf8')) as { status: { phase: string } };
    expect(journal.status.phase).toBe('Succeeded');
  }, 150_000);
});
