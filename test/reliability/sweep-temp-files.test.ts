import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepTempFiles } from '../../src/controller/sweep-temp-files.js';

describe('sweepTempFiles', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("removes only old temp files of the atomic writers, never manifests, fresh temps or others' files", async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sweep-'));
    const jobs = join(root, 'jobs');
    await mkdir(join(jobs, 'team'), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    const files = {
      stale: join(jobs, '.a.yaml.0123456789ab.tmp'),
      staleNested: join(jobs, 'team', '.b.yml.abcdefabcdef.tmp'),
      fresh: join(jobs, '.c.yaml.fedcba987654.tmp'),
      manifest: join(jobs, 'a.yaml'),
      otherTmp: join(jobs, 'notes.tmp'),
      outside: join(root, 'outside.yaml.0123456789ab.tmp'),
    };
    for (const f of Object.values(files)) await writeFile(f, 'x');
    for (const f of [files.stale, files.staleNested, files.manifest, files.otherTmp, files.outside]) await utimes(f, old, old);
    // A link with the temp name pointing outside: not a regular file, left alone (and its target too).
    await symlink(files.outside, join(jobs, '.d.yaml.aaaaaaaaaaaa.tmp'));
    const removed = await sweepTempFiles(jobs);
    expect(removed.sort()).toEqual([files.stale, files.staleNested].sort());
    expect((await readdir(jobs)).sort()).toEqual(['.c.yaml.fedcba987654.tmp', '.d.yaml.aaaaaaaaaaaa.tmp', 'a.yaml', 'notes.tmp', 'team']);
    expect(await readdir(root)).toContain('outside.yaml.0123456789ab.tmp');
  });
});
