import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listFolders, listManifests, listManifestsSync, MAX_FOLDER_DEPTH, walkJobsFolder } from '../../src/manifest/find-manifest-files.js';

describe('the jobs folder walk', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A jobs folder with a manifest in every folder of a chain `d1/d2/…/d10`, hidden entries, and links. */
  async function tree(): Promise<string> {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-walk-'));
    const jobs = join(root, 'jobs');
    let dir = jobs;
    await mkdir(dir);
    for (let i = 1; i <= 10; i++) {
      await writeFile(join(dir, `job${i - 1}.yaml`), 'x');
      dir = join(dir, `d${i}`);
      await mkdir(dir);
    }
    await mkdir(join(jobs, '.hidden'));
    await writeFile(join(jobs, '.hidden', 'in-hidden.yaml'), 'x');
    await writeFile(join(jobs, '.a.yaml.0123456789ab.tmp'), 'x');
    await mkdir(join(root, 'outside'));
    await writeFile(join(root, 'outside', 'outside.yaml'), 'x');
    await symlink(join(root, 'outside'), join(jobs, 'linked-folder'));
    await symlink(join(root, 'outside', 'outside.yaml'), join(jobs, 'linked.yaml'));
    return jobs;
  }

  it('lists visible manifests down to the depth limit, links listed but never followed, and reports deeper ones when asked', async () => {
    const jobs = await tree();
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `d${i + 1}/`).join('');
    const want = [...Array.from({ length: MAX_FOLDER_DEPTH + 1 }, (_, i) => `${chain(i)}job${i}.yaml`), 'linked.yaml'].sort();
    expect(await listManifests(jobs)).toEqual(want);
    const deep: string[] = [];
    expect(await listManifests(jobs, MAX_FOLDER_DEPTH, (rel) => deep.push(rel))).toEqual(want);
    expect(deep).toEqual([`${chain(9)}job9.yaml`]);
    await expect(listManifests(join(jobs, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The synchronous walk the CLI uses lists the same, at every depth limit.
    for (let depth = 0; depth <= MAX_FOLDER_DEPTH + 2; depth++)
      expect(listManifestsSync(jobs, depth)).toEqual(await listManifests(jobs, depth));
    expect(listManifestsSync(jobs)).toEqual(want);
    expect(() => listManifestsSync(join(jobs, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('lists visible folders to the depth limit, and passes hidden files to other visitors (the temp file sweep)', async () => {
    const jobs = await tree();
    const folders = await listFolders(jobs);
    expect(folders[0]).toBe('');
    expect(folders).toHaveLength(MAX_FOLDER_DEPTH + 1);
    expect(folders.at(-1)).toBe(Array.from({ length: MAX_FOLDER_DEPTH }, (_, i) => `d${i + 1}`).join('/'));
    expect(await listFolders(jobs, 0)).toEqual(['']);
    expect(await listFolders(join(jobs, 'missing'))).toEqual(['']);
    const seen: string[] = [];
    await walkJobsFolder(jobs, 0, (e) => void seen.push(e.name));
    expect(seen.sort()).toEqual(['.a.yaml.0123456789ab.tmp', '.hidden', 'd1', 'job0.yaml', 'linked-folder', 'linked.yaml']);
  });
});
