import { isAbsolute, join } from 'node:path';
import type Docker from 'dockerode';
import type { Owner } from './agent-user.js';
import { applyParameters } from './docker-parameters.js';
import { fromResources } from './resources.js';
import { isObject, type JsonObject } from './wire-json.js';

/** Where the Docker containerizer mounts the sandbox. */
export const SANDBOX_IN_CONTAINER = '/mnt/mesos/sandbox';

/** Docker labels the emulator puts on every task container. */
export const CONTAINER_LABELS = {
  cluster: 'io.sparkctl.mesos-emulator.cluster',
  taskId: 'io.sparkctl.mesos-emulator.task-id',
  frameworkId: 'io.sparkctl.mesos-emulator.framework-id',
  agentId: 'io.sparkctl.mesos-emulator.agent-id',
} as const;

/** What a task container needs besides the TaskInfo. */
export interface RunContext {
  readonly clusterId: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly containerId: string;
  readonly sandbox: string;
  readonly role: string;
  /** The task user the sandbox belongs to (the fetcher runs as this user). */
  readonly owner: Owner;
  /** The cluster speaks TLS only: a driver without LIBPROCESS_SSL_* cannot register. */
  readonly requireTls: boolean;
}

const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});

/** The image a container runs: DockerInfo.image, or the unified containerizer's `mesos.image.docker.name`. */
function imageOf(container: JsonObject): string | undefined {
  if (container.type === 'DOCKER' && isObject(container.docker)) return String(container.docker.image);
  const image = obj(obj(container.mesos).image);
  if (container.type === 'MESOS' && image.type === 'DOCKER' && isObject(image.docker)) return String(image.docker.name);
  return undefined;
}
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/**
 * The process a container runs. Docker containerizer: `shell` overrides the entrypoint with
 * `/bin/sh -c value`, otherwise value and arguments follow the image (its ENTRYPOINT stays).
 * Mesos containerizer: `shell:false` execs `value` with `arguments` as the whole argv.
 */
function processOf(
  mesos: boolean,
  shell: boolean,
  value: string | undefined,
  args: string[],
): Pick<Docker.ContainerCreateOptions, 'Entrypoint' | 'Cmd'> {
  if (shell) return { Entrypoint: ['/bin/sh'], Cmd: ['-c', value!] };
  if (mesos && value !== undefined) return { Entrypoint: [value], Cmd: args.slice(1) };
  const argv = [...(value !== undefined ? [value] : []), ...args];
  return argv.length > 0 ? { Cmd: argv } : {};
}

/**
 * Builds `docker create` options the way the Docker containerizer builds `docker run`
 * (src/docker/docker.cpp); returns an error message (TASK_FAILED, container launch failed) instead.
 */
export function dockerRunSpec(task: JsonObject, ctx: RunContext): Docker.ContainerCreateOptions | string {
  const container = obj(task.container);
  const docker = obj(container.docker);
  const command = obj(task.command);
  const image = imageOf(container);
  if (image === undefined) {
    return 'Failed to launch container: this agent runs containerized tasks only (container.type DOCKER, or MESOS with a docker image)';
  }
  if (!isObject(task.command)) return 'Failed to launch container: this agent runs no custom executors (set TaskInfo.command)';
  const network = typeof docker.network === 'string' ? docker.network : 'HOST';
  if (network === 'BRIDGE' || network === 'USER') {
    return `Failed to launch container: network ${network} is not available on this agent (it runs HOST or NONE only)`;
  }
  const shell = command.shell !== false;
  const value = typeof command.value === 'string' ? command.value : undefined;
  if (shell && value === undefined) return 'Failed to launch container: Shell specified but no command value provided';

  const env = list(obj(command.environment).variables)
    .filter((v) => v.type !== 'SECRET' && typeof v.value === 'string')
    .map((v) => `${String(v.name)}=${String(v.value)}`);
  env.push(`MESOS_SANDBOX=${SANDBOX_IN_CONTAINER}`, `MESOS_CONTAINER_NAME=mesos-${ctx.containerId}`, `MESOS_ALLOCATION_ROLE=${ctx.role}`);

  const binds = [`${ctx.sandbox}:${SANDBOX_IN_CONTAINER}:rw`];
  for (const volume of list(container.volumes)) {
    if (typeof volume.host_path !== 'string') continue;
    const host = isAbsolute(volume.host_path) ? volume.host_path : join(ctx.sandbox, volume.host_path);
    binds.push(`${host}:${String(volume.container_path)}:${volume.mode === 'RO' ? 'ro' : 'rw'}`);
  }

  const q = fromResources(list(task.resources));
  const cpus = q.scalars.cpus;
  const mem = q.scalars.mem;
  const labels: Record<string, string> = {
    [CONTAINER_LABELS.cluster]: ctx.clusterId,
    [CONTAINER_LABELS.taskId]: String(obj(task.task_id).value),
    [CONTAINER_LABELS.frameworkId]: ctx.frameworkId,
    [CONTAINER_LABELS.agentId]: ctx.agentId,
  };

  const params = applyParameters(docker.parameters);
  if (typeof params === 'string') return params;
  const networkMode = params.network ?? (network === 'NONE' ? 'none' : 'host');
  if (networkMode !== 'host' && networkMode !== 'none') {
    return `Failed to launch container: network '${networkMode}' is not available on this agent (it runs host or none only)`;
  }

  const args = Array.isArray(command.arguments) ? command.arguments.map(String) : [];
  return {
    name: `mesos-${ctx.containerId}`,
    Image: image,
    ...processOf(container.type === 'MESOS', shell, value, args),
    Env: [...env, ...params.env],
    Labels: { ...params.labels, ...labels },
    ...(params.user !== undefined ? { User: params.user } : {}),
    ...(params.workingDir !== undefined ? { WorkingDir: params.workingDir } : {}),
    HostConfig: {
      ...params.host,
      NetworkMode: networkMode,
      Binds: binds,
      Privileged: docker.privileged === true,
      ...(cpus !== undefined ? { CpuShares: Math.max(2, Math.round(cpus * 1024)) } : {}),
      ...(mem !== undefined ? { Memory: Math.max(32, mem) * 1024 * 1024 } : {}),
    },
  };
}
