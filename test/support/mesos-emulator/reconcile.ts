import { taskKey, type Cluster } from './cluster.js';
import type { Framework } from './framework.js';
import { taskStatus } from './task-status.js';
import type { EmulatedTask } from './types.js';
import { isObject, type JsonObject } from './wire-json.js';

const LATEST = 'Reconciliation: Latest task state';

function known(cluster: Cluster, framework: Framework, task: EmulatedTask): JsonObject {
  const unreachable = cluster.unreachableTasks.has(taskKey(framework.id, task.id));
  const state = unreachable ? (framework.partitionAware ? 'TASK_UNREACHABLE' : 'TASK_LOST') : task.state;
  return taskStatus(task, state, {
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: LATEST,
    ...(unreachable && framework.partitionAware && task.unreachableSince !== undefined ? { unreachableTime: task.unreachableSince } : {}),
  });
}

function unknown(cluster: Cluster, framework: Framework, taskId: string, agentId: string | undefined): JsonObject {
  // An agent the registry forgot (unreachable past registry_max_agent_age) is unknown to the master.
  const agent = agentId !== undefined ? cluster.agents.find((a) => a.id === agentId && a.forgotten !== true) : undefined;
  const pa = framework.partitionAware;
  let state = 'TASK_LOST';
  let message = 'Reconciliation: Task is unknown';
  if (agent && !agent.unreachable) {
    state = pa ? 'TASK_GONE' : 'TASK_LOST';
    message = 'Reconciliation: Task is unknown to the agent';
  } else if (agent?.unreachable) {
    state = pa ? 'TASK_UNREACHABLE' : 'TASK_LOST';
    message = 'Reconciliation: Task is unreachable';
  } else if (pa) {
    state = 'TASK_UNKNOWN';
  }
  const stub = { id: taskId, agentId: agentId ?? '', executorId: taskId, containerId: '' };
  const status = taskStatus(stub, state, { source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', message });
  if (agentId === undefined) delete status.agent_id;
  return status;
}

/**
 * RECONCILE: explicit (one UPDATE per listed task, latest state or what an unknown task means
 * for its agent) or implicit (every task the master knows for the framework). No uuid on any.
 */
export function reconcile(cluster: Cluster, framework: Framework, body: JsonObject): void {
  const listed = Array.isArray(body.tasks) ? body.tasks.filter(isObject) : [];
  const send = (status: JsonObject): void => {
    framework.send({ type: 'UPDATE', update: { status } });
  };
  const recovering = (agentId: string): boolean => cluster.agents.some((a) => a.id === agentId && a.recovering);
  if (listed.length === 0) {
    for (const task of [...cluster.tasks.values(), ...cluster.unreachableTasks.values()]) {
      if (task.frameworkId === framework.id && !recovering(task.agentId)) send(known(cluster, framework, task));
    }
    return;
  }
  for (const entry of listed) {
    const taskId = isObject(entry.task_id) ? String(entry.task_id.value) : '';
    const agentId = isObject(entry.agent_id) ? String(entry.agent_id.value) : undefined;
    const key = taskKey(framework.id, taskId);
    const task = cluster.tasks.get(key) ?? cluster.unreachableTasks.get(key);
    if (task && !recovering(task.agentId)) {
      send(known(cluster, framework, task));
      continue;
    }
    // Unknown to this master while its agent (or, with no agent id, any agent) is still re-registering: no answer.
    if (agentId !== undefined ? recovering(agentId) : cluster.agents.some((a) => a.recovering)) continue;
    send(unknown(cluster, framework, taskId, agentId));
  }
}
