import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { lookupUser, ownSandbox } from './agent-user.js';
import { taskKey, type Cluster } from './cluster.js';
import type { Framework } from './framework.js';
import { TERMINAL_STATES } from './task-status.js';
import type { EmulatedTask } from './types.js';
import { isObject, type JsonObject } from './wire-json.js';

/** The sandbox of one run: `<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<container>`. */
export function sandboxPath(workDir: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string {
  return join(workDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs', containerId);
}

/** Creates the task in the master (TASK_STAGING) and hands it to the agent's Docker executor. */
export function launchTask(
  cluster: Cluster,
  framework: Framework,
  info: JsonObject,
  agentId: string,
  role: string,
  resources: JsonObject[],
  run = true,
): EmulatedTask {
  const id = String(isObject(info.task_id) ? info.task_id.value : '');
  const containerId = randomUUID();
  const sandbox = sandboxPath(cluster.settings.workDir, agentId, framework.id, id, containerId);
  const task: EmulatedTask = {
    id,
    name: String(info.name),
    frameworkId: framework.id,
    agentId,
    executorId: id,
    role,
    info,
    resources,
    containerId,
    sandbox,
    state: 'TASK_STAGING',
    statuses: [],
  };
  const key = taskKey(framework.id, id);
  cluster.tasks.set(key, task);
  // The agent runs the task as CommandInfo.user, else FrameworkInfo.user (slave.cpp Framework::addExecutor).
  const command = isObject(info.command) ? info.command : {};
  const user = typeof command.user === 'string' ? command.user : String(framework.info.user);
  const owner = lookupUser(user);
  if (typeof owner === 'string') {
    // Framework::addExecutor fails before any executor exists: the agent drops the task.
    cluster.reliableUpdate(task, framework.capabilities.has('PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST', {
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
      message: `Failed to create executor directory '${sandbox}': Failed to chown directory to '${user}': ${owner}`,
    });
    return task;
  }
  mkdirSync(sandbox, { recursive: true });
  writeFileSync(join(sandbox, 'stdout'), '');
  writeFileSync(join(sandbox, 'stderr'), '');
  ownSandbox(sandbox, owner);
  const latest = join(sandbox, '..', 'latest');
  rmSync(latest, { force: true });
  symlinkSync(containerId, latest);
  if (!run) return task;
  const update = cluster.reliableUpdate.bind(cluster, task);
  cluster.runner.launch(
    key,
    info,
    {
      clusterId: cluster.id,
      frameworkId: framework.id,
      agentId,
      containerId,
      sandbox,
      role,
      owner,
      requireTls: cluster.options.requireLibprocessSsl === true,
    },
    {
      starting: () => update('TASK_STARTING', { source: 'SOURCE_EXECUTOR' }),
      running: (inspect) => {
        update('TASK_RUNNING', {
          source: 'SOURCE_EXECUTOR',
          data: Buffer.from(JSON.stringify(inspect)).toString('base64'),
          containerStatus: true,
        });
        const limit = isObject(info.max_completion_time) ? Number(info.max_completion_time.nanoseconds) / 1e6 : undefined;
        if (limit !== undefined) {
          cluster.later(limit, () => {
            if (TERMINAL_STATES.has(task.state) || task.killRequested) return;
            task.deadlineReached = true;
            void cluster.runner.kill(key, 0);
          });
        }
      },
      launchFailed: (message) => update('TASK_FAILED', { source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message }),
      killedBeforeStart: (executorHadTask) =>
        update(
          'TASK_KILLED',
          executorHadTask
            ? { source: 'SOURCE_EXECUTOR', message: 'Task killed before its container started' }
            : { source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Task killed before it was launched' },
        ),
      exited: (code) => {
        task.exitCode = code;
        const message = `Container exited with status ${code}`;
        if (task.deadlineReached) {
          update('TASK_FAILED', {
            source: 'SOURCE_EXECUTOR',
            reason: 'REASON_MAX_COMPLETION_TIME_REACHED',
            message: 'Task exceeded its maximum completion time',
            containerStatus: true,
          });
        } else if (task.killRequested) update('TASK_KILLED', { source: 'SOURCE_EXECUTOR', message, containerStatus: true });
        else if (code === 0) update('TASK_FINISHED', { source: 'SOURCE_EXECUTOR', message, containerStatus: true });
        else update('TASK_FAILED', { source: 'SOURCE_EXECUTOR', message, containerStatus: true });
      },
    },
  );
  return task;
}

function graceSeconds(policy: unknown): number | undefined {
  if (!isObject(policy) || !isObject(policy.grace_period)) return undefined;
  return Number(policy.grace_period.nanoseconds) / 1e9;
}

/** KILL of a known task: TASK_KILLING when the framework takes it, then `docker stop` with the grace period. */
export function killTask(cluster: Cluster, framework: Framework, task: EmulatedTask, killPolicy: unknown): void {
  if (TERMINAL_STATES.has(task.state)) return;
  task.killRequested = true;
  if (framework.capabilities.has('TASK_KILLING_STATE') && task.state === 'TASK_RUNNING') {
    cluster.reliableUpdate(task, 'TASK_KILLING', { source: 'SOURCE_EXECUTOR' });
  }
  const grace = graceSeconds(killPolicy) ?? graceSeconds(task.info.kill_policy) ?? cluster.settings.killGraceSeconds;
  void cluster.runner.kill(taskKey(framework.id, task.id), grace);
}
