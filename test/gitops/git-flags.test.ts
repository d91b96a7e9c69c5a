import { describe, expect, it } from 'vitest';
import { gitSyncConfigFromFlags } from '../../src/cli/commands/sync.js';

describe('controller --git flags', () => {
  it('defaults to main, the repository root and 60s, prune off', () => {
    expect(gitSyncConfigFromFlags({ git: 'file:///srv/jobs.git' })).toEqual({ url: 'file:///srv/jobs.git', ref: 'main', path: '.', intervalMs: 60_000, prune: false });
    expect(gitSyncConfigFromFlags({})).toBeUndefined();
  });

  it('normalises the path and reads the interval', () => {
    expect(gitSyncConfigFromFlags({ git: 'u', gitRef: 'v1.2', gitPath: './jobs/geo/', interval: '200ms', prune: true, statusBranch: 'sparkctl/status' })).toEqual({
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
    [{ git: 'u', gitRef: 'release', statusBranch: 'refs/heads/release' }, '--status-branch must be a branch name other than the synced --git-ref release'],
  ])('refuses %j', (flags, message) => {
    expect(() => gitSyncConfigFromFlags(flags)).toThrow(message);
  });
});
