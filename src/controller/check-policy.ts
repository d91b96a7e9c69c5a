import { resolve, sep } from 'node:path';
import type { SparkJobSpec } from '../api/spark-job.js';

/** What the controller lets manifests ask for beyond an isolated container. */
export interface Policy {
  /** `--allow-host-network`: containers may share the host's network. */
  readonly allowHostNetwork: boolean;
  /** `--allow-host-path PREFIX` (repeatable): host folders that may be mounted. */
  readonly allowedHostPaths: readonly string[];
}

/** The policy when the controller is given no flags: no host network, no host paths. */
export const DEFAULT_POLICY: Policy = { allowHostNetwork: false, allowedHostPaths: [] };

const under = (path: string, prefix: string) => {
  const p = resolve(path);
  const root = resolve(prefix);
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
};

/** Field paths and messages for everything in a spec the policy forbids (empty when allowed). */
export function checkPolicy(spec: SparkJobSpec, policy: Policy): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (spec.network === 'host' && !policy.allowHostNetwork) {
    out.push({ path: 'spec.network', message: 'network: host is not allowed by this controller; start it with --allow-host-network' });
  }
  const allowed = (p: string) => policy.allowedHostPaths.some((prefix) => under(p, prefix));
  spec.volumes.forEach((v, i) => {
    if (!allowed(v.hostPath)) {
      out.push({
        path: `spec.volumes[${i}].hostPath`,
        message: `host path ${v.hostPath} is not allowed by this controller; start it with --allow-host-path <prefix of ${v.hostPath}>`,
      });
    }
  });
  const certs = spec.mesos?.certsDir;
  if (certs !== undefined && !allowed(certs)) {
    out.push({
      path: 'spec.mesos.certsDir',
      message: `certificates folder ${certs} is not allowed by this controller; start it with --allow-host-path <prefix of ${certs}>`,
    });
  }
  return out;
}
