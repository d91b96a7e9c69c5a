import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitSyncConfigFromFlags } from '../../src/cli/commands/sync.js';
import { GitSyncer } from '../../src/gitops/git-syncer.js';
import { STATUS_BRANCH_TRAILER, checkStatusBranchOwner, statusBranchPusher } from '../../src/gitops/status-branch.js';
import { describeSyncStatus, hasSyncProblem } from '../../src/gitops/sync-status.js';
import { silentLogger } from '../../src/logger.js';
import { fakeJob } from '../support/controller-harness.js';
import { startGitDaemon, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const withStatus = (text: string, phase: string) =>
  `${text}status:\n  phase: ${phase}\n  conditions: []\n  submissionAttempts: 1\n  executionAttempts: 1\n`;

describe('--status-branch never wipes a real branch (git daemon on loopback)', () => {
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

  const start = async (ref: string, branch: string) => {
    root ??= await mkdtemp(join(tmpdir(), 'sparkctl-sb-'));
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    const url = `git://127.0.0.1:${daemon!.port}/remote.git`;
    const syncer = new GitSyncer({
      url,
      ref,
      path: 'jobs',
      intervalMs: 60_000,
      prune: false,
      jobsDir,
      stateDir,
      logger: silentLogger(),
      afterAttempt: statusBranchPusher({ jobsDir, stateDir, logger: silentLogger(), branch, syncedRef: ref }),
    });
    syncers.push(syncer);
    return { syncer, jobsDir, stateDir, url };
  };

  it('refuses to write to an existing branch it did not create (--git-ref v1 --status-branch main), and refuses it at the next start', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'README.md': 'docs\n', 'src/app.py': 'print(1)\n' });
    await remote.tag('v1');
    const main = await remote.commit({ 'src/app.py': 'print(2)\n' });
    daemon = await startGitDaemon(remote.root);
    const { syncer, jobsDir, stateDir, url } = await start('v1', 'main');
    await syncer.prepare();
    await writeFile(join(jobsDir, 'a.yaml'), withStatus(fakeJob('a'), 'Running'));
    const status = await syncer.syncNow();
    expect((await remote.gitBare('rev-parse', 'main')).trim()).toBe(main);
    expect(await remote.gitBare('show', 'main:README.md')).toBe('docs\n');
    expect(status.statusBranch?.error).toMatch(
      /branch main exists on the remote \(at [0-9a-f]{7}\) and was not created by sparkctl; .*choose another --status-branch/,
    );
    expect(hasSyncProblem(status)).toBe(true);
    expect(describeSyncStatus(status)).toContain('status branch main not pushed: branch main exists on the remote');
    // At the next start the flag check refuses it (the CLI turns this into exit 2).
    expect(() => checkStatusBranchOwner(stateDir, 'main')).toThrow(/not created by sparkctl/);
    expect(() => gitSyncConfigFromFlags({ git: url, gitRef: 'v1', statusBranch: 'main' }, undefined, stateDir)).toThrow(
      /branch main exists on the remote .* not created by sparkctl/,
    );
  });

  it("writes the synced revision's whole tree with only --git-path replaced, marked as sparkctl's, and keeps using its own branch", async () => {
    remote = await createTestRemote();
    const synced = await remote.commit({ 'jobs/a.yaml': fakeJob('a'), 'README.md': 'docs\n', 'other/x.yaml': fakeJob('x') });
    daemon = await startGitDaemon(remote.root);
    const { syncer, jobsDir, stateDir } = await start('main', 'sparkctl-status');
    await syncer.prepare();
    await writeFile(join(jobsDir, 'a.yaml'), withStatus(fakeJob('a'), 'Succeeded'));
    const status = await syncer.syncNow();
    expect(status.statusBranch?.error).toBeUndefined();
    expect(status.statusBranch?.pushedAt).toBeDefined();
    expect(await remote.gitBare('show', 'sparkctl-status:jobs/a.yaml')).toBe(withStatus(fakeJob('a'), 'Succeeded'));
    expect(await remote.gitBare('show', 'sparkctl-status:README.md')).toBe('docs\n');
    expect(await remote.gitBare('show', 'sparkctl-status:other/x.yaml')).toBe(fakeJob('x'));
    expect((await remote.gitBare('ls-tree', '-r', '--name-only', 'sparkctl-status')).split('\n').filter(Boolean).sort()).toEqual([
      'README.md',
      'jobs/a.yaml',
      'other/x.yaml',
    ]);
    expect(await remote.gitBare('log', '-1', '--format=%B', 'sparkctl-status')).toContain(STATUS_BRANCH_TRAILER);
    expect((await remote.gitBare('rev-parse', 'main')).trim()).toBe(synced);
    // Its own branch passes the start check, and later statuses go on top of it.
    expect(() => checkStatusBranchOwner(stateDir, 'sparkctl-status')).not.toThrow();
    const first = (await remote.gitBare('rev-parse', 'sparkctl-status')).trim();
    await writeFile(join(jobsDir, 'a.yaml'), withStatus(fakeJob('a'), 'Failed'));
    expect((await syncer.syncNow()).statusBranch?.error).toBeUndefined();
    expect((await remote.gitBare('rev-parse', 'sparkctl-status~1')).trim()).toBe(first);
  });
});
