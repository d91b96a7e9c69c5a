import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitSyncer, type GitSyncOptions } from '../../src/gitops/git-syncer.js';
import { describeSyncStatus } from '../../src/gitops/sync-status.js';
import { silentLogger } from '../../src/logger.js';
import { processesMentioning, startBlackHole } from '../support/git-servers.js';

describe('a hung remote (a socket that accepts and never answers)', () => {
  let root: string | undefined;
  let hole: Awaited<ReturnType<typeof startBlackHole>> | undefined;
  const syncers: GitSyncer[] = [];
  afterEach(async () => {
    for (const s of syncers.splice(0)) await s.stop();
    await hole?.close();
    if (root) await rm(root, { recursive: true, force: true });
    root = hole = undefined;
  });

  const setup = async (overrides: Partial<GitSyncOptions> = {}) => {
    hole = await startBlackHole();
    root = await mkdtemp(join(tmpdir(), 'sparkctl-hung-'));
    const syncer = new GitSyncer({
      url: `http://deploy:hung-secret-77@127.0.0.1:${hole.port}/org/jobs.git`,
      ref: 'main',
      path: 'jobs',
      intervalMs: 60_000,
      prune: false,
      jobsDir: join(root, 'jobs'),
      stateDir: join(root, 'state'),
      logger: silentLogger(),
      ...overrides,
    });
    syncers.push(syncer);
    return { syncer, port: hole.port };
  };

  it('times out after --git-timeout naming the operation and the remote, and leaves no git or remote-http process behind', async () => {
    const { syncer, port } = await setup({ gitTimeoutMs: 1500 });
    const status = await syncer.prepare();
    expect(hole!.accepted()).toBeGreaterThan(0);
    expect(status.error?.reason).toBe('CloneFailed');
    expect(status.error?.message).toBe(
      `git fetch from http://127.0.0.1:${port}/org/jobs.git timed out after 1.5s; check the remote, or raise --git-timeout`,
    );
    expect(describeSyncStatus(status)).toContain(
      `failed: CloneFailed: git fetch from http://127.0.0.1:${port}/org/jobs.git timed out after 1.5s`,
    );
    // The whole process group went: no git, no git-remote-http still holding the socket.
    expect(await processesMentioning(`127.0.0.1:${port}`)).toEqual([]);
  });

  it('stop() kills a fetch in flight within a few seconds, helpers included', async () => {
    const { syncer, port } = await setup({ gitTimeoutMs: 120_000 });
    await syncer.takeOver();
    const accepted = hole!.nextAccept();
    const pending = syncer.syncNow();
    await accepted;
    expect((await processesMentioning(`127.0.0.1:${port}`)).map((p) => p.cmdline).join('\n')).toContain('remote-http');
    const before = Date.now();
    await syncer.stop();
    expect(Date.now() - before).toBeLessThan(5_000);
    const status = await pending;
    expect(status.error?.message).toContain('git fetch from http://127.0.0.1');
    expect(status.error?.message).toContain('the controller is stopping');
    expect(await processesMentioning(`127.0.0.1:${port}`)).toEqual([]);
  });
});
