import type { ContainerCreateOptions } from 'dockerode';
import { isMesosMaster } from '../../api/spark-job.js';
import { LABELS, type JobRun } from '../ports.js';
import { driverEnvironment, type DriverContext } from '../driver-environment.js';
import { CERTS_MOUNT, buildSparkSubmitArgs, driverMemoryWithOverheadMiB } from '../spark-submit.js';

/** The value of the managed-by label on every driver container sparkctl creates. */
export const MANAGED_BY = 'sparkctl';

/** Where a Mesos secret given as a file is mounted inside the driver container. */
export const SECRET_FILE_MOUNT = '/run/secrets/sparkctl/mesos-secret';

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

/** How the Mesos secret reaches the driver: Spark reads SPARK_MESOS_SECRET or SPARK_MESOS_SECRET_FILE, so it never sits in the argv. */
export type MesosSecret = { readonly value: string } | { readonly hostFile: string };

/**
 * The create options of a driver container: spark-submit as an argv (never a shell string),
 * limits from `driver` (memory including Spark's overhead, no swap), the spec's network and
 * volumes, Mesos certificates bound read-only at /certs, no privileges and no capabilities.
 */
export function buildContainerSpec(run: JobRun, instance: string, secret?: MesosSecret, driver: DriverContext = {}): ContainerCreateOptions & { name: string } {
  const { spec } = run;
  const env = driverEnvironment(spec, driver).map((e) => `${e.name}=${e.value}`);
  const binds = spec.volumes.map((v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ':ro' : ''}`);
  if (isMesosMaster(spec.master) && spec.mesos) {
    if (spec.mesos.certsDir !== undefined) binds.push(`${spec.mesos.certsDir}:${CERTS_MOUNT}:ro`);
    if (spec.mesos.principal !== undefined) env.push(`SPARK_MESOS_PRINCIPAL=${spec.mesos.principal}`);
    if (secret && 'value' in secret) env.push(`SPARK_MESOS_SECRET=${secret.value}`);
    if (secret && 'hostFile' in secret) {
      binds.push(`${secret.hostFile}:${SECRET_FILE_MOUNT}:ro`);
      env.push(`SPARK_MESOS_SECRET_FILE=${SECRET_FILE_MOUNT}`);
    }
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
