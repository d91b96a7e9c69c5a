import type { Logger } from '../logger.js';
import { GitSyncer } from './git-syncer.js';
import { statusBranchPusher } from './status-branch.js';

/** The controller's --git flags, validated by the CLI. */
export interface GitSyncConfig {
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly intervalMs: number;
  readonly prune: boolean;
  readonly statusBranch?: string;
}

/** A git sync bound to one controller: started after it, stopped before it. */
export interface RunningGitSync {
  /** Starts the interval; `relist` is the controller's, called after each new revision. */
  start(relist: () => Promise<void>): void;
  /** Asks for a sync now (what SIGHUP does). */
  requestSync(): void;
  stop(): Promise<void>;
}

/**
 * Takes over the --jobs path and applies the first revision, before the controller starts, so
 * it starts on a complete folder. Throws when the --jobs path is not sparkctl's to manage.
 */
export async function prepareGitSync(config: GitSyncConfig, where: { jobsDir: string; stateDir: string; logger: Logger }): Promise<RunningGitSync> {
  const statusBranch = config.statusBranch ? statusBranchPusher({ ...where, url: config.url, branch: config.statusBranch, syncedRef: config.ref }) : undefined;
  const syncer = new GitSyncer({ ...config, ...where, ...(statusBranch ? { afterAttempt: statusBranch } : {}) });
  const first = await syncer.prepare();
  where.logger
    .child({ module: 'gitops' })
    .info({ jobsDir: where.jobsDir, revision: first.shortRevision, url: first.url, ref: first.ref, ...(first.error ? { error: first.error } : {}) }, 'Prepared the git-synced jobs folder');
  return {
    start: (relist) => syncer.start(relist),
    requestSync: () => syncer.requestSync(),
    stop: () => syncer.stop(),
  };
}
