import type { SparkJobSpec } from '../api/spark-job.js';
import { isMesosMaster, memoryToMiB } from '../api/spark-job.js';

/** Where the Mesos certificates are mounted inside a driver container. */
export const CERTS_MOUNT = '/certs';

/** Extra Spark conf a backend adds (e.g. the Mesos secret), kept apart so it can be redacted. */
export interface SubmitExtras {
  readonly conf?: Readonly<Record<string, string>>;
  /** Overrides the deploy mode passed to spark-submit (a Mesos cluster-mode driver runs in client mode inside its task). */
  readonly deployMode?: 'client' | 'cluster';
}

/** Builds the spark-submit argv for a spec: an argument vector, never a shell string. */
export function buildSparkSubmitArgs(spec: SparkJobSpec, extras: SubmitExtras = {}): string[] {
  const args: string[] = [`${spec.sparkHome}/bin/spark-submit`, '--master', spec.master];
  args.push('--deploy-mode', extras.deployMode ?? (spec.mode === 'cluster' ? 'client' : spec.mode));
  if (spec.mainClass !== undefined) args.push('--class', spec.mainClass);
  const conf = new Map<string, string>();
  conf.set('spark.driver.cores', String(spec.driver.cores));
  conf.set('spark.driver.memory', spec.driver.memory);
  conf.set('spark.executor.cores', String(spec.executor.cores));
  conf.set('spark.executor.memory', spec.executor.memory);
  if (!spec.master.startsWith('local')) conf.set('spark.executor.instances', String(spec.executor.instances));
  if (spec.executor.totalCores !== undefined) conf.set('spark.cores.max', String(spec.executor.totalCores));
  if (isMesosMaster(spec.master) && spec.mesos) {
    const m = spec.mesos;
    conf.set('spark.mesos.role', m.role);
    conf.set('spark.mesos.containerizer', m.containerizer);
    conf.set('spark.mesos.executor.docker.image', m.executorImage ?? spec.image);
    conf.set('spark.mesos.executor.home', spec.sparkHome);
    if (m.principal !== undefined) conf.set('spark.mesos.principal', m.principal);
    if (m.constraints !== undefined) conf.set('spark.mesos.constraints', m.constraints);
    if (m.certsDir !== undefined) conf.set('spark.ssl.enabled', 'true');
  }
  for (const [k, v] of Object.entries(spec.sparkConf)) conf.set(k, String(v));
  for (const [k, v] of Object.entries(extras.conf ?? {})) conf.set(k, v);
  for (const [k, v] of conf) args.push('--conf', `${k}=${v}`);
  args.push(spec.mainApplicationFile, ...spec.arguments);
  return args;
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
