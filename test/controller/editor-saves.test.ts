import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJobEvents } from '../../src/state/read-journal.js';
import { ensureTestImages, testDocker } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, readFileStatus, waitForStatus, type Harness } from '../support/controller-harness.js';

// Editors and git move manifests through moments where the file is missing, empty or half
// written. None of those is a delete or a new spec: a running job keeps its driver.

const sleepy = (name: string, seconds = 5) => fakeJob(name, `  sparkConf: {spark.fake.sleepSeconds: "${seconds}"}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const containersOf = async (instance: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });

describe('editor saves and moves keep the run', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a non-atomic in-place save (truncate, write again 0.4 s later) keeps the driver', async () => {
    h = await createHarness();
    await h.write('job.yaml', sleepy('inplace'));
    await h.start();
    const file = join(h.jobsDir, 'job.yaml');
    const running = await waitForStatus(file, phaseIs('Running'));
    const text = await readFile(file, 'utf8');
    // As an editor without atomic saves does: one descriptor, truncated, written in two parts
    // (the first ends inside spec, so it names the job but does not validate), 0.4 s apart.
    const whole = `${text}# saved again by an editor\n`;
    const cut = whole.indexOf('mainApplicationFile');
    const fh = await open(file, 'r+');
    await fh.truncate(0);
    await fh.write(whole.slice(0, cut), 0);
    await sleep(400);
    await fh.write(whole.slice(cut), cut);
    await fh.close();
    const done = await waitForStatus(file, phaseIs('Succeeded', 'Failed'), 45_000);
    expect(done.phase).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect(done.submissionAttempts).toBe(1);
    expect(done.driver?.containerId).toBe(running.driver?.containerId);
    expect(await readFile(file, 'utf8')).toContain('# saved again by an editor');
  }, 90_000);

  it('a backup-and-rename save (mv job.yaml job.yaml~, new file 0.5 s later) keeps the driver', async () => {
    h = await createHarness();
    await h.write('job.yaml', sleepy('backup'));
    await h.start();
    const file = join(h.jobsDir, 'job.yaml');
    const running = await waitForStatus(file, phaseIs('Running'));
    const text = await readFile(file, 'utf8');
    await rename(file, `${file}~`);
    await sleep(500);
    await writeFile(file, text);
    const done = await waitForStatus(file, phaseIs('Succeeded', 'Failed'), 45_000);
    expect(done.phase).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect(done.submissionAttempts).toBe(1);
    // The same container throughout: a second execution would run in a new one (same name, new id).
    expect(done.driver?.containerId).toBe(running.driver?.containerId);
    const events = await readJobEvents(h.stateDir, 'backup');
    expect(events.map((e) => e.reason)).not.toContain('Deleted');
  }, 90_000);

  it('a move to another folder (git mv) is the same job: the run goes on and status lands in the new file', async () => {
    h = await createHarness();
    await h.write('a.yaml', sleepy('moved'));
    await h.start();
    const running = await waitForStatus(join(h.jobsDir, 'a.yaml'), phaseIs('Running'));
    await mkdir(join(h.jobsDir, 'team'));
    await rename(join(h.jobsDir, 'a.yaml'), join(h.jobsDir, 'team', 'b.yaml'));
    const done = await waitForStatus(join(h.jobsDir, 'team', 'b.yaml'), phaseIs('Succeeded', 'Failed'), 45_000);
    expect(done.phase).toBe('Succeeded');
    expect(done.executionAttempts).toBe(1);
    expect(done.submissionAttempts).toBe(1);
    expect(done.driver?.containerId).toBe(running.driver?.containerId);
    expect((await readJobEvents(h.stateDir, 'moved')).map((e) => e.reason)).not.toContain('Deleted');
  }, 90_000);

  it('a manifest that stays removed past the grace releases the job; one that stays broken keeps its last valid spec', async () => {
    h = await createHarness({ missingGraceMs: 1_000 });
    await h.write('gone.yaml', sleepy('gone', 60));
    await h.write('broken.yaml', sleepy('broken', 60));
    await h.start();
    await waitForStatus(join(h.jobsDir, 'gone.yaml'), phaseIs('Running'));
    const broken = join(h.jobsDir, 'broken.yaml');
    await waitForStatus(broken, phaseIs('Running'));
    await unlink(join(h.jobsDir, 'gone.yaml'));
    await writeFile(broken, 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata: {name: broken}\nspec: {image: half-written}\n');
    // Within the grace nothing is released and nothing is written into the broken file.
    await sleep(400);
    expect(await containersOf(h.instance)).toHaveLength(2);
    expect(await readFileStatus(broken)).toBeUndefined();
    const kept = await waitForStatus(broken, (s) => s.conditions.some((c) => c.type === 'Stalled' && c.reason === 'InvalidSpec'), 20_000);
    expect(kept.phase).toBe('Running');
    expect(kept.message).toMatch(/mainApplicationFile/);
    const deadline = Date.now() + 20_000;
    while ((await containersOf(h.instance)).length > 1 && Date.now() < deadline) await sleep(100);
    const left = await containersOf(h.instance);
    expect(left.map((c) => c.Labels['io.sparkctl.job'])).toEqual(['broken']);
  }, 90_000);
});
