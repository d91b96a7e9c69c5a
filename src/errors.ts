import type { ReasonName } from './api/conditions.js';

/** How a failure should be handled: retry soon, wait for something to change, or stop until a human acts. */
export type ErrorClass = 'retryable' | 'waiting' | 'terminal';

/** Base of every sparkctl error: a stable code, a class for the machine's guards, and the original cause. */
export class SparkctlError extends Error {
  readonly code: string = 'SPARKCTL_ERROR';
  readonly errorClass: ErrorClass = 'retryable';
  /** A PascalCase reason for conditions and events (one of api/conditions.ts's Reason). */
  readonly reason: ReasonName = 'Error';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The engine (or master) cannot be reached: the run may still be alive, so a job following its
 * driver attaches again instead of counting a failure. Backends throw a subclass.
 */
export class EngineOutageError extends SparkctlError {
  override readonly errorClass: ErrorClass = 'retryable';
  override readonly reason: ReasonName = 'EngineUnavailable';
}

/** Whether a value is a SparkctlError (works across module copies by checking the shape). */
export function isSparkctlError(e: unknown): e is SparkctlError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'errorClass' in e;
}

/** The class of any thrown value: unknown errors are retryable. */
export function classOf(e: unknown): ErrorClass {
  return isSparkctlError(e) ? e.errorClass : 'retryable';
}

/** The message of any thrown value, without its stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
