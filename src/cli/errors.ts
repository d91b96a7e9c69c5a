import type { ReasonName } from '../api/conditions.js';
import { SparkctlError } from '../errors.js';

/** A verb was called wrongly (bad flag value, bad selector): exit code 2. */
export class CliUsageError extends SparkctlError {
  override readonly code: string = 'SPARKCTL_CLI_USAGE';
  override readonly errorClass = 'terminal' as const;
  override readonly reason: ReasonName = 'Usage';
}

/** No SparkJob of that name in the jobs folder or the journal: exit code 1. */
export class JobNotFoundError extends SparkctlError {
  override readonly code = 'SPARKCTL_JOB_NOT_FOUND';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'NotFound';
}

/** The jobs folder does not exist or cannot be read. */
export class JobsDirError extends SparkctlError {
  override readonly code = 'SPARKCTL_JOBS_DIR';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'JobsDirUnreadable';
}

/** A check the verb waits on failed (wait timed out, job failed, release not seen): exit code 1. */
export class CheckFailedError extends SparkctlError {
  override readonly code = 'SPARKCTL_CHECK_FAILED';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'CheckFailed';
}

/** Input given to `apply` is invalid; the message holds every `file:line:col: path: message` line. */
export class ApplyInvalidError extends SparkctlError {
  override readonly code = 'SPARKCTL_APPLY_INVALID';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'InvalidManifest';
}

/** A manifest could not be edited without touching more than the field asked for. */
export class ManifestEditError extends SparkctlError {
  override readonly code = 'SPARKCTL_MANIFEST_EDIT';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'EditFailed';
}

/** The exit code an error maps to: 2 for usage errors, 1 for everything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliUsageError) return 2;
  if (err instanceof Error && (err as { code?: unknown }).code === 'commander.invalidArgument') return 2;
  return 1;
}
