import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../logger.js';
import { StatusBranchNotOwnedError } from './errors.js';
import { redactText } from './redact-url.js';
import { runGit, type GitContext } from './run-git.js';
import type { SyncStatus } from './sync-status.js';

/** Where the status branch goes and what it must never be. */
export interface StatusBranchTarget {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly logger: Logger;
  readonly branch: string;
  /** The ref being synced: the status branch must differ from it. */
  readonly syncedRef: string;
}

/** The trailer that marks a commit of a status branch sparkctl made: it only ever writes on top of such a commit. */
export const STATUS_BRANCH_TRAILER = 'Sparkctl-Status-Branch: true';

/** Whether `branch` would be the synced branch itself (refused: sparkctl never pushes to the branch it syncs). */
export function isSyncedBranch(branch: string, syncedRef: string): boolean {
  const bare = (r: string) => r.replace(/^refs\/heads\//, '');
  return bare(branch) === bare(syncedRef);
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'sparkctl',
  GIT_AUTHOR_EMAIL: 'sparkctl@localhost',
  GIT_COMMITTER_NAME: 'sparkctl',
  GIT_COMMITTER_EMAIL: 'sparkctl@localhost',
};
const isMarked = (commitText: string) => commitText.split('\n').some((l) => l.trim() === STATUS_BRANCH_TRAILER);
const notOwned = (branch: string, tip: string) =>
  `branch ${branch} exists on the remote (at ${tip.slice(0, 7)}) and was not created by sparkctl; sparkctl writes statuses only to a branch it created: choose another --status-branch`;

/**
 * At start, from what the local clone last fetched: throws StatusBranchNotOwnedError when the
 * status branch exists on the remote and its tip is not a sparkctl status commit. (The same check
 * runs before every push, so a first start without a clone is covered there.)
 */
export function checkStatusBranchOwner(stateDir: string, branch: string): void {
  const repo = join(resolve(stateDir), 'gitops', 'repo');
  if (!existsSync(join(repo, 'HEAD'))) return;
  let tip: string;
  try {
    tip = execFileSync('git', ['--git-dir', repo, 'rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}^{commit}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return;
  }
  const text = execFileSync('git', ['--git-dir', repo, 'cat-file', 'commit', tip], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  });
  if (!isMarked(text)) throw new StatusBranchNotOwnedError(notOwned(branch, tip));
}

/**
 * Returns the hook that commits the jobs folder as the controller wrote it (manifests with
 * their `status:`) to a separate branch and pushes it, after each sync attempt when it changed.
 * The commit's tree is the synced revision's tree with only --git-path replaced; it is built
 * with plumbing on a private index (no work tree, no checkout). It is written only on top of a
 * commit sparkctl made (marked by a trailer) or as a new branch, and pushed without force.
 */
export function statusBranchPusher(
  target: StatusBranchTarget,
): (status: SyncStatus, context?: GitContext) => Promise<Pick<SyncStatus, 'statusBranch'> | void> {
  if (isSyncedBranch(target.branch, target.syncedRef)) {
    throw new TypeError(`--status-branch ${target.branch} is the branch being synced; choose another branch name`);
  }
  const repo = join(resolve(target.stateDir), 'gitops', 'repo');
  const log = target.logger.child({ module: 'gitops-status-branch' });
  const local = `refs/heads/${target.branch}`;
  const tracking = `refs/remotes/origin/${target.branch}`;
  return async (status, context) => {
    if (!status.revision) return;
    const git = (args: string[], env?: Record<string, string>) =>
      runGit(['--git-dir', repo, ...args], { failure: 'FetchFailed', env: { ...IDENTITY, ...env }, ...(context ? { context } : {}) });
    const tip = async (ref: string) => (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
    const view = await realpath(target.jobsDir);
    const rel = status.path === '.' ? '' : status.path;
    const workTree = rel ? resolve(view, ...rel.split('/').map(() => '..')) : view;
    const index = join(dirname(repo), `status-index-${randomBytes(4).toString('hex')}`);
    const kept = status.statusBranch?.pushedAt ? { pushedAt: status.statusBranch.pushedAt } : {};
    try {
      const remoteTip = await tip(tracking);
      if (remoteTip && !isMarked(await git(['cat-file', 'commit', remoteTip])))
        throw new StatusBranchNotOwnedError(notOwned(target.branch, remoteTip));
      // Built on the remote's tip as last fetched, so a rejected push is tried again until it lands.
      const parent = remoteTip;
      // The synced revision's whole tree, then only --git-path replaced by the folder as the controller wrote it.
      await git(['read-tree', status.revision], { GIT_INDEX_FILE: index });
      await git(['--work-tree', workTree, 'add', '--all', '--force', '--', rel || '.', ':(exclude,glob)**/.*.tmp'], {
        GIT_INDEX_FILE: index,
      });
      const tree = (await git(['write-tree'], { GIT_INDEX_FILE: index })).trim();
      if (parent && (await git(['rev-parse', `${parent}^{tree}`])).trim() === tree) {
        return { statusBranch: { name: target.branch, ...kept } };
      }
      const message = `Status of ${status.shortRevision ?? status.revision.slice(0, 7)} (${status.ref}) at ${new Date().toISOString()}\n\n${STATUS_BRANCH_TRAILER}\n`;
      const commit = (await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).trim();
      await git(['push', '--quiet', '--no-verify', 'origin', `${commit}:refs/heads/${target.branch}`]);
      await git(['update-ref', tracking, commit]);
      await git(['update-ref', local, commit]);
      log.info({ branch: target.branch, commit: commit.slice(0, 7) }, 'Pushed job statuses to the status branch');
      return { statusBranch: { name: target.branch, pushedAt: new Date().toISOString() } };
    } catch (err) {
      const message = redactText(err instanceof Error ? err.message : String(err));
      log.warn({ branch: target.branch, error: message }, 'Could not push job statuses to the status branch');
      return { statusBranch: { name: target.branch, ...kept, error: message } };
    } finally {
      await rm(index, { force: true });
    }
  };
}
