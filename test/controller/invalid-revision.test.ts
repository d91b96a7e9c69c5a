import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadJobViews } from '../../src/cli/find-job.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { ensureTestImages } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, readFileStatus, waitForStatus, type Harness } from '../support/controller-harness.js';

// As Flux and Argo CD keep the last applied revision, an invalid revision of a running job's
// manifest never stops the job: it goes on with its last valid spec, Stalled says why, the CLI
// keeps showing it, and the next valid revision is followed.

const sleepy = (name: string, seconds: number, extra = '') =>
  fakeJob(name, `  sparkConf: {spark.fake.sleepSeconds: "${seconds}"}\n${extra}`);
const stalledInvalid = (s: { conditions: Array<{ type: string; status: string; reason: string }> }) =>
  s.conditions.some((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'InvalidSpec');

describe('an invalid revision keeps the last valid spec', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('an unknown field keeps the run, says Stalled/InvalidSpec, and the next valid revision is followed', async () => {
    h = await createHarness({ missingGraceMs: 300 });
    const file = join(h.jobsDir, 'job.yaml');
    await h.write('job.yaml', sleepy('keep', 30));
    await h.start();
    const running = await waitForStatus(file, phaseIs('Running'));
    await writeFile(file, (await readFile(file, 'utf8')).replace('  arguments: ["10"]', '  arguments: ["10"]\n  bogusField: 1'));
    const kept = await waitForStatus(file, (s) => s.phase === 'Running' && stalledInvalid(s), 20_000);
    expect(kept.driver?.containerId).toBe(running.driver?.containerId);
    expect(kept.message).toMatch(/bogusField/);
    expect((await readJobEvents(h.stateDir, 'keep')).some((e) => e.type === 'Warning' && e.reason === 'InvalidSpec')).toBe(true);
    const views = await loadJobViews({ jobsDir: h.jobsDir, stateDir: h.stateDir });
    expect(views.map((v) => [v.name, v.status.phase])).toEqual([['keep', 'Running']]);

    // A valid revision with a new spec is followed: the old run is released, a new one starts.
    await writeFile(file, sleepy('keep', 1));
    const next = await waitForStatus(file, (s) => s.phase === 'Succeeded' && !stalledInvalid(s), 45_000);
    expect(next.driver?.containerId).not.toBe(running.driver?.containerId);
  }, 120_000);

  it('a YAML syntax error keeps the run; get still shows the job; reverting the file clears the condition', async () => {
    h = await createHarness({ missingGraceMs: 300 });
    const file = join(h.jobsDir, 'job.yaml');
    await h.write('job.yaml', sleepy('syntax', 8));
    await h.start();
    const running = await waitForStatus(file, phaseIs('Running'));
    const good = await readFile(file, 'utf8');
    await writeFile(file, `${good}\nspec: [unterminated\n`);
    // The file cannot carry a status; the journal does, and the CLI shows it.
    const deadline = Date.now() + 20_000;
    let views = await loadJobViews({ jobsDir: h.jobsDir, stateDir: h.stateDir });
    while (
      !(views[0] && stalledInvalid(views[0].status) && views[0].record?.status.conditions.some((c) => c.reason === 'InvalidSpec')) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 100));
      views = await loadJobViews({ jobsDir: h.jobsDir, stateDir: h.stateDir });
    }
    expect(views.map((v) => [v.name, v.status.phase])).toEqual([['syntax', 'Running']]);
    expect(stalledInvalid(views[0]!.status)).toBe(true);

    await writeFile(file, good);
    const done = await waitForStatus(file, (s) => s.phase === 'Succeeded', 45_000);
    expect(stalledInvalid(done)).toBe(false);
    expect(done.executionAttempts).toBe(1);
    expect(done.driver?.containerId).toBe(running.driver?.containerId);
    expect((await readFileStatus(file))?.message).not.toMatch(/invalid/);
  }, 120_000);
});
