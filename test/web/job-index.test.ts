import { mkdir, mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobIndex as JobIndexClass } from '../../src/web/job-index.js';
import { fakeJob } from '../support/controller-harness.js';

let JobIndex: typeof JobIndexClass;
let READ_CACHE_FILE: string;

describe("the dashboard's job index keeps the CLI's read cache across loads", () => {
  let root: string | undefined;
  const indexes: JobIndexClass[] = [];
  beforeAll(async () => {
    // Files are cached at once (no 2 s settle time), so the test sees the cache at work; read when the key module
    // loads, so every module that imports it is loaded after this line.
    process.env.SPARKCTL_CACHE_SETTLE_MS = '0';
    ({ JobIndex } = await import('../../src/web/job-index.js'));
    ({ READ_CACHE_FILE } = await import('../../src/cli/read-cache.js'));
  });
  afterEach(async () => {
    for (const i of indexes.splice(0)) i.close();
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  const labelled = (name: string, team: string) =>
    fakeJob(name, '  suspend: true\n').replace(`name: ${name}\n`, `name: ${name}\n  labels: {team: ${team}}\n`);
  const teams = (views: ReadonlyArray<{ name: string; manifest?: Record<string, unknown> }>) =>
    Object.fromEntries(views.map((v) => [v.name, (v.manifest?.metadata as { labels?: { team?: string } } | undefined)?.labels?.team]));

  it('writes the cache to the state dir, sees every edit and deletion, and a new index (a restart) starts from it', async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-index-'));
    const ctx = { jobsDir: join(root, 'jobs'), stateDir: join(root, 'state') };
    await mkdir(ctx.jobsDir);
    await mkdir(ctx.stateDir);
    await writeFile(join(ctx.jobsDir, 'a.yaml'), labelled('a', 'geo'));
    await writeFile(join(ctx.jobsDir, 'b.yaml'), labelled('b', 'ml'));
    const first = new JobIndex(ctx, { liveIntervalMs: 60_000 });
    indexes.push(first);
    expect(teams(await first.reload())).toEqual({ a: 'geo', b: 'ml' });
    expect((await stat(join(ctx.stateDir, READ_CACHE_FILE))).isFile()).toBe(true);

    await writeFile(join(ctx.jobsDir, 'a.yaml'), labelled('a', 'finance'));
    expect(teams(await first.reload())).toEqual({ a: 'finance', b: 'ml' });

    const restarted = new JobIndex(ctx, { liveIntervalMs: 60_000 });
    indexes.push(restarted);
    expect(teams(await restarted.reload())).toEqual({ a: 'finance', b: 'ml' });
    await unlink(join(ctx.jobsDir, 'b.yaml'));
    await writeFile(join(ctx.jobsDir, 'c.yaml'), labelled('c', 'geo'));
    expect(teams(await restarted.reload())).toEqual({ a: 'finance', c: 'geo' });
  });
});
