import { SparkctlError } from '../errors.js';

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
