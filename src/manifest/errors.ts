import { SparkctlError } from '../errors.js';
import { formatIssue, type ManifestIssue } from './manifest-issue.js';

/** A manifest that cannot run as written: a person has to fix the file. */
export class ManifestInvalidError extends SparkctlError {
  override readonly code = 'SPARKCTL_MANIFEST_INVALID';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidManifest';
  constructor(
    readonly issues: readonly ManifestIssue[],
    options?: { cause?: unknown },
  ) {
    super(issues.map(formatIssue).join('\n'), options);
  }
}

/** The status block could not be written back into a manifest. */
export class StatusWriteError extends SparkctlError {
  override readonly code = 'SPARKCTL_STATUS_WRITE_FAILED';
  override readonly errorClass = 'retryable';
  override readonly reason = 'StatusWriteFailed';
}

/** A manifest file could not be read at all (missing, unreadable, a directory). */
export class ManifestReadError extends SparkctlError {
  override readonly code = 'SPARKCTL_MANIFEST_UNREADABLE';
  override readonly errorClass = 'retryable';
  override readonly reason = 'ManifestUnreadable';
}
