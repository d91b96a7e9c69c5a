import { SparkctlError } from '../errors.js';

/** A manifest asks for something the controller's flags do not grant: a human must change the manifest or the flags. */
export class PolicyViolationError extends SparkctlError {
  override readonly code = 'SPARKCTL_POLICY_VIOLATION';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'PolicyViolation';
}

/** A granted host path does not exist on this host at launch (Docker would create an empty folder in its place). */
export class HostPathMissingError extends SparkctlError {
  override readonly code = 'SPARKCTL_HOST_PATH_MISSING';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'InvalidSpec';
}

/** A policy flag is unusable (an empty, relative or missing --allow-host-path, a bad --allow-secret-env name). */
export class PolicyConfigError extends SparkctlError {
  override readonly code = 'SPARKCTL_POLICY_CONFIG';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'InvalidConfig';
}
