import { SparkctlError } from '../errors.js';

/** Another controller already runs on this jobs folder. */
export class ControllerLockedError extends SparkctlError {
  override readonly code = 'SPARKCTL_CONTROLLER_LOCKED';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'ControllerLocked';
}

/** The jobs folder cannot be read. */
export class JobsFolderError extends SparkctlError {
  override readonly code = 'SPARKCTL_JOBS_FOLDER';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'JobsFolderUnreadable';
}

/** A manifest asks for something the controller's policy does not allow (defined with the policy). */
export { PolicyViolationError } from '../policy/errors.js';
