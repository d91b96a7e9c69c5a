import type { ReasonName } from '../api/conditions.js';
import { SparkctlError } from '../errors.js';

/** A journal file has an unknown version or is not what it should be: the job starts afresh (never misread). */
export class JournalFormatError extends SparkctlError {
  override readonly code = 'SPARKCTL_JOURNAL_FORMAT';
  override readonly errorClass = 'terminal' as const;
  override readonly reason: ReasonName;
  constructor(message: string, reason: 'JournalVersionUnknown' | 'JournalUnreadable', options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Another controller already runs on this jobs folder. */
export class ControllerLockedError extends SparkctlError {
  override readonly code = 'SPARKCTL_CONTROLLER_LOCKED';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'ControllerLocked';
}

/**
 * The state dir cannot record what a job needs recorded (full, read-only or failing disk): the
 * job waits, holding its driver, until the journal can be written again (fail-stop).
 */
export class JournalUnavailableError extends SparkctlError {
  override readonly code = 'SPARKCTL_JOURNAL_UNAVAILABLE';
  override readonly errorClass = 'waiting' as const;
  override readonly reason = 'JournalUnavailable';
}

/** The state dir's lock could not be taken for a reason other than another controller holding it. */
export class StateLockError extends SparkctlError {
  override readonly code = 'SPARKCTL_STATE_LOCK';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'StateLockUnavailable';
}

/** The control socket in the state dir could not be bound. */
export class ControlSocketError extends SparkctlError {
  override readonly code = 'SPARKCTL_CONTROL_SOCKET';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'ControlSocketUnavailable';
}
