import { stat } from 'node:fs/promises';
import { isMesosMaster, type SparkJobSpec } from '../../api/spark-job.js';
import type { MesosSecret } from './build-container-spec.js';
import { SecretUnavailableError, VolumeSourceMissingError } from './errors.js';

/**
 * Checks that every host path the driver container binds exists: Docker would otherwise create
 * an empty folder in its place and the job would run on nothing.
 */
export async function checkHostPaths(spec: SparkJobSpec): Promise<void> {
  const paths = spec.volumes.map((v, i) => ({ field: `spec.volumes[${i}].hostPath`, path: v.hostPath }));
  if (isMesosMaster(spec.master) && spec.mesos?.certsDir !== undefined) paths.push({ field: 'spec.mesos.certsDir', path: spec.mesos.certsDir });
  if (isMesosMaster(spec.master) && spec.mesos?.secretRef && 'file' in spec.mesos.secretRef) {
    paths.push({ field: 'spec.mesos.secretRef.file', path: spec.mesos.secretRef.file });
  }
  for (const { field, path } of paths) {
    try {
      await stat(path);
    } catch (e) {
      throw new VolumeSourceMissingError(`${field}: ${path} does not exist on this host (${(e as NodeJS.ErrnoException).code ?? 'stat failed'}): create it or fix the path`, { cause: e });
    }
  }
}

/** Where the driver gets the Mesos secret from: the controller's environment variable, or a file bound read-only. */
export function resolveMesosSecret(spec: SparkJobSpec, env: NodeJS.ProcessEnv): MesosSecret | undefined {
  const ref = isMesosMaster(spec.master) ? spec.mesos?.secretRef : undefined;
  if (!ref) return undefined;
  if ('file' in ref) return { hostFile: ref.file };
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw new SecretUnavailableError(`spec.mesos.secretRef.env: the environment variable ${ref.env} is not set for the controller: export it before starting sparkctl`);
  }
  return { value };
}
