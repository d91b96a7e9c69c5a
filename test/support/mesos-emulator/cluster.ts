import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type Docker from 'dockerode';
import { Framework, type Subscription } from './framework.js';
import { Allocator, type AgentState } from './offers.js';
import { Recorder } from './recorder.js';
import { RecordIoWriter } from './recordio-writer.js';
import { add, emptyQuantities, fromResources, type Quantities } from './resources.js';
import { StatusUpdateManager, type PendingUpdate } from './status-updates.js';
import { TaskRunner } from './task-runner.js';
import { taskStatus, TERMINAL_STATES, type StatusFields } from './task-status.js';
import type { EmulatedTask, EmulatorOptions } from './types.js';
import { double, isObject, type JsonObject } from './wire-json.js';

/** One emulated master process: its identity on the wire. */
export interface MasterIdentity {
  readonly id: string;
  readonly port: number;
  readonly hostname: string;
  readonly info: JsonObject;
}

/** Settings the cluster needs, resolved from EmulatorOptions. */
export interface ClusterSettings {
  readonly heartbeatMs: number;
  readonly refuseDefaultSeconds: number;
  readonly killGraceSeconds: number;
  readonly workDir: string;
}

/** The shared state behind one or two emulated masters: frameworks, agents, offers, tasks and their containers. */
export class Cluster {
  readonly id = randomUUID();
  readonly startTime = Date.now() / 1000;
  readonly frameworks = new Map<string, Framework>();
  readonly completedFrameworks = new Map<string, Framework>();
  readonly agents: AgentState[] = [];
  /** Live tasks (and terminal ones whose last update is not yet acknowledged), keyed by framework and task id. */
  readonly tasks = new Map<string, EmulatedTask>();
  readonly completedTasks: EmulatedTask[] = [];
  readonly unreachableTasks = new Map<string, EmulatedTask>();
  /** Tasks a partitioned agent still runs after the master forgot them (registry_max_agent_age), by agent id. */
  readonly forgottenTasks = new Map<string, EmulatedTask[]>();
  readonly masters: MasterIdentity[] = [];
  leader: MasterIdentity | null = null;
  heartbeatsPaused = false;
  /** Set by close(): streams closing then start no failover timers. */
  closed = false;
  recoveryTimer: NodeJS.Timeout | undefined;
  /** Port where the agents' endpoints (/files, /slave(1)/state) answer. */
  agentPort = 0;
  readonly allocator: Allocator;
  readonly updates: StatusUpdateManager;
  readonly runner: TaskRunner;
  readonly recorder: Recorder;
  #frameworkCounter = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  #offerCounter = 0;

  constructor(
    readonly options: EmulatorOptions,
    readonly settings: ClusterSettings,
    docker: Docker,
  ) {
    this.recorder = new Recorder(options.recordFile ?? process.env.SPARKCTL_MESOS_RECORD);
    this.runner = new TaskRunner(docker);
    this.updates = new StatusUpdateManager(
      { forward: (u) => this.#forward(u), acknowledged: (u) => this.#acknowledged(u) },
      (options.statusUpdateRetrySeconds ?? 10) * 1000,
    );
    this.allocator = new Allocator(
      {
        frameworks: () => [...this.frameworks.values()],
        agents: () => this.agents,
        used: (agentId) => this.used(agentId),
        nextOfferId: () => `${this.leader?.id ?? this.id}-O${this.#offerCounter++}`,
        agentUrl: (agent) => ({
          scheme: 'http',
          address: { hostname: agent.hostname, ip: '127.0.0.1', port: this.agentPort },
          path: '/slave(1)',
        }),
        send: (framework, event) => this.send(framework, event),
      },
      {
        intervalMs: (options.allocationIntervalSeconds ?? 1) * 1000,
        ...(options.offerTimeoutSeconds !== undefined ? { offerTimeoutMs: options.offerTimeoutSeconds * 1000 } : {}),
      },
    );
  }

  /** A new framework id from the leading master: `<masterId>-NNNN`. */
  newFrameworkId(): string {
    return `${this.leader?.id ?? this.id}-${String(this.#frameworkCounter++).padStart(4, '0')}`;
  }

  /** Sends an event to a framework's open stream (dropped when it has none). */
  send(framework: Framework, event: JsonObject): void {
    framework.send(event);
  }

  /** Opens a subscription stream on `res` (200, Mesos-Stream-Id, RecordIO) and makes it the framework's. */
  openStream(res: ServerResponse, port: number): Subscription {
    const streamId = randomUUID();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId, 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    const writer = new RecordIoWriter(res, (json) => this.recorder.event(json, port));
    return { streamId, writer, port };
  }

  /** Attaches a stream to a framework: SUBSCRIBED, an immediate HEARTBEAT, then one per interval. */
  attach(framework: Framework, sub: Subscription, master: MasterIdentity): void {
    framework.stream = sub;
    clearTimeout(framework.failoverTimer);
    framework.failoverTimer = undefined;
    sub.writer.write({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: framework.id },
        heartbeat_interval_seconds: double(this.settings.heartbeatMs / 1000),
        master_info: master.info,
      },
    });
    sub.writer.write({ type: 'HEARTBEAT' });
    sub.heartbeat = setInterval(() => {
      if (!this.heartbeatsPaused) sub.writer.write({ type: 'HEARTBEAT' });
    }, this.settings.heartbeatMs);
    sub.writer.onClose(() => this.#streamClosed(framework, sub));
    this.updates.resume(framework.id);
    setImmediate(() => this.allocator.allocate());
  }

