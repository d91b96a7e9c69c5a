import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { defaultWaitMs, gitSyncConfigFromFlags } from '../../src/cli/commands/sync.js';
import { DEFAULT_GIT_TIMEOUT_MS } from '../../src/gitops/run-git.js';

describe('controller --git flags', () => {
  it('defaults to main, the repository root and 60s, prune off', () => {
    expect(gitSyncConfigFromFlags({ git: 'file:///srv/jobs.git' })).toEqual({
      url: 'file:///srv/jobs.git',
      ref: 'main',
      path: '.',
      intervalMs: 60_000,
      prune: false,
    });
    expect(gitSyncConfigFromFlags({})).toBeUndefined();
  });

  it('normalises the path and reads the interval', () => {
    expect(
      gitSyncConfigFromFlags({
        git: 'u',
        gitRef: 'v1.2',
        gitPath: './jobs/geo/',
        interval: '200ms',
        prune: true,
        statusBranch: 'sparkctl/status',
      }),
    ).toEqual({
      url: 'u',
      ref: 'v1.2',
      path: 'jobs/geo',
      intervalMs: 200,
      prune: true,
      statusBranch: 'sparkctl/status',
    });
  });

  it.each([
    [{ prune: true }, '--prune only applies with --git URL'],
    [{ gitRef: 'main' }, '--git-ref only applies with --git URL'],
    [{ git: 'u', gitPath: '../up' }, "--git-path takes a folder inside the repository (relative, no '..'), got '../up'"],
    [{ git: 'u', gitPath: '/abs' }, '--git-path takes a folder inside the repository'],
    [{ git: 'u', interval: '10ms' }, '--interval must be at least 100ms'],
    [{ git: 'u', interval: 'soon' }, '--interval takes a duration'],
    [{ git: 'u', gitRef: '--upload-pack=x' }, '--git-ref takes a branch, tag or commit'],
    [{ git: '--upload-pack=x' }, '--git takes a repository URL or path'],
    [
      { git: 'u', gitRef: 'release', statusBranch: 'refs/heads/release' },
      '--status-branch must be a branch name other than the synced --git-ref release',
    ],
    [{ gitTimeout: '5s' }, '--git-timeout only applies with --git URL'],
    [{ git: 'u', gitTimeout: '10ms' }, '--git-timeout must be at least 1s'],
    [{ gitCredentialsFile: '/x' }, '--git-credentials-file only applies with --git URL'],
  ])('refuses %j', (flags, message) => {
    expect(() => gitSyncConfigFromFlags(flags)).toThrow(message);
  });

  it('takes --git-timeout (60s by default), and sync --wait waits longer than it by default', () => {
    expect(DEFAULT_GIT_TIMEOUT_MS).toBe(60_000);
    expect(gitSyncConfigFromFlags({ git: 'u', gitTimeout: '2m' })?.gitTimeoutMs).toBe(120_000);
    expect(defaultWaitMs(undefined)).toBeGreaterThan(DEFAULT_GIT_TIMEOUT_MS);
    expect(defaultWaitMs(120_000)).toBeGreaterThan(120_000);
    expect(defaultWaitMs(1_000)).toBeGreaterThanOrEqual(60_000);
  });

  it('exits 2 before starting when --git-credentials-file is readable by others', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sparkctl-flags-'));
    try {
      const file = join(root, 'creds');
      await writeFile(file, 'deploy:token\n', { mode: 0o640 });
      const write = process.stderr.write.bind(process.stderr);
      let err = '';
      process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
      let code: number;
      try {
        code = await main([
          'node',
          'sparkctl',
          '--jobs',
          join(root, 'jobs'),
          '--state-dir',
          join(root, 'state'),
          'controller',
          '--git',
          'file:///nowhere.git',
          '--git-credentials-file',
          file,
        ]);
      } finally {
        process.stderr.write = write;
      }
      expect(code).toBe(2);
      expect(err).toContain('is readable by its group or others (mode 640); run chmod 600');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
