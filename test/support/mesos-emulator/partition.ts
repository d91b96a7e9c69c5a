import { taskKey, type Cluster } from './cluster.js';
import type { AgentState } from './offers.js';
import { taskStatus, TERMINAL_STATES } from './task-status.js';
import type { EmulatedTask } from './types.js';

function agentOf(cluster: Cluster, agentId: string, what: string): AgentState {
  const agent = cluster.agents.find((a) => a.id === agentId);
  if (!agent) throw new Error(`mesos-emulator: ${what}: no agent '${agentId}' (agents: ${cluster.agents.map((a) => a.id).join(', ')})`);
  return agent;
}

/**
 * The master marks a partitioned agent unreachable (Master::markUnreachable after missed pings,
 * then __removeSlave): its offers are rescinded, each non-terminal task becomes TASK_UNREACHABLE
 * (PARTITION_AWARE) or TASK_LOST (others), source MASTER, REASON_AGENT_REMOVED, message "health
 * check timed out", no uuid, and every framework gets FAILURE. The agent itself keeps running its
 * containers and holds its status updates until it reaches the master again. After
 * `unreachableAgentMaxAgeSeconds` (registry_max_agent_age) the master forgets the agent and its
 * unreachable tasks without telling anyone: reconciliation then answers TASK_UNKNOWN.
 */
export function partitionAgent(cluster: Cluster, agentId: string): void {
  const agent = agentOf(cluster, agentId, 'partitionAgent');
  if (agent.partitioned === true) return;
  agent.partitioned = true;
  agent.unreachable = true;
  cluster.allocator.rescindAgent(agentId);
  const now = Date.now();
  for (const [key, task] of [...cluster.tasks]) {
    if (task.agentId !== agentId) continue;
    cluster.tasks.delete(key);
    // Terminal but unacknowledged tasks are tracked as unreachable too (MESOS-8337); no update is sent for them.
    task.unreachableSince = now;
    cluster.unreachableTasks.set(key, task);
    if (TERMINAL_STATES.has(task.state)) continue;
    const pa = cluster.frameworks.get(task.frameworkId)?.partitionAware === true;
    cluster.masterUpdate(
      task.frameworkId,
      taskStatus(task, pa ? 'TASK_UNREACHABLE' : 'TASK_LOST', {
        source: 'SOURCE_MASTER',
        reason: 'REASON_AGENT_REMOVED',
        message: 'health check timed out',
        ...(pa ? { unreachableTime: now } : {}),
      }),
    );
  }
  for (const f of cluster.frameworks.values()) f.send({ type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  const maxAge = cluster.options.unreachableAgentMaxAgeSeconds;
  if (maxAge !== undefined) cluster.later(maxAge * 1000, () => forgetAgent(cluster, agent));
}

/** Registry GC of an agent unreachable for too long: the master drops it and its unreachable tasks, sending nothing. */
function forgetAgent(cluster: Cluster, agent: AgentState): void {
  if (agent.partitioned !== true) return;
  agent.forgotten = true;
  const parked: EmulatedTask[] = [];
  for (const [key, task] of [...cluster.unreachableTasks]) {
    if (task.agentId !== agent.id) continue;
    cluster.unreachableTasks.delete(key);
    parked.push(task);
  }
  cluster.forgottenTasks.set(agent.id, parked);
}

/**
 * The partition heals and the agent re-registers (Master::__reregisterSlave): every task it still
 * has is known to the master again and the master sends each framework an UPDATE with the task's
 * latest state (source MASTER, REASON_AGENT_REREGISTERED, no uuid; "Unreachable agent
 * re-reregistered", or "Unknown agent reregistered" once the registry forgot it). Tasks of
 * non-partition-aware frameworks come back too (Mesos ≥ 1.5, MESOS-7215). The agent then
 * re-sends its unacknowledged updates and offers resume.
 */
export function healAgent(cluster: Cluster, agentId: string): void {
  const agent = agentOf(cluster, agentId, 'healAgent');
  if (agent.partitioned !== true)
    throw new Error(`mesos-emulator: healAgent: agent '${agentId}' is not partitioned; call partitionAgent first`);
  const message = agent.forgotten === true ? 'Unknown agent reregistered' : 'Unreachable agent re-reregistered';
  const back = [...(cluster.forgottenTasks.get(agentId) ?? [])];
  for (const [key, task] of [...cluster.unreachableTasks]) {
    if (task.agentId !== agentId) continue;
    cluster.unreachableTasks.delete(key);
    back.push(task);
  }
  cluster.forgottenTasks.delete(agentId);
  agent.partitioned = false;
  agent.unreachable = false;
  agent.forgotten = false;
  for (const task of back) {
    delete task.unreachableSince;
    cluster.tasks.set(taskKey(task.frameworkId, task.id), task);
    cluster.masterUpdate(
      task.frameworkId,
      taskStatus(task, task.state, {
        source: 'SOURCE_MASTER',
        reason: 'REASON_AGENT_REREGISTERED',
        message,
        withExecutor: true,
      }),
    );
  }
  cluster.updates.resumeAll();
  cluster.allocator.allocate();
}