  /** Closes a stream on the master's side, with an optional ERROR event first. */
  closeStream(sub: Subscription, error?: string, abrupt = false): void {
    clearInterval(sub.heartbeat);
    if (error !== undefined) sub.writer.write({ type: 'ERROR', error: { message: error } });
    if (abrupt) sub.writer.destroy();
    else sub.writer.end();
  }

  #streamClosed(framework: Framework, sub: Subscription): void {
    clearInterval(sub.heartbeat);
    if (framework.stream !== sub || this.closed) return;
    this.disconnect(framework, true);
  }

  /** Marks a framework disconnected: offers rescinded silently, failover timer started when asked. */
  disconnect(framework: Framework, startFailoverTimer: boolean): void {
    const sub = framework.stream;
    framework.stream = undefined;
    if (sub) this.closeStream(sub, undefined, true);
    framework.unregisteredTime = Date.now() / 1000;
    this.allocator.dropFramework(framework.id);
    if (!startFailoverTimer || !this.frameworks.has(framework.id)) return;
    clearTimeout(framework.failoverTimer);
    framework.failoverTimer = setTimeout(() => this.removeFramework(framework), framework.failoverTimeoutSeconds * 1000);
  }

  /** Removes a framework (TEARDOWN or failover timeout): tasks killed, stream closed, id retired. */
  removeFramework(framework: Framework): void {
    clearTimeout(framework.failoverTimer);
    if (framework.stream) {
      const sub = framework.stream;
      framework.stream = undefined;
      this.closeStream(sub);
    }
    this.allocator.dropFramework(framework.id);
    this.allocator.clearFilters(framework.id, []);
    for (const [key, task] of [...this.tasks]) {
      if (task.frameworkId !== framework.id) continue;
      void this.runner.destroy(key);
      this.updates.drop(framework.id, task.id);
      this.tasks.delete(key);
      if (!TERMINAL_STATES.has(task.state)) this.#setState(task, 'TASK_KILLED');
      this.completedTasks.push(task);
    }
    for (const [key, task] of [...this.unreachableTasks]) {
      if (task.frameworkId !== framework.id) continue;
      this.unreachableTasks.delete(key);
      this.completedTasks.push(task);
    }
    this.frameworks.delete(framework.id);
    this.completedFrameworks.set(framework.id, framework);
  }

  /** Resources held by the non-terminal tasks on an agent. */
  used(agentId: string): Quantities {
    let q = emptyQuantities();
    for (const t of this.tasks.values()) {
      if (t.agentId === agentId && !TERMINAL_STATES.has(t.state)) q = add(q, fromResources(t.resources));
    }
    return q;
  }

  #setState(task: EmulatedTask, state: string): void {
    task.state = state;
    task.statuses.push({ state, timestamp: Date.now() / 1000 });
  }

  /** An update from the agent or executor: recorded as the task's latest state, delivered reliably (with uuid). */
  reliableUpdate(task: EmulatedTask, state: string, fields: StatusFields): void {
    this.#setState(task, state);
    this.updates.update(task.frameworkId, task.id, taskStatus(task, state, { withExecutor: true, ...fields }));
  }

  /** An update the master makes itself (no uuid, never retried). */
  masterUpdate(frameworkId: string, status: JsonObject): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework) this.send(framework, { type: 'UPDATE', update: { status } });
  }

  #forward(update: PendingUpdate): void {
    const agentId = isObject(update.status.agent_id) ? String(update.status.agent_id.value) : undefined;
    // A re-registering or partitioned agent keeps its updates until it reaches the master again.
    if (this.agents.some((a) => a.id === agentId && (a.recovering || a.partitioned === true))) return;
    const framework = this.frameworks.get(update.frameworkId);
    if (framework) this.send(framework, { type: 'UPDATE', update: { status: update.status } });
  }

  #acknowledged(update: PendingUpdate): void {
    const key = taskKey(update.frameworkId, update.taskId);
    const task = this.tasks.get(key);
    if (!task || !TERMINAL_STATES.has(String(update.status.state))) return;
    if (this.updates.pending().some((u) => u.frameworkId === update.frameworkId && u.taskId === update.taskId)) return;
    this.tasks.delete(key);
    this.completedTasks.push(task);
  }

  /** Agents re-register with a new leader after `agentReregisterDelaySeconds`; their pending updates are re-sent then. */
  agentsRecover(): void {
    const delayMs = (this.options.agentReregisterDelaySeconds ?? 0) * 1000;
    if (delayMs <= 0) return;
    for (const agent of this.agents) agent.recovering = true;
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = setTimeout(() => {
      for (const agent of this.agents) agent.recovering = false;
      this.updates.resumeAll();
      this.allocator.allocate();
    }, delayMs);
  }

  /** Runs `fn` after `ms` unless the emulator closes first. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Clears every timer set with later(). */
  clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Finds a live or completed task by id (any framework). */
  findTask(taskId: string): EmulatedTask | undefined {
    for (const t of this.tasks.values()) if (t.id === taskId) return t;
    for (const t of this.unreachableTasks.values()) if (t.id === taskId) return t;
    return [...this.completedTasks].reverse().find((t) => t.id === taskId);
  }
}

/** The key of a task in the cluster's maps. */
export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}
