import type { SparkJobSpec } from '../api/spark-job.js';
import type { HashKey } from '../secrets/hash-key.js';
import { specHash } from './spec-hash.js';

/**
 * The spec fields that define a run: suspend and TTL changes do not restart a job. Secret values
 * enter only through an HMAC under the state dir's `key`; without one they are left out (only
 * right for specs without secrets, see hasSecretValues).
 */
export function runHash(spec: SparkJobSpec, key: HashKey | undefined): string {
  return specHash({ ...spec, suspend: false, timeToLiveSeconds: undefined }, key);
}
