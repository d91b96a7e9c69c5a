import type { ContainerCreateOptions } from 'dockerode';
import { isMesosMaster } from '../../api/spark-job.js';
import { LABELS, type JobRun } from '../ports.js';
import { driverEnvironment, type DriverContext } from '../driver-environment.js';
import { CERTS_MOUNT, buildSparkSubmitArgs, driverMemoryWithOverheadMiB } from '../spark-submit.js';

/** The value of the managed-by label on every driver container sparkctl creates. */
export const MANAGED_BY = 'sparkctl';

/** A controller instance id: short, and safe inside a container name and a label value. */
export const INSTANCE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** The deterministic container name of one attempt: the same run always maps to the same container. */
export function containerName(instance: string, job: string, attempt: number): string {
  return `sparkctl-${instance}-${job}-${attempt}`;
}

/** The ledger key of one attempt, as `Reservation.key` documents it. */
export function reservationKey(run: Pick<JobRun, 'name' | 'attempt'>): string {
  return `${run.name}/${run.attempt}`;
}

/** The labels that mark a container as this controller's driver for one attempt. */
export function driverLabels(run: JobRun, instance: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.instance]: instance,
    [LABELS.job]: run.name,
    [LABELS.specHash]: run.specHash,
    [LABELS.attempt]: String(run.attempt),
  };
}

/**
 * The create options of a driver container: spark-submit as an argv (never a shell string),
 * limits from `driver` (memory including Spark's overhead, no swap), the spec's network and
 * volumes, Mesos certificates bound read-only at /certs, no privileges and no capabilities.
 * The Mesos secret (its value, whether it came from a variable or a file) travels only in the
 * environment as SPARK_MESOS_SECRET: never in the argv, and no host file is bound for it.
 * Host paths are bound as given: the caller hands in a spec whose host paths are resolved.
 */
export function buildContainerSpec(
  run: JobRun,
  instance: string,
  mesosSecret?: string,
  driver: DriverContext = {},
): ContainerCreateOptions & { name: string } {
  const { spec } = run;
  const env = driverEnvironment(spec, driver).map((e) => `${e.name}=${e.value}`);
  const binds = spec.volumes.map((v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ':ro' : ''}`);
  if (isMesosMaster(spec.master) && spec.mesos) {
    if (spec.mesos.certsDir !== undefined) binds.push(`${spec.mesos.certsDir}:${CERTS_MOUNT}:ro`);
    if (spec.mesos.principal !== undefined) env.push(`SPARK_MESOS_PRINCIPAL=${spec.mesos.principal}`);
    if (mesosSecret !== undefined) env.push(`SPARK_MESOS_SECRET=${mesosSecret}`);
  }
  const memoryBytes = driverMemoryWithOverheadMiB(spec) * 1024 * 1024;
  return {
    name: containerName(instance, run.name, run.attempt),
    Image: spec.image,
    Cmd: buildSparkSubmitArgs(spec, { driver }),
    Env: env,
    Labels: driverLabels(run, instance),
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      NanoCpus: Math.round(spec.driver.cores * 1e9),
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      NetworkMode: spec.network,
      Binds: binds,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      Privileged: false,
      PidMode: '',
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
    },
  };
}
