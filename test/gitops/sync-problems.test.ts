import { chmod, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSyncer, type GitSyncOptions } from '../../src/gitops/git-syncer.js';
import { statusBranchPusher } from '../../src/gitops/status-branch.js';
import { describeSyncStatus, describeSyncStatusDetail, hasSyncProblem, readSyncStatus } from '../../src/gitops/sync-status.js';
import { silentLogger } from '../../src/logger.js';
import { fakeJob } from '../support/controller-harness.js';
import { startGitDaemon, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';
import { sparkctl } from './support/run-sparkctl.js';

describe('every sync problem is visible in the header, sync --status and exit codes (git daemon on loopback)', () => {
  let remote: TestRemote | undefined;
  let daemon: LoopbackServer | undefined;
  let root: string | undefined;
  const syncers: GitSyncer[] = [];
  afterEach(async () => {
    for (const s of syncers.splice(0)) await s.stop();
    await daemon?.close();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
    remote = daemon = root = undefined;
  });

  const setup = async (overrides: Partial<GitSyncOptions> = {}) => {
    root ??= await mkdtemp(join(tmpdir(), 'sparkctl-problems-'));
    daemon ??= await startGitDaemon(remote!.root);
    const options: GitSyncOptions = {
      url: `git://127.0.0.1:${daemon.port}/remote.git`,
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
    return { syncer, ...options };
  };

  it("keeps git's whole error (the cause is on its last line) in the header and all of it in sync --status, which exits 1", async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const { syncer, jobsDir, stateDir } = await setup();
    await syncer.prepare();
    await daemon!.close();
    daemon = undefined;
    const failed = await syncer.syncNow();
    expect(failed.error?.message.split('\n').length).toBeGreaterThan(1);
    const header = describeSyncStatus(failed);
    expect(header).toMatch(
      new RegExp(`^Synced ${sha.slice(0, 7)} .*failed: FetchFailed: fatal: unable to connect to 127\\.0\\.0\\.1: \\| .*Connection refused`),
    );
    const shown = await sparkctl(['--jobs', jobsDir, '--state-dir', stateDir, 'sync', '--status']);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain(`Revision:         ${sha}`);
    expect(shown.stdout).toMatch(/Error: +FetchFailed\n {2}fatal: unable to connect to 127\.0\.0\.1:\n {2}.*Connection refused/);
  });

  it('shows history rewritten and a rejected status-branch push in the header, and counts the push as a problem', async () => {
    remote = await createTestRemote();
    const base = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const old = await remote.commit({ 'jobs/b.yaml': fakeJob('b') });
    // The server refuses every push: a protected branch, as hosts do.
    const hook = join(remote.bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "pushes to this repository are not allowed" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    root = await mkdtemp(join(tmpdir(), 'sparkctl-problems-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    const { syncer } = await setup({
      afterAttempt: statusBranchPusher({ jobsDir, stateDir, logger: silentLogger(), branch: 'sparkctl-status', syncedRef: 'main' }),
    });
    const first = await syncer.prepare();
    expect(first.error).toBeUndefined();
    expect(first.statusBranch?.error).toContain('pushes to this repository are not allowed');
    expect(hasSyncProblem(first)).toBe(true);
    expect(describeSyncStatus(first)).toContain('status branch sparkctl-status not pushed: ');
    expect(describeSyncStatus(first)).toContain('pushes to this repository are not allowed');
    await remote.resetTo(base);
    await unlink(hook);
    await remote.commit({ 'jobs/c.yaml': fakeJob('c') }, 'Rewrite', { force: true });
    const rewritten = await syncer.syncNow();
    expect(describeSyncStatus(rewritten)).toContain(`history rewritten (was ${old.slice(0, 7)})`);
    expect(hasSyncProblem(rewritten)).toBe(false);
  });

  it('after a restart with a bad ref, says which revision the folder still shows instead of "Not synced yet"', async () => {
    remote = await createTestRemote();
    const sha = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
    const { syncer } = await setup();
    await syncer.prepare();
    await syncer.stop();
    const { syncer: restarted } = await setup({ ref: 'no-such-branch' });
    const status = await restarted.prepare();
    expect(status.error?.reason).toBe('RefNotFound');
    const header = describeSyncStatus(status);
    expect(header).not.toContain('Not synced yet');
    expect(header).toMatch(
      new RegExp(
        `^Synced ${sha.slice(0, 7)} .*@no-such-branch \\(jobs\\); the folder still shows that revision of git://127\\.0\\.0\\.1:\\d+/remote\\.git@main until a sync succeeds; last sync .* failed: RefNotFound`,
      ),
    );
    expect(describeSyncStatusDetail(status)).toMatch(/Applied from: +git:\/\/127\.0\.0\.1:\d+\/remote\.git@main \(jobs\)/);
  });

  it('stops listing an orphan once it is removed from the jobs folder by hand', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'jobs/gone.yaml': fakeJob('gone') });
    const { syncer, jobsDir, stateDir } = await setup();
    await syncer.prepare();
    await remote.commit({ 'jobs/gone.yaml': null });
    expect((await syncer.syncNow()).orphaned).toEqual(['gone.yaml']);
    await unlink(join(jobsDir, 'gone.yaml'));
    const read = await readSyncStatus(stateDir);
    expect(read?.orphaned).toEqual([]);
    expect(describeSyncStatus(read!)).not.toContain('orphaned');
    expect((await syncer.syncNow()).orphaned).toEqual([]);
  });
});
