import type { RestartPolicy } from '../api/spark-job.js';
import { backoffDelay } from '../backoff.js';

/** Longest wait between two attempts, whatever the policy says. */
export const MAX_RETRY_DELAY_MS = 15 * 60_000;

/** Whether another attempt follows a failure, per restartPolicy (Never | OnFailure | Always). */
export function shouldRetryFailure(policy: RestartPolicy, stage: 'submission' | 'execution', failuresSoFar: number): boolean {
  if (policy.type === 'Never') return false;
  if (policy.type === 'Always') return true;
  const limit = stage === 'submission' ? policy.onSubmissionFailureRetries : policy.onFailureRetries;
  return failuresSoFar <= limit;
}

/** Whether another attempt follows a success: only under restartPolicy Always. */
export function shouldRetrySuccess(policy: RestartPolicy): boolean {
  return policy.type === 'Always';
}

/**
 * Delay before retry number `failures` (1-based): the policy's interval doubled each time,
 * with ±20% jitter, capped at MAX_RETRY_DELAY_MS. `random` is injectable for tests.
 */
export function retryDelayMs(
  policy: RestartPolicy,
  stage: 'submission' | 'execution',
  failures: number,
  random: () => number = Math.random,
): number {
  const intervalS = stage === 'submission' ? policy.onSubmissionFailureRetryInterval : policy.onFailureRetryInterval;
  return backoffDelay(failures - 1, { initialMs: intervalS * 1000, maxMs: MAX_RETRY_DELAY_MS, jitter: 0.2 }, random);
}
