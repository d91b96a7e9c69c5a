import { accept, decline } from './accept.js';
import { taskKey, type Cluster } from './cluster.js';
import type { Framework } from './framework.js';
import { decodeBytes } from './parse-call.js';
import { reconcile } from './reconcile.js';
import { killTask } from './task-lifecycle.js';
import { TERMINAL_STATES } from './task-status.js';
import { isObject, type JsonObject } from './wire-json.js';

/** An HTTP answer to a non-SUBSCRIBE call. */
export interface CallAnswer {
  readonly status: number;
  readonly body?: string;
}

const ACCEPTED: CallAnswer = { status: 202 };
const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});
const idOf = (v: unknown): string => (isObject(v) ? String(v.value) : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Whether an agent has not yet re-registered with the current leader (the master drops what concerns it). */
function agentRecovering(cluster: Cluster, agentId: string): boolean {
  return cluster.agents.some((a) => a.id === agentId && a.recovering);
}

function rolesOf(framework: Framework, body: unknown): string[] {
  const roles = strings(obj(body).roles);
  return roles.length > 0 ? roles : framework.roles;
}

/** Applies a validated call of a subscribed framework; outcomes arrive later as events. */
export function dispatch(cluster: Cluster, framework: Framework, call: JsonObject): CallAnswer {
  switch (call.type) {
    case 'TEARDOWN':
      setImmediate(() => cluster.removeFramework(framework));
      return ACCEPTED;
    case 'ACCEPT':
      accept(cluster, framework, obj(call.accept));
      return ACCEPTED;
    case 'DECLINE':
      decline(cluster, framework, obj(call.decline));
      return ACCEPTED;
    case 'REVIVE': {
      const roles = rolesOf(framework, call.revive);
      for (const role of roles) framework.suppressed.delete(role);
      cluster.allocator.clearFilters(framework.id, roles);
      setImmediate(() => cluster.allocator.allocate());
      return ACCEPTED;
    }
    case 'SUPPRESS':
      for (const role of rolesOf(framework, call.suppress)) framework.suppressed.add(role);
      return ACCEPTED;
    case 'KILL': {
      const kill = obj(call.kill);
      const taskId = idOf(kill.task_id);
      const task = cluster.tasks.get(taskKey(framework.id, taskId));
      if (task && !agentRecovering(cluster, task.agentId)) killTask(cluster, framework, task, kill.kill_policy);
      else
        reconcile(cluster, framework, {
          tasks: [{ task_id: { value: taskId }, ...(isObject(kill.agent_id) ? { agent_id: kill.agent_id } : {}) }],
        });
      return ACCEPTED;
    }
    case 'SHUTDOWN': {
      const shutdown = obj(call.shutdown);
      const task = cluster.tasks.get(taskKey(framework.id, idOf(shutdown.executor_id)));
      if (task && task.agentId === idOf(shutdown.agent_id) && !TERMINAL_STATES.has(task.state)) {
        killTask(cluster, framework, task, { grace_period: { nanoseconds: 0 } });
      }
      return ACCEPTED;
    }
    case 'ACKNOWLEDGE': {
      const ack = obj(call.acknowledge);
      const uuid = decodeBytes(String(ack.uuid))!.toString('base64');
      if (!agentRecovering(cluster, idOf(ack.agent_id))) cluster.updates.acknowledge(framework.id, idOf(ack.task_id), uuid);
      return ACCEPTED;
    }
    case 'RECONCILE':
      reconcile(cluster, framework, obj(call.reconcile));
      return ACCEPTED;
    case 'MESSAGE':
    case 'REQUEST':
    case 'ACCEPT_INVERSE_OFFERS':
    case 'DECLINE_INVERSE_OFFERS':
    case 'ACKNOWLEDGE_OPERATION_STATUS':
    case 'RECONCILE_OPERATIONS':
      return ACCEPTED;
    case 'UPDATE_FRAMEWORK':
      return updateFramework(cluster, framework, obj(call.update_framework));
    default:
      return { status: 501 };
  }
}

function updateFramework(cluster: Cluster, framework: Framework, body: JsonObject): CallAnswer {
  const info = obj(body.framework_info);
  if (idOf(info.id) !== framework.id) {
    return { status: 400, body: "Failed to validate scheduler::Call: 'framework_id' differs from 'update_framework.framework_info.id'" };
  }
  for (const field of ['principal', 'user', 'checkpoint'] as const) {
    if (info[field] !== undefined && info[field] !== framework.info[field]) {
      return { status: 400, body: `Updating 'FrameworkInfo.${field}' is unsupported` };
    }
  }
  framework.info = { ...framework.info, ...info };
  framework.suppressed = new Set(strings(body.suppressed_roles));
  cluster.allocator.rescindRoles(framework.id, framework.roles);
  return { status: 200 };
}
