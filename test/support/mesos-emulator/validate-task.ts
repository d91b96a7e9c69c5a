import { hasControl } from './subscribe.js';
import { isObject, type JsonObject } from './wire-json.js';

/** What task validation needs to know about the offer and the framework's tasks. */
export interface TaskContext {
  readonly agentId: string;
  readonly role: string;
  /** Whether a task id is already in use by a live or unreachable task of the framework. */
  live(taskId: string): boolean;
}

const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

function validateTaskId(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return "'.' and '..' are disallowed for ID";
  if (/[/\\]/.test(id) || hasControl(id)) return "ID must not contain '/', '\\' or control characters";
  return undefined;
}

function validateContainer(container: JsonObject): string | undefined {
  if (container.type === 'DOCKER') {
    if (!isObject(container.docker)) return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    if (list(container.docker.parameters).some((p) => p.key === 'name')) return "Parameter in DockerInfo must not be 'name'";
  }
  for (const volume of list(container.volumes)) {
    const sources = ['host_path', 'image', 'source'].filter((k) => volume[k] !== undefined);
    if (sources.length !== 1) return "Only one of them should be set: 'host_path', 'image' and 'source' in Volume";
  }
  return undefined;
}

function validateEnvironment(command: JsonObject): string | undefined {
  const env = isObject(command.environment) ? list(command.environment.variables) : [];
  for (const v of env) {
    const type = v.type ?? 'VALUE';
    if (type === 'VALUE' && (v.value === undefined || v.secret !== undefined)) {
      return `Environment variable '${String(v.name)}' of type 'VALUE' must have a value set and no secret`;
    }
    if (type === 'SECRET' && (v.secret === undefined || v.value !== undefined)) {
      return `Environment variable '${String(v.name)}' of type 'SECRET' must have a secret set and no value`;
    }
    if (type === 'UNKNOWN') return `Environment variable '${String(v.name)}' of type 'UNKNOWN' is not allowed`;
  }
  return undefined;
}

/** The master's TaskInfo validation (TASK_ERROR, REASON_TASK_INVALID); undefined when valid. */
export function validateTask(info: JsonObject, operation: JsonObject, ctx: TaskContext): string | undefined {
  const id = isObject(info.task_id) ? String(info.task_id.value) : '';
  const badId = validateTaskId(id);
  if (badId) return `Task ID '${id}' is invalid: ${badId}`;
  if (ctx.live(id)) return `Task has duplicate ID: ${id}`;
  const agentId = isObject(info.agent_id) ? String(info.agent_id.value) : '';
  if (agentId !== ctx.agentId) return `Task uses agent ${agentId} which does not match offer's agent ${ctx.agentId}`;
  if (operation.type === 'LAUNCH') {
    if (operation.id !== undefined) return "The 'id' field is not supported for LAUNCH operations";
    if ((info.executor === undefined) === (info.command === undefined)) {
      return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    }
  }
  if (list(info.resources).length === 0 && !(isObject(info.executor) && list(info.executor.resources).length > 0)) {
    return 'Task uses no resources';
  }
  if (isObject(info.container)) {
    const bad = validateContainer(info.container);
    if (bad) return bad;
  }
  if (isObject(info.command)) {
    const bad = validateEnvironment(info.command);
    if (bad) return bad;
  }
  if (isObject(info.limits)) {
    for (const key of Object.keys(info.limits)) {
      if (key !== 'cpus' && key !== 'mem') return `Resource limits may only be set for 'cpus' and 'mem', not '${key}'`;
    }
  }
  return undefined;
}
