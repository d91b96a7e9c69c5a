import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import { redactText } from './redact-url.js';
import { runGit } from './run-git.js';
import type { SyncStatus } from './sync-status.js';

/** Where the status branch goes and what it must never be. */
export interface StatusBranchTarget {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly logger: Logger;
  readonly url: string;
  readonly branch: string;
  /** The ref being synced: the status branch must differ from it. */
  readonly syncedRef: string;
}

/** Whether `branch` would be the synced branch itself (refused: sparkctl never pushes to the branch it syncs). */
export function isSyncedBranch(branch: string, syncedRef: string): boolean {
  const bare = (r: string) => r.replace(/^refs\/heads\//, '');
  return bare(branch) === bare(syncedRef);
}

const IDENTITY = { GIT_AUTHOR_NAME: 'sparkctl', GIT_AUTHOR_EMAIL: 'sparkctl@localhost', GIT_COMMITTER_NAME: 'sparkctl', GIT_COMMITTER_EMAIL: 'sparkctl@localhost' };

/**
 * Returns the hook that commits the jobs folder as the controller wrote it (manifests with
 * their `status:`) to a separate branch and pushes it, after each sync attempt when it changed.
 * The commit is built with plumbing on a private index: no work tree, no checkout, the user's
 * branch and files untouched. A rejected push is retried on top of the remote's tip next time.
 */
export function statusBranchPusher(target: StatusBranchTarget): (status: SyncStatus) => Promise<Pick<SyncStatus, 'statusBranch'> | void> {
  if (isSyncedBranch(target.branch, target.syncedRef)) {
    throw new TypeError(`--status-branch ${target.branch} is the branch being synced; choose another branch name`);
  }
  const repo = join(resolve(target.stateDir), 'gitops', 'repo');
  const log = target.logger.child({ module: 'gitops-status-branch' });
  const local = `refs/heads/${target.branch}`;
  const tracking = `refs/remotes/origin/${target.branch}`;
  const git = (args: string[], env?: Record<string, string>) => runGit(['--git-dir', repo, ...args], { failure: 'FetchFailed', env: { ...IDENTITY, ...env } });
  const tip = async (ref: string) => (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  return async (status) => {
    if (!status.revision) return;
    const view = await realpath(target.jobsDir);
    const rel = status.path === '.' ? '' : status.path;
    const workTree = rel ? resolve(view, ...rel.split('/').map(() => '..')) : view;
    const index = join(dirname(repo), `status-index-${randomBytes(4).toString('hex')}`);
    try {
      await git(['--work-tree', workTree, 'add', '--all', '--force', '--', rel || '.', ':(exclude,glob)**/.*.tmp'], { GIT_INDEX_FILE: index });
      const tree = (await git(['write-tree'], { GIT_INDEX_FILE: index })).trim();
      const parent = (await tip(tracking)) || (await tip(local));
      if (parent && (await git(['rev-parse', `${parent}^{tree}`])).trim() === tree) {
        return { statusBranch: { name: target.branch, ...(status.statusBranch?.pushedAt ? { pushedAt: status.statusBranch.pushedAt } : {}) } };
      }
      const message = `Status of ${status.shortRevision ?? status.revision.slice(0, 7)} (${status.ref}) at ${new Date().toISOString()}`;
      const commit = (await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).trim();
      await git(['update-ref', local, commit]);
      await git(['push', '--quiet', 'origin', `${local}:refs/heads/${target.branch}`]);
      await git(['update-ref', tracking, commit]);
      log.info({ branch: target.branch, commit: commit.slice(0, 7) }, 'Pushed job statuses to the status branch');
      return { statusBranch: { name: target.branch, pushedAt: new Date().toISOString() } };
    } catch (err) {
      const message = redactText(err instanceof Error ? err.message : String(err));
      log.warn({ branch: target.branch, error: message }, 'Could not push job statuses to the status branch');
      return { statusBranch: { name: target.branch, ...(status.statusBranch?.pushedAt ? { pushedAt: status.statusBranch.pushedAt } : {}), error: message } };
    } finally {
      await rm(index, { force: true });
    }
  };
}
