import { SparkctlError } from '../errors.js';

/** Why a sync attempt failed, as recorded in the sync status (PascalCase, stable). */
export type SyncFailureReason =
  'CloneFailed' | 'FetchFailed' | 'AuthFailed' | 'RefNotFound' | 'PathNotFound' | 'CheckoutFailed' | 'GitUnavailable';

/** A git command failed; `reason` says which step, and the message carries git's own words (URLs redacted). */
export class GitCommandError extends SparkctlError {
  override readonly code = 'SPARKCTL_GIT_COMMAND_FAILED';
  override readonly errorClass = 'retryable' as const;
  override readonly reason: SyncFailureReason;
  constructor(reason: SyncFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** With --git, the --jobs path exists and is something sparkctl did not make; it refuses to replace it. */
export class JobsPathNotManagedError extends SparkctlError {
  override readonly code = 'SPARKCTL_GITOPS_JOBS_PATH_IN_USE';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'JobsPathInUse';
}

/** `sparkctl sync` found no controller to ask, or one that does not sync from git. */
export class NoSyncingControllerError extends SparkctlError {
  override readonly code = 'SPARKCTL_GITOPS_NO_CONTROLLER';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'NoController';
}

/** `sparkctl sync --wait` gave up before the controller reported the requested sync. */
export class SyncTimeoutError extends SparkctlError {
  override readonly code = 'SPARKCTL_GITOPS_SYNC_TIMEOUT';
  override readonly errorClass = 'retryable' as const;
  override readonly reason = 'SyncTimeout';
}

/** --git-credentials-file cannot be used: missing, not a plain file, or readable by others. */
export class GitCredentialsFileError extends SparkctlError {
  override readonly code = 'SPARKCTL_GITOPS_CREDENTIALS_FILE';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'CredentialsFileUnusable';
}

/** --status-branch names a branch of the remote that sparkctl did not create; it refuses to write to it. */
export class StatusBranchNotOwnedError extends SparkctlError {
  override readonly code = 'SPARKCTL_GITOPS_STATUS_BRANCH_NOT_OWNED';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'StatusBranchNotOwned';
}
