import path from 'node:path';
import type { JobRun } from '../ports.js';
import { LABELS } from '../ports.js';
import { driverEnvironment } from '../driver-environment.js';
import { buildSparkSubmitArgs, CERTS_MOUNT, driverMemoryWithOverheadMiB, redactArgs } from '../spark-submit.js';
import type { Offer, Resource } from './mesos-types.js';
import type { TaskUser } from './task-user.js';

/** Where the agent mounts a Docker task's sandbox inside the container. */
export const SANDBOX_MOUNT = '/mnt/mesos/sandbox';
/** Sandbox folder (relative host_path volumes) that receives declared outputs outside the sandbox mount. */
export const OUTPUTS_DIR = 'sparkctl-outputs';
/** Where Spark puts its scratch space (SPARK_LOCAL_DIRS): the sandbox, owned by the framework user. */
export const LOCAL_DIRS = SANDBOX_MOUNT;
/** Empty file fetched into each outputs folder so the fetcher creates the folder as the task user. */
const OUTPUTS_KEEP = '.sparkctl-keep';
/** The Spark conf key that carries the Mesos secret to the driver; always redacted. */
export const SECRET_CONF_KEY = 'spark.mesos.secret';

/** Deterministic task id of one attempt: `sparkctl.<job>.<attempt>.<first 12 of the spec hash>`. */
export function taskIdFor(run: Pick<JobRun, 'name' | 'attempt' | 'specHash'>): string {
  return `sparkctl.${run.name}.${run.attempt}.${run.specHash.slice(0, 12)}`;
}

/** Reads a task id written by taskIdFor; undefined for tasks sparkctl did not name. */
export function parseTaskId(taskId: string): { job: string; attempt: number; shortHash: string } | undefined {
  const m = /^sparkctl\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([1-9][0-9]*)\.([0-9A-Za-z_-]{1,12})$/.exec(taskId);
  return m ? { job: m[1]!, attempt: Number(m[3]), shortHash: m[4]! } : undefined;
}

/**
 * Where a declared output is read from in the sandbox. Paths under /mnt/mesos/sandbox are read
 * in place; any other absolute path gets its folder mounted from the sandbox folder
 * `sparkctl-outputs/<folder>` (a relative host_path volume), so `/out/r.txt` is read from
 * `sparkctl-outputs/out/r.txt`. Outputs directly under `/` cannot be collected.
 */
export function sandboxPathOfOutput(containerPath: string): string | undefined {
  if (containerPath.startsWith(`${SANDBOX_MOUNT}/`)) return containerPath.slice(SANDBOX_MOUNT.length + 1);
  if (path.posix.dirname(containerPath) === '/') return undefined;
  return `${OUTPUTS_DIR}${containerPath}`;
}

/** Takes `amount` of a scalar resource from the offer, copying the offer's resource objects (role, reservation, allocation_info). */
export function takeScalar(offer: Offer, name: string, amount: number): Resource[] {
  const taken: Resource[] = [];
  let left = Math.round(amount * 1000) / 1000;
  for (const r of offer.resources ?? []) {
    if (left <= 0) break;
    if (r.name !== name || r.type !== 'SCALAR' || r.revocable !== undefined) continue;
    const have = r.scalar?.value ?? 0;
    const use = Math.min(have, left);
    if (use <= 0) continue;
    taken.push({ ...r, scalar: { value: Math.round(use * 1000) / 1000 } });
    left = Math.round((left - use) * 1000) / 1000;
  }
  return taken;
}

/** Inputs of one driver task. */
export interface TaskInfoInput {
  readonly run: JobRun;
  readonly offer: Offer;
  /** This controller instance, written as a task label. */
  readonly instance: string;
  /** The resolved Mesos secret, passed as `spark.mesos.secret`; never logged. */
  readonly secret?: string;
  /** Grace period between SIGTERM and SIGKILL on KILL. */
  readonly killGraceSeconds?: number;
  /** The framework user; the container runs as it (DockerInfo `user` parameter). */
  readonly user: TaskUser;
  /** The `--master` of the driver inside the task (see driverMasterUrl). */
  readonly driverMaster: string;
}

/**
 * DockerInfo `parameters`: the Docker containerizer turns each into `docker run --key=value`
 * (src/docker/docker.cpp). `user` runs the driver as the framework user, who owns the sandbox
 * (otherwise the image's user, 185 in apache/spark, cannot write it); `cap-drop` and
 * `security-opt` carry the Docker backend's hardening onto the agent.
 */
