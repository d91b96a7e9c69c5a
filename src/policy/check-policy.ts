import { resolve } from 'node:path';
import type { SparkJobSpec } from '../api/spark-job.js';
import { HostPathMissingError, PolicyViolationError } from './errors.js';
import { POLICY_FLAGS, type Policy } from './policy.js';
import { isUnderPrefix, resolveHostPath } from './resolve-host-path.js';

/** One thing a spec asks for that it may not have (or that is not there), with the field it came from. */
export interface PolicyFinding {
  readonly path: string;
  readonly message: string;
}

/** What the policy looks at: a whole spec, or only the Mesos credentials of a stored connection. */
export interface PolicyInput {
  readonly network?: SparkJobSpec['network'];
  readonly volumes?: ReadonlyArray<{ readonly hostPath: string }>;
  readonly mesos?: { readonly secretRef?: { readonly env: string } | { readonly file: string }; readonly certsDir?: string };
}

/**
 * The result of checking a spec: what the policy forbids, which granted host paths do not exist, and the spec with every host path
 * resolved.
 */
export interface PolicyCheck<S extends PolicyInput = SparkJobSpec> {
  readonly violations: PolicyFinding[];
  readonly missing: PolicyFinding[];
  /** The spec with volumes[].hostPath, mesos.certsDir and mesos.secretRef.file replaced by their real paths. */
  readonly spec: S;
}

/** The host paths of a spec, by field: volumes, the Mesos certificates folder, the Mesos secret file. */
function hostPathsOf(spec: PolicyInput): Array<{ field: string; path: string; what: string }> {
  const out = (spec.volumes ?? []).map((v, i) => ({ field: `spec.volumes[${i}].hostPath`, path: v.hostPath, what: 'host path' }));
  if (spec.mesos?.certsDir !== undefined)
    out.push({ field: 'spec.mesos.certsDir', path: spec.mesos.certsDir, what: 'certificates folder' });
  const ref = spec.mesos?.secretRef;
  if (ref && 'file' in ref) out.push({ field: 'spec.mesos.secretRef.file', path: ref.file, what: 'secret file' });
  return out;
}

/**
 * Checks a spec against the operator's policy, following every link of every host path first:
 * a path is allowed only when its real path lies under a (resolved) `--allow-host-path` prefix.
 * The one implementation of the policy: the controller calls it on every change, the backends
 * again right before they launch (a link planted in between is caught there).
 */
export async function checkPolicy<S extends PolicyInput>(spec: S, policy: Policy): Promise<PolicyCheck<S>> {
  const violations: PolicyFinding[] = [];
  const missing: PolicyFinding[] = [];
  if (spec.network === 'host' && !policy.allowHostNetwork) {
    violations.push({
      path: 'spec.network',
      message: `network: host is not allowed by this controller; start it with ${POLICY_FLAGS.hostNetwork}`,
    });
  }
  const ref = spec.mesos?.secretRef;
  if (ref && 'env' in ref && !(policy.allowedSecretEnv ?? []).includes(ref.env)) {
    violations.push({
      path: 'spec.mesos.secretRef.env',
      message: `the controller's environment variable ${ref.env} is not granted to manifests; start the controller with ${POLICY_FLAGS.secretEnv} ${ref.env}, or use secretRef.file under an ${POLICY_FLAGS.hostPath} prefix`,
    });
  }
  const resolved = new Map<string, string>();
  const granted = (p: string) => policy.allowedHostPaths.some((prefix) => isUnderPrefix(p, prefix));
  for (const { field, path, what } of hostPathsOf(spec)) {
    // Messages never say where a path outside the prefixes leads, or whether it exists: no probing the host through status.
    const notAllowed = {
      path: field,
      message: `${what} ${path} is not allowed by this controller; start it with ${POLICY_FLAGS.hostPath} <prefix of ${path}>`,
    };
    const textually = granted(resolve(path));
    const r = await resolveHostPath(path);
    if (!r.ok) {
      violations.push(
        textually
          ? {
              path: field,
              message: `${what} ${path} cannot be resolved on this host (${r.code}); sparkctl uses only host paths it can resolve: fix the path`,
            }
          : notAllowed,
      );
      continue;
    }
    if (!granted(r.path)) {
      violations.push(
        textually
          ? {
              path: field,
              message: `${what} ${path} leads out of every ${POLICY_FLAGS.hostPath} prefix through a link; name a real folder under a granted prefix`,
            }
          : notAllowed,
      );
      continue;
    }
    if (!r.exists) missing.push({ path: field, message: `${what} ${path} does not exist on this host: create it or fix the path` });
    resolved.set(field, r.path);
  }
  return { violations, missing, spec: withHostPaths(spec, resolved) };
}

/** The spec with each host path replaced by its resolved path (fields not in the map kept). */
function withHostPaths<S extends PolicyInput>(spec: S, resolved: ReadonlyMap<string, string>): S {
  const volumes = spec.volumes?.map((v, i) => ({ ...v, hostPath: resolved.get(`spec.volumes[${i}].hostPath`) ?? v.hostPath }));
  const certsDir = resolved.get('spec.mesos.certsDir');
  const secretFile = resolved.get('spec.mesos.secretRef.file');
  const mesos = spec.mesos && {
    ...spec.mesos,
    ...(certsDir !== undefined ? { certsDir } : {}),
    ...(secretFile !== undefined ? { secretRef: { file: secretFile } } : {}),
  };
  return { ...spec, ...(volumes ? { volumes } : {}), ...(mesos ? { mesos } : {}) };
}

/**
 * The launch-time check of a backend: the spec with every host path resolved, or a terminal
 * error (PolicyViolation naming the flag; a missing host path naming the field).
 */
export async function enforcePolicy<S extends PolicyInput>(spec: S, policy: Policy): Promise<S> {
  const check = await checkPolicy(spec, policy);
  const text = (list: PolicyFinding[]) => list.map((f) => `${f.path}: ${f.message}`).join('; ');
  if (check.violations.length > 0) throw new PolicyViolationError(text(check.violations));
  if (check.missing.length > 0) throw new HostPathMissingError(text(check.missing));
  return check.spec;
}
