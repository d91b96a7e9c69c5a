import { messageOf } from '../../errors.js';
import type { AbandonedTask, FrameworkStore } from './framework-store.js';
import type { MesosLogger } from './logger.js';
import type { TaskStatus } from './mesos-types.js';

/** States after which a task can still come back (its agent re-registers): the task is abandoned, not forgotten. */
export const MAY_RETURN: ReadonlySet<string> = new Set(['TASK_UNREACHABLE', 'TASK_UNKNOWN', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);

/** States of a task that runs (or is about to): an abandoned task in one of them is killed. */
const ALIVE: ReadonlySet<string> = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/** What the abandoned-task book needs from its framework. */
export interface AbandonedTasksHost {
  readonly store: FrameworkStore;
  readonly key: string;
  readonly master: string;
  readonly log: MesosLogger;
  /** Sends KILL for a task (with the agent id when known). */
  readonly kill: (taskId: string, agentId: string | undefined) => Promise<void>;
  /** Reconciles one task explicitly: used when a KILL brought no final state within `recheckMs`. */
  readonly reconcile: (taskId: string, agentId: string | undefined) => Promise<void>;
  /** Default 30 s. */
  readonly recheckMs?: number;
}

/**
 * Tasks a job gave up on while their agent was unreachable, kept in the framework store so a
 * restarted controller still knows them. Any sign of life (an UPDATE, a reconciliation answer, the
 * master's REASON_AGENT_REREGISTERED update) gets a KILL at once; a final state forgets the task.
 */
export class AbandonedTasks {
  private readonly killing = new Set<string>();

  constructor(private readonly host: AbandonedTasksHost) {}

  /** Every abandoned task of this framework. */
  list(): AbandonedTask[] {
    return Object.values(this.host.store.get(this.host.key)?.abandoned ?? {});
  }

  has(taskId: string): boolean {
    return taskId in (this.host.store.get(this.host.key)?.abandoned ?? {});
  }

  /** Records that the job gave up on a task in a state it may return from (and stops tracking it as launched). */
  abandon(taskId: string, agentId: string | undefined, state: string): void {
    this.host.store.abandonTask(this.host.key, { taskId, ...(agentId ? { agentId } : {}), state, abandonedAt: new Date().toISOString() });
    this.host.log.warn(
      { master: this.host.master, taskId, state },
      'Gave up on a driver task whose agent is unreachable; it is killed if it comes back',
    );
  }

  /** Handles a status of an abandoned task (kill when alive, forget when ended); returns whether the task is abandoned. */
  onStatus(status: TaskStatus): boolean {
    const taskId = status.task_id.value;
    const entry = this.host.store.get(this.host.key)?.abandoned?.[taskId];
    if (!entry) return false;
    if (ALIVE.has(status.state)) {
      if (this.killing.has(taskId)) return true;
      this.killing.add(taskId);
      const agentId = status.agent_id?.value ?? entry.agentId;
      this.host.log.warn(
        { master: this.host.master, taskId, state: status.state, reason: status.reason },
        'A driver task the job gave up on is running again; killing it',
      );
      void this.host
        .kill(taskId, agentId)
        .catch((e: unknown) =>
          this.host.log.warn(
            { master: this.host.master, taskId, err: messageOf(e) },
            'KILL of a returned task failed; it is sent again on its next status',
          ),
        )
        .finally(() => {
          this.killing.delete(taskId);
          this.recheck(taskId, agentId);
        });
    } else if (!MAY_RETURN.has(status.state) && status.state !== 'TASK_KILLING') {
      this.host.store.forgetAbandoned(this.host.key, taskId);
      const level = status.state === 'TASK_KILLED' || status.state === 'TASK_GONE' ? 'info' : 'warn';
      this.host.log[level]({ master: this.host.master, taskId, state: status.state }, 'A driver task the job gave up on has ended');
    }
    return true;
  }

  /** Asks the master again later if the task has not ended by then: its answer (still alive) brings another KILL. */
  private recheck(taskId: string, agentId: string | undefined): void {
    setTimeout(() => {
      if (!this.has(taskId)) return;
      this.host
        .reconcile(taskId, agentId)
        .catch((e: unknown) =>
          this.host.log.debug({ master: this.host.master, taskId, err: messageOf(e) }, 'Reconciling a returned task failed'),
        );
    }, this.host.recheckMs ?? 30_000).unref();
  }
}
