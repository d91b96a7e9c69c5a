import { isMesosMaster, type SparkJobSpec } from '../../api/spark-job.js';
import { enforcePolicy } from '../../policy/check-policy.js';
import type { Policy } from '../../policy/policy.js';
import { readSecretFile } from '../../secrets/read-secret-file.js';
import { SecretUnavailableError } from './errors.js';

/** What a driver container gets from the host: the spec with every host path resolved, and the Mesos secret's value. */
export interface HostInputs {
  /** The spec with volumes[].hostPath, mesos.certsDir and mesos.secretRef.file replaced by their real paths. */
  readonly spec: SparkJobSpec;
  /** The Mesos secret (trimmed), for SPARK_MESOS_SECRET; undefined when the spec names none. */
  readonly secret?: string;
}

/**
 * The host inputs of a driver, checked against the policy right before use: every host path
 * resolved (a link planted since the controller's check is caught here) and granted, existing
 * (Docker would otherwise create an empty folder), and the secret read without ever blocking.
 */
export async function resolveHostInputs(spec: SparkJobSpec, policy: Policy, env: NodeJS.ProcessEnv): Promise<HostInputs> {
  const resolved = await enforcePolicy(spec, policy);
  const secret = resolveMesosSecret(resolved, env);
  return { spec: resolved, ...(secret !== undefined ? { secret } : {}) };
}

/** The Mesos secret of a client-mode driver: the granted controller variable, or the (resolved) secret file's trimmed content. */
function resolveMesosSecret(spec: SparkJobSpec, env: NodeJS.ProcessEnv): string | undefined {
  const ref = isMesosMaster(spec.master) ? spec.mesos?.secretRef : undefined;
  if (!ref) return undefined;
  if ('file' in ref) return readSecretFile(ref.file);
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw new SecretUnavailableError(
      `spec.mesos.secretRef.env: the environment variable ${ref.env} is not set for the controller: export it before starting sparkctl`,
    );
  }
  return value;
}
