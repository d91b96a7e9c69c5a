import type { SparkJobStatus } from '../api/status.js';

/**
 * The status of a job whose manifest turned invalid while it had a valid spec: the job goes on
 * with that last valid spec (as Flux and Argo CD keep the last applied revision), so the phase
 * stays; `Stalled` is True with reason InvalidSpec and the message says what is wrong.
 */
export function withInvalidRevision(status: SparkJobStatus, problem: string | undefined, now: Date = new Date()): SparkJobStatus {
  if (problem === undefined) return status;
  const text = `the manifest is invalid, the last valid spec is kept: ${problem}`;
  const conditions = status.conditions.map((c) =>
    c.type !== 'Stalled'
      ? c
      : {
          ...c,
          status: 'True' as const,
          reason: 'InvalidSpec',
          message: text,
          lastTransitionTime: c.status === 'True' && c.reason === 'InvalidSpec' ? c.lastTransitionTime : now.toISOString(),
        },
  );
  if (!conditions.some((c) => c.type === 'Stalled'))
    conditions.push({ type: 'Stalled', status: 'True', reason: 'InvalidSpec', message: text, lastTransitionTime: now.toISOString() });
  return { ...status, conditions, message: status.message ? `${text} (${status.message})` : text };
}

/** The status of a manifest that does not validate (and never had a valid spec): Invalid, Stalled with reason InvalidSpec. */
export function invalidStatus(message: string, now: Date = new Date()): SparkJobStatus {
  const at = now.toISOString();
  return {
    phase: 'Invalid',
    conditions: [
      { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message, lastTransitionTime: at },
      { type: 'Reconciling', status: 'False', reason: 'Invalid', message: '', lastTransitionTime: at },
    ],
    submissionAttempts: 0,
    executionAttempts: 0,
    message,
  };
}
