import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveStateDir } from '../../src/state/state-dir.js';
import { GitSyncer, type GitSyncOptions } from '../../src/gitops/git-syncer.js';
import { redactText, redactUrl } from '../../src/gitops/redact-url.js';
import { statusBranchPusher } from '../../src/gitops/status-branch.js';
import { describeSyncStatus, readSyncStatus } from '../../src/gitops/sync-status.js';
import { silentLogger } from '../../src/logger.js';
import { fakeJob } from '../support/controller-harness.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const withStatus = (text: string, phase: string) =>
  `${text}status:\n  phase: ${phase}\n  conditions: []\n  submissionAttempts: 1\n  executionAttempts: 1\n`;

describe('GitSyncer (local bare remote, no controller)', () => {
  let remote: TestRemote | undefined;
  let root: string | undefined;
  const syncers: GitSyncer[] = [];
  afterEach(async () => {
    for (const s of syncers.splice(0)) await s.stop();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    remote = undefined;
    root = undefined;
  });

  const setup = async (overrides: Partial<GitSyncOptions> = {}) => {
    remote ??= await createTestRemote();
    root ??= await mkdtemp(join(tmpdir(), 'sparkctl-sync-'));
    const options: GitSyncOptions = {
      url: remote.url,
      ref: 'main',
      path: 'jobs',
      intervalMs: 60_000,
      prune: false,
      jobsDir: join(root, 'jobs'),
      stateDir: join(root, 'state'),
      logger: silentLogger(),
      ...overrides,
    };
    const syncer = new GitSyncer(options);
    syncers.push(syncer);
    return { syncer, jobsDir: options.jobsDir, stateDir: options.stateDir };
  };

  it('clones, links the --git-path folder of the ref, and records the revision', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'jobs/nested/b.yaml': fakeJob('b'), 'README.md': 'docs\n' });
    const { syncer, jobsDir, stateDir } = await setup();
    const env = { XDG_STATE_HOME: join(root!, 'xdg') };
    const derivedBefore = resolveStateDir(jobsDir, undefined, env);
    const status = await syncer.prepare();
    expect(status.error).toBeUndefined();
    expect(status.revision).toBe(sha);
    expect(status.shortRevision).toBe(sha.slice(0, 7));
    expect((await lstat(jobsDir)).isSymbolicLink()).toBe(true);
    expect(await readlink(jobsDir)).toBe(join(stateDir, 'gitops', 'revs', sha, 'jobs'));
    expect(await readFile(join(jobsDir, 'a.yaml'), 'utf8')).toBe(fakeJob('a'));
    expect(await readFile(join(jobsDir, 'nested', 'b.yaml'), 'utf8')).toBe(fakeJob('b'));
    expect(await readdir(jobsDir)).not.toContain('README.md');
    const onDisk = await readSyncStatus(stateDir);
    expect(onDisk).toMatchObject({
      url: remote.url,
      ref: 'main',
      path: 'jobs',
      revision: sha,
      orphaned: [],
      invalid: [],
      pid: process.pid,
    });
    expect(describeSyncStatus(onDisk!)).toMatch(new RegExp(`^Synced ${sha.slice(0, 7)} \\d+s ago from file://.*@main \\(jobs\\)$`));
    // Every verb finds the same state dir through the link as before it existed.
    expect(resolveStateDir(jobsDir, undefined, env)).toBe(derivedBefore);
  });

  it('resolves a tag and a short commit id, and refuses a ref that names nothing', async () => {
    remote = await createTestRemote();
    const first = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    await remote.tag('v1');
    const second = await remote.commit({ 'jobs/b.yaml': fakeJob('b') });
    const tagged = await setup({ ref: 'v1' });
    expect((await tagged.syncer.prepare()).revision).toBe(first);
    await rm(root!, { recursive: true, force: true });
    root = undefined;
    const short = await setup({ ref: second.slice(0, 8) });
    expect((await short.syncer.prepare()).revision).toBe(second);
    await rm(root!, { recursive: true, force: true });
    root = undefined;
    const bad = await setup({ ref: 'no-such-branch' });
    const status = await bad.syncer.prepare();
    expect(status.error?.reason).toBe('RefNotFound');
    expect(status.error?.message).toContain('--git-ref no-such-branch names no branch, tag or commit');
    expect(status.error?.message).toContain('branches: main');
    expect(await readdir(bad.jobsDir)).toEqual([]);
  });

  it('keeps the current revision on a bad ref, an unreachable remote and a missing path, recording why', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const { syncer, jobsDir } = await setup();
    await syncer.prepare();
    const link = await readlink(jobsDir);

    await remote.commit({ 'jobs/a.yaml': null, 'other/x.yaml': fakeJob('x') });
    const missing = await syncer.syncNow();
    expect(missing.error?.reason).toBe('PathNotFound');
    expect(missing.error?.message).toContain('--git-path jobs is not a folder');
    expect(missing.revision).toBe(sha);
    expect(await readlink(jobsDir)).toBe(link);

    await rm(remote.bare, { recursive: true, force: true });
    const unreachable = await syncer.syncNow();
    expect(unreachable.error?.reason).toBe('FetchFailed');
    expect(unreachable.error?.message).toMatch(/does not appear to be a git repository|not found|Could not read/i);
    expect(unreachable.revision).toBe(sha);
    expect(await readlink(jobsDir)).toBe(link);
    expect(await readFile(join(jobsDir, 'a.yaml'), 'utf8')).toBe(fakeJob('a'));
    expect(Date.parse(unreachable.lastAttemptAt)).toBeGreaterThanOrEqual(Date.parse(missing.lastAttemptAt));
    expect(describeSyncStatus(unreachable)).toContain('failed: FetchFailed');
  });

  it('follows a force-push and says history was rewritten', async () => {
    remote = await createTestRemote();
    const base = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const old = await remote.commit({ 'jobs/b.yaml': fakeJob('b') });
    const { syncer, jobsDir } = await setup();
    expect((await syncer.prepare()).revision).toBe(old);
    await remote.resetTo(base);
    const rewritten = await remote.commit({ 'jobs/c.yaml': fakeJob('c') }, 'Rewrite', { force: true });
    const status = await syncer.syncNow();
    expect(status.error).toBeUndefined();
    expect(status.revision).toBe(rewritten);
    expect(status.historyRewritten).toEqual({ from: old });
    expect((await readdir(jobsDir)).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect(status.orphaned).toEqual(['b.yaml']);
  });

  it('carries statuses into the new revision, keeps removed manifests as orphans without --prune, and lists invalid files', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'jobs/gone.yaml': fakeJob('gone') });
    const { syncer, jobsDir, stateDir } = await setup();
    await syncer.prepare();
    await writeFile(join(jobsDir, 'a.yaml'), withStatus(fakeJob('a'), 'Running'));
    await writeFile(join(jobsDir, 'gone.yaml'), withStatus(fakeJob('gone'), 'Running'));
    const sha = await remote.commit({
      'jobs/gone.yaml': null,
      'jobs/bad.yaml': fakeJob('bad').replace('memory: 64m', 'memory: lots'),
      'jobs/a.yaml': `${fakeJob('a')}status: {phase: Succeeded}\n`,
    });
    const status = await syncer.syncNow();
    expect(status.revision).toBe(sha);
    expect(status.orphaned).toEqual(['gone.yaml']);
    expect(status.invalid).toEqual(['bad.yaml']);
    const a = await readFile(join(jobsDir, 'a.yaml'), 'utf8');
    expect(a).toContain('phase: Running');
    expect(a).not.toContain('Succeeded');
    expect(await readFile(join(jobsDir, 'gone.yaml'), 'utf8')).toBe(withStatus(fakeJob('gone'), 'Running'));
    expect(describeSyncStatus(status)).toContain('1 orphaned (removed from git, kept): gone.yaml; 1 invalid: bad.yaml');
    // Only the revision in use and the one before it are kept on disk.
    await remote.commit({ 'jobs/c.yaml': fakeJob('c') });
    const third = await syncer.syncNow();
    expect(await readdir(join(stateDir, 'gitops', 'revs'))).toEqual(expect.arrayContaining([sha, third.revision]));
    expect(await readdir(join(stateDir, 'gitops', 'revs'))).toHaveLength(2);
    expect(third.orphaned).toEqual(['gone.yaml']);
  });

  it('with --prune drops removed manifests, except those annotated sparkctl.io/prune: "false"', async () => {
    remote = await createTestRemote();
    const keep = fakeJob('keep').replace('  name: keep\n', '  name: keep\n  annotations: {sparkctl.io/prune: "false"}\n');
    await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'jobs/drop.yaml': fakeJob('drop'), 'jobs/keep.yaml': keep });
    const { syncer, jobsDir } = await setup({ prune: true });
    await syncer.prepare();
    await remote.commit({ 'jobs/drop.yaml': null, 'jobs/keep.yaml': null });
    const status = await syncer.syncNow();
    expect((await readdir(jobsDir)).sort()).toEqual(['a.yaml', 'keep.yaml']);
    expect(status.orphaned).toEqual(['keep.yaml']);
    expect(status.prune).toBe(true);
  });

  it('refuses a --jobs path it did not make, and takes over an empty folder', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-'));
    await mkdir(join(root, 'jobs'));
    await writeFile(join(root, 'jobs', 'mine.yaml'), fakeJob('mine'));
    await expect((await setup()).syncer.prepare()).rejects.toThrow(
      /--jobs .*jobs is a folder with files in it; with --git, sparkctl manages that path/,
    );
    await rm(join(root, 'jobs'), { recursive: true });
    await symlink(tmpdir(), join(root, 'jobs'));
    await expect((await setup()).syncer.prepare()).rejects.toThrow(/is a link to .* which sparkctl did not make/);
    await rm(join(root, 'jobs'));
    await mkdir(join(root, 'jobs'));
    const taken = await setup();
    expect((await taken.syncer.prepare()).error).toBeUndefined();
    expect(await readdir(taken.jobsDir)).toEqual(['a.yaml']);
    // A restart reuses the link it made.
    const again = await setup();
    expect((await again.syncer.prepare()).error).toBeUndefined();
    expect(await readdir(again.jobsDir)).toEqual(['a.yaml']);
  });

  it('hides URL credentials in the status and in git errors', async () => {
    expect(redactUrl('https://user:s3cret@example.test/org/repo.git')).toBe('https://***@example.test/org/repo.git');
    expect(redactUrl('git@example.test:org/repo.git')).toBe('git@example.test:org/repo.git');
    expect(redactText("fatal: unable to access 'https://tok:x-oauth@127.0.0.1:9/r.git/': Failed to connect")).toBe(
      "fatal: unable to access 'https://***@127.0.0.1:9/r.git/': Failed to connect",
    );
    const { syncer, stateDir } = await setup({ url: 'https://user:s3cret@127.0.0.1:9/org/repo.git' });
    const status = await syncer.prepare();
    expect(status.error?.reason).toBe('CloneFailed');
    const text = await readFile(join(stateDir, 'gitops', 'status.json'), 'utf8');
    expect(text).not.toContain('s3cret');
    expect(status.url).toBe('https://***@127.0.0.1:9/org/repo.git');
  });

  it('reports a refused login as AuthFailed without ever showing the credentials', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jobs"' }).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      for (const url of [`http://127.0.0.1:${port}/org/jobs.git`, `http://deploy:t0ken-s3cret@127.0.0.1:${port}/org/jobs.git`]) {
        if (root) await rm(root, { recursive: true, force: true });
        root = undefined;
        const { syncer, stateDir } = await setup({ url });
        const status = await syncer.prepare();
        expect(status.error?.reason).toBe('AuthFailed');
        const text = await readFile(join(stateDir, 'gitops', 'status.json'), 'utf8');
        expect(text).not.toContain('t0ken-s3cret');
      }
    } finally {
      server.close();
    }
  });

  it('commits manifests with their status to a separate branch and pushes it, leaving the synced branch alone', async () => {
    remote = await createTestRemote();
    const synced = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    expect(() => statusBranchPusher({ jobsDir, stateDir, logger: silentLogger(), branch: 'main', syncedRef: 'main' })).toThrow(
      /is the branch being synced/,
    );
    const { syncer } = await setup({
      afterAttempt: statusBranchPusher({ jobsDir, stateDir, logger: silentLogger(), branch: 'sparkctl-status', syncedRef: 'main' }),
    });
    await syncer.prepare();
    await writeFile(join(jobsDir, 'a.yaml'), withStatus(fakeJob('a'), 'Succeeded'));
    const status = await syncer.syncNow();
    expect(status.statusBranch?.error).toBeUndefined();
    expect(status.statusBranch?.pushedAt).toBeDefined();
    expect(await remote.gitBare('show', 'sparkctl-status:jobs/a.yaml')).toBe(withStatus(fakeJob('a'), 'Succeeded'));
    expect((await remote.gitBare('rev-parse', 'main')).trim()).toBe(synced);
    const tip = (await remote.gitBare('rev-parse', 'sparkctl-status')).trim();
    await syncer.syncNow();
    expect((await remote.gitBare('rev-parse', 'sparkctl-status')).trim()).toBe(tip);
  });
});