export function dockerParameters(user: TaskUser): Array<{ key: string; value: string }> {
  return [
    { key: 'user', value: user.dockerUser },
    { key: 'cap-drop', value: 'ALL' },
    { key: 'security-opt', value: 'no-new-privileges' },
  ];
}

/** The TaskInfo JSON and a redacted copy of its argv for logs. */
export interface BuiltTask {
  readonly taskId: string;
  readonly taskInfo: Record<string, unknown>;
  readonly redactedArgv: string[];
}

/**
 * Builds the driver's TaskInfo: a DOCKER container (network HOST: executors on other agents call
 * the driver back) running spark-submit with `--deploy-mode client` as the framework user. With
 * `shell: false` the Docker containerizer runs `docker run <image> <value> <arguments…>`, so
 * `value` is argv[0] and `arguments` the rest.
 */
export function buildTaskInfo(input: TaskInfoInput): BuiltTask {
  const { run, offer, instance } = input;
  const spec = run.spec;
  const taskId = taskIdFor(run);
  const conf: Record<string, string> = {};
  if (input.secret !== undefined) conf[SECRET_CONF_KEY] = input.secret;
  const argv = buildSparkSubmitArgs({ ...spec, master: input.driverMaster }, { deployMode: 'client', conf });
  const volumes: Array<Record<string, unknown>> = [];
  if (spec.mesos?.certsDir !== undefined) volumes.push({ container_path: CERTS_MOUNT, host_path: spec.mesos.certsDir, mode: 'RO' });
  for (const v of spec.volumes) volumes.push({ container_path: v.containerPath, host_path: v.hostPath, mode: v.readOnly ? 'RO' : 'RW' });
  const taken = new Set(volumes.map((v) => v.container_path));
  const uris: Array<Record<string, unknown>> = [];
  for (const o of spec.outputs) {
    const rel = sandboxPathOfOutput(o.path);
    const dir = path.posix.dirname(o.path);
    if (rel === undefined || !rel.startsWith(OUTPUTS_DIR) || taken.has(dir)) continue;
    taken.add(dir);
    volumes.push({ container_path: dir, host_path: `${OUTPUTS_DIR}${dir}`, mode: 'RW' });
    // Docker would create a missing bind source as root; the fetcher runs as the task user and
    // creates the folders of output_file first (src/launcher/fetcher.cpp), before docker run.
    uris.push({ value: '/dev/null', output_file: `${OUTPUTS_DIR}${dir}/${OUTPUTS_KEEP}`, extract: false, cache: false });
  }
  // CommandInfo.user precedes FrameworkInfo.user for the sandbox owner (src/slave/slave.cpp), and
  // stays right when the master kept an older framework user after a --mesos-user change.
  const command: Record<string, unknown> = { shell: false, value: argv[0], arguments: argv.slice(1), user: input.user.name };
  if (uris.length > 0) command.uris = uris;
  const variables = driverEnvironment(spec);
  if (!variables.some((v) => v.name === 'SPARK_LOCAL_DIRS')) variables.unshift({ name: 'SPARK_LOCAL_DIRS', value: LOCAL_DIRS });
  command.environment = { variables };
  const docker: Record<string, unknown> = { image: spec.image, network: 'HOST', parameters: dockerParameters(input.user) };
  if (spec.imagePullPolicy === 'Always') docker.force_pull_image = true;
  const taskInfo: Record<string, unknown> = {
    name: `Driver for ${run.name}`,
    task_id: { value: taskId },
    agent_id: { value: offer.agent_id.value },
    resources: [...takeScalar(offer, 'cpus', spec.driver.cores), ...takeScalar(offer, 'mem', driverMemoryWithOverheadMiB(spec))],
    command,
    container: volumes.length > 0 ? { type: 'DOCKER', docker, volumes } : { type: 'DOCKER', docker },
    kill_policy: { grace_period: { nanoseconds: (input.killGraceSeconds ?? 10) * 1_000_000_000 } },
    labels: {
      labels: [
        { key: LABELS.managedBy, value: 'sparkctl' },
        { key: LABELS.job, value: run.name },
        { key: LABELS.specHash, value: run.specHash },
        { key: LABELS.attempt, value: String(run.attempt) },
        { key: LABELS.instance, value: instance },
      ],
    },
  };
  return { taskId, taskInfo, redactedArgv: redactArgs(argv, [SECRET_CONF_KEY]) };
}
