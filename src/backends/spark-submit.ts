import type { SparkJobSpec } from '../api/spark-job.js';
import { isMesosMaster, memoryToMiB } from '../api/spark-job.js';
import { driverHostFor, type DriverContext } from './driver-environment.js';

export { CERTS_MOUNT } from './driver-environment.js';

/** Extra Spark conf a backend adds (e.g. the Mesos secret), kept apart so it can be redacted. */
export interface SubmitExtras {
  readonly conf?: Readonly<Record<string, string>>;
  /** Overrides the deploy mode passed to spark-submit (a Mesos cluster-mode driver runs in client mode inside its task). */
  readonly deployMode?: 'client' | 'cluster';
  /** Where the driver runs, for `spark.driver.host` (see driverHostFor). */
  readonly driver?: DriverContext;
}

/** Builds the spark-submit argv for a spec: an argument vector, never a shell string. */
export function buildSparkSubmitArgs(spec: SparkJobSpec, extras: SubmitExtras = {}): string[] {
  const args: string[] = [`${spec.sparkHome}/bin/spark-submit`, '--master', spec.master];
  args.push('--deploy-mode', extras.deployMode ?? (spec.mode === 'cluster' ? 'client' : spec.mode));
  if (spec.mainClass !== undefined) args.push('--class', spec.mainClass);
  const conf = new Map<string, string>();
  // spark.driver.cores is an int conf in Spark; a fractional driver.cores only sizes the container or task.
  conf.set('spark.driver.cores', String(Math.max(1, Math.ceil(spec.driver.cores))));
  conf.set('spark.driver.memory', spec.driver.memory);
  conf.set('spark.executor.cores', String(spec.executor.cores));
  conf.set('spark.executor.memory', spec.executor.memory);
  const totalCores = maxCoresFor(spec);
  if (totalCores !== undefined) conf.set('spark.cores.max', String(totalCores));
  const driverHost = driverHostFor(spec, extras.driver);
  if (driverHost !== undefined) conf.set('spark.driver.host', driverHost);
  if (isMesosMaster(spec.master) && spec.mesos) {
    const m = spec.mesos;
    conf.set('spark.mesos.role', m.role);
    conf.set('spark.mesos.containerizer', m.containerizer);
    conf.set('spark.mesos.executor.docker.image', m.executorImage ?? spec.image);
    conf.set('spark.mesos.executor.home', spec.sparkHome);
    if (m.principal !== undefined) conf.set('spark.mesos.principal', m.principal);
    if (m.constraints !== undefined) conf.set('spark.mesos.constraints', m.constraints);
  }
  for (const [k, v] of Object.entries(spec.sparkConf)) conf.set(k, String(v));
  for (const [k, v] of Object.entries(extras.conf ?? {})) conf.set(k, v);
  for (const [k, v] of conf) args.push('--conf', `${k}=${v}`);
  args.push(spec.mainApplicationFile, ...spec.arguments);
  return args;
}

/**
 * `spark.cores.max` for a spec. Spark's coarse-grained Mesos backend ignores
 * spark.executor.instances (MesosCoarseGrainedSchedulerBackend caps executors only by
 * spark.cores.max; without it a job takes every offered core), so on Mesos the default is
 * instances × executor cores. `executor.totalCores` wins when set; local masters have no executors.
 */
export function maxCoresFor(spec: SparkJobSpec): number | undefined {
  if (spec.executor.totalCores !== undefined) return spec.executor.totalCores;
  if (!isMesosMaster(spec.master)) return undefined;
  return Math.max(1, spec.executor.instances) * spec.executor.cores;
}

/** Driver memory plus Spark's default overhead (10%, at least 384 MiB), in MiB. */
export function driverMemoryWithOverheadMiB(spec: SparkJobSpec): number {
  const mem = memoryToMiB(spec.driver.memory);
  const overhead = spec.driver.memoryOverhead !== undefined ? memoryToMiB(spec.driver.memoryOverhead) : Math.max(384, Math.ceil(mem * 0.1));
  return mem + overhead;
}

/** Redacts the values of secret conf keys in an argv, for logs and events. */
export function redactArgs(args: readonly string[], secretKeys: readonly string[]): string[] {
  return args.map((a) => {
    const eq = a.indexOf('=');
    return eq > 0 && secretKeys.includes(a.slice(0, eq)) ? `${a.slice(0, eq)}=******` : a;
  });
}
