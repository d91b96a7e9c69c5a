import type { Logger } from '../logger.js';
import { GitSyncer } from './git-syncer.js';
import { statusBranchPusher } from './status-branch.js';
import { splitUrlCredentials } from './git-credentials.js';
import { redactUrl } from './redact-url.js';

/** The controller's --git flags, validated by the CLI. */
export interface GitSyncConfig {
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly intervalMs: number;
  readonly prune: boolean;
  readonly statusBranch?: string;
  /** --git-timeout: how long one git command may take. */
  readonly gitTimeoutMs?: number;
  /** --git-credentials-file: `USER:TOKEN` for an HTTP(S) remote (mode 600). */
  readonly credentialsFile?: string;
}

/** A git sync bound to one controller: started after it, stopped before it. */
export interface RunningGitSync {
  /**
   * Starts syncing in the background (a first sync at once, then the interval); `relist` is the controller's, called after each new
   * revision. Resolves when the first attempt ends.
   */
  start(relist: () => Promise<void>): Promise<unknown>;
  /** Asks for a sync now (what SIGHUP does). */
  requestSync(): void;
  /** Kills any git command in flight and waits for the sync to wind up. */
  stop(): Promise<void>;
}

/**
 * Takes over the --jobs path without touching the network, so the controller starts at once on
 * the revision already checked out (an empty folder on a first start). Throws when the --jobs
 * path is not sparkctl's to manage. When the URL carries credentials, the process title is
 * rewritten so they no longer show in this process's command line.
 */
export async function prepareGitSync(
  config: GitSyncConfig,
  where: { jobsDir: string; stateDir: string; logger: Logger },
): Promise<RunningGitSync> {
  if (splitUrlCredentials(config.url).credentials)
    process.title = process.argv.map((a) => a.split(config.url).join(redactUrl(config.url))).join(' ');
  const statusBranch = config.statusBranch
    ? statusBranchPusher({ ...where, branch: config.statusBranch, syncedRef: config.ref })
    : undefined;
  const syncer = new GitSyncer({ ...config, ...where, ...(statusBranch ? { afterAttempt: statusBranch } : {}) });
  const shown = await syncer.takeOver();
  where.logger
    .child({ module: 'gitops' })
    .info(
      { jobsDir: where.jobsDir, revision: shown?.shortRevision, url: redactUrl(config.url), ref: config.ref },
      'Took over the git-synced jobs folder; syncing in the background',
    );
  return {
    start: (relist) => syncer.start(relist),
    requestSync: () => syncer.requestSync(),
    stop: () => syncer.stop(),
  };
}
