import { taskKey, type Cluster } from './cluster.js';
import { healAgent, partitionAgent } from './partition.js';
import { taskStatus, TERMINAL_STATES } from './task-status.js';

/** Faults a test can inject into a running emulator. */
export interface MesosFaults {
  /** Closes subscription streams (all, or one framework's); `abrupt` cuts the TCP connection instead of ending the chunked body. */
  dropStream(opts?: { frameworkId?: string; abrupt?: boolean }): void;
  /** Stops sending HEARTBEAT events (the streams stay open and silent). */
  stopHeartbeats(): void;
  resumeHeartbeats(): void;
  /**
   * Moves leadership to the other master of a pair: streams to the old leader break, it then
   * answers 307; agents re-register after `agentReregisterDelaySeconds`.
   */
  failover(): void;
  /** Leaves a pair without a leader (both answer 503, streams break) until `failover()` elects the other master. */
  noLeader(): void;
  /** Removes an agent: RESCIND of its offers, TASK_LOST (or TASK_UNREACHABLE for PARTITION_AWARE) per task, FAILURE. */
  loseAgent(agentId: string): void;
  /**
   * Cuts an agent off from the master while its containers keep running: its tasks become
   * TASK_UNREACHABLE (PARTITION_AWARE) or TASK_LOST, offers are rescinded, FAILURE is sent; the agent holds its updates.
   */
  partitionAgent(agentId: string): void;
  /**
   * Ends a partition: the agent re-registers, the master sends each task's latest state (REASON_AGENT_REREGISTERED), held updates follow.
   */
  healAgent(agentId: string): void;
  /** Kills a running task's container with SIGKILL: the executor reports TASK_FAILED (exit status 137). */
  failTask(taskId: string): Promise<void>;
}

/** Leadership controls, which only a pair has. */
export interface LeaderControls {
  readonly failover?: () => void;
  readonly noLeader?: () => void;
}

const needsPair = (what: string): never => {
  throw new Error(`mesos-emulator: ${what}() needs two masters; start them with startMesosPair()`);
};

/** Builds the fault controls over a cluster. */
export function createFaults(cluster: Cluster, leader: LeaderControls): MesosFaults {
  return {
    dropStream(opts = {}) {
      for (const f of cluster.frameworks.values()) {
        if (f.stream && (opts.frameworkId === undefined || opts.frameworkId === f.id))
          cluster.closeStream(f.stream, undefined, opts.abrupt === true);
      }
    },
    stopHeartbeats() {
      cluster.heartbeatsPaused = true;
    },
    resumeHeartbeats() {
      cluster.heartbeatsPaused = false;
    },
    failover() {
      (leader.failover ?? (() => needsPair('failover')))();
    },
    noLeader() {
      (leader.noLeader ?? (() => needsPair('noLeader')))();
    },
    loseAgent(agentId) {
      const agent = cluster.agents.find((a) => a.id === agentId);
      if (!agent)
        throw new Error(`mesos-emulator: loseAgent: no agent '${agentId}' (agents: ${cluster.agents.map((a) => a.id).join(', ')})`);
      agent.unreachable = true;
      cluster.allocator.rescindAgent(agentId);
      const now = Date.now();
      for (const [key, task] of [...cluster.tasks]) {
        if (task.agentId !== agentId) continue;
        void cluster.runner.destroy(key);
        cluster.updates.drop(task.frameworkId, task.id);
        cluster.tasks.delete(key);
        if (TERMINAL_STATES.has(task.state)) {
          cluster.completedTasks.push(task);
          continue;
        }
        const framework = cluster.frameworks.get(task.frameworkId);
        const pa = framework?.partitionAware === true;
        task.state = 'TASK_UNREACHABLE';
        task.statuses.push({ state: 'TASK_UNREACHABLE', timestamp: now / 1000 });
        task.unreachableSince = now;
        cluster.unreachableTasks.set(taskKey(task.frameworkId, task.id), task);
        cluster.masterUpdate(
          task.frameworkId,
          taskStatus(task, pa ? 'TASK_UNREACHABLE' : 'TASK_LOST', {
            source: 'SOURCE_MASTER',
            reason: 'REASON_AGENT_REMOVED',
            message: `Agent ${agent.hostname} is unreachable`,
            ...(pa ? { unreachableTime: now } : {}),
          }),
        );
      }
      for (const f of cluster.frameworks.values()) f.send({ type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    },
    partitionAgent(agentId) {
      partitionAgent(cluster, agentId);
    },
    healAgent(agentId) {
      healAgent(cluster, agentId);
    },
    async failTask(taskId) {
      const task = [...cluster.tasks.values()].find((t) => t.id === taskId && !TERMINAL_STATES.has(t.state));
      if (!task) throw new Error(`mesos-emulator: failTask: no live task '${taskId}'`);
      if (!(await cluster.runner.killNow(taskKey(task.frameworkId, task.id)))) {
        throw new Error(`mesos-emulator: failTask: task '${taskId}' has no container yet (state ${task.state}); wait for TASK_RUNNING`);
      }
    },
  };
}
