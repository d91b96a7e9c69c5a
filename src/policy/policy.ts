import { realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { PolicyConfigError } from './errors.js';

/** What the operator lets manifests reach on the host; everything else is refused (PolicyViolation). */
export interface Policy {
  /** `--allow-host-network`: containers may share the host's network. */
  readonly allowHostNetwork: boolean;
  /** `--allow-host-path PREFIX` (repeatable): absolute host folders that volumes, certsDir and secretRef.file may lie under. */
  readonly allowedHostPaths: readonly string[];
  /** `--allow-secret-env NAME` (repeatable): controller environment variables a manifest may name in secretRef.env. */
  readonly allowedSecretEnv?: readonly string[];
}

/** The policy when the controller is given no flags: no host network, no host paths, no controller variables. */
export const DEFAULT_POLICY: Policy = { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: [] };

/** The flags that grant each capability, as messages name them. */
export const POLICY_FLAGS = {
  hostNetwork: '--allow-host-network',
  hostPath: '--allow-host-path',
  secretEnv: '--allow-secret-env',
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a `--allow-host-path` value is unusable as written (empty or relative), or undefined when it is usable. */
export function hostPathPrefixProblem(prefix: string): string | undefined {
  if (prefix.trim() === '')
    return `${POLICY_FLAGS.hostPath} was given an empty prefix (an unset variable?); give an absolute folder such as /srv/spark-data, or drop the flag`;
  if (!isAbsolute(prefix)) return `${POLICY_FLAGS.hostPath} ${prefix} is relative; give an absolute folder (for example $PWD/${prefix})`;
  return undefined;
}

/** Why a `--allow-secret-env` value is unusable, or undefined when it is a variable name. */
export function secretEnvNameProblem(name: string): string | undefined {
  return ENV_NAME.test(name)
    ? undefined
    : `${POLICY_FLAGS.secretEnv} ${JSON.stringify(name)} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`;
}

/**
 * The policy as the checks use it: prefixes validated and resolved to their real paths once, at
 * start (a link among the operator's prefixes is followed now, never re-read later).
 * Throws PolicyConfigError naming the flag and the fix.
 */
export async function preparePolicy(policy: Policy): Promise<Policy> {
  const prefixes: string[] = [];
  for (const prefix of policy.allowedHostPaths) {
    const problem = hostPathPrefixProblem(prefix);
    if (problem) throw new PolicyConfigError(problem);
    try {
      prefixes.push(await realpath(prefix));
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      throw new PolicyConfigError(
        `${POLICY_FLAGS.hostPath} ${prefix} cannot be resolved (${code}); create the folder before starting the controller, or fix the flag`,
        { cause },
      );
    }
  }
  const envs = policy.allowedSecretEnv ?? [];
  for (const name of envs) {
    const problem = secretEnvNameProblem(name);
    if (problem) throw new PolicyConfigError(problem);
  }
  return { allowHostNetwork: policy.allowHostNetwork, allowedHostPaths: [...new Set(prefixes)], allowedSecretEnv: [...new Set(envs)] };
}
