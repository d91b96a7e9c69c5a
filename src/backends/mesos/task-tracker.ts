import type { TaskStatus } from './mesos-types.js';
import { TERMINAL_TASK_STATES } from './mesos-types.js';

type Listener = (status: TaskStatus) => void;

/** The latest known status of each task, with waiters; a terminal state is never moved backwards. */
export class TaskTracker {
  private readonly latest = new Map<string, TaskStatus>();
  private readonly listeners = new Set<Listener>();

  /** Records a status (from an UPDATE or a reconciliation answer); returns whether it changed the known state. */
  record(status: TaskStatus): boolean {
    const id = status.task_id.value;
    const before = this.latest.get(id);
    if (before && TERMINAL_TASK_STATES.has(before.state) && !TERMINAL_TASK_STATES.has(status.state)) return false;
    this.latest.set(id, status);
    for (const l of [...this.listeners]) l(status);
    return true;
  }

  /** Calls `listener` with every status recorded from now on; returns the unsubscribe function. */
  watch(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(taskId: string): TaskStatus | undefined {
    return this.latest.get(taskId);
  }

  forget(taskId: string): void {
    this.latest.delete(taskId);
  }

  /**
   * Resolves with the first status of `taskId` satisfying `predicate` (the current one counts),
   * or undefined after `timeoutMs`; rejects when the signal aborts.
   */
  until(
    taskId: string,
    predicate: (s: TaskStatus) => boolean,
    options: { signal?: AbortSignal; timeoutMs?: number; includeCurrent?: boolean } = {},
  ): Promise<TaskStatus | undefined> {
    const current = this.latest.get(taskId);
    if ((options.includeCurrent ?? true) && current && predicate(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        this.listeners.delete(listener);
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const listener: Listener = (s) => {
        if (s.task_id.value !== taskId || !predicate(this.latest.get(taskId) ?? s)) return;
        cleanup();
        resolve(this.latest.get(taskId) ?? s);
      };
      const onAbort = (): void => {
        cleanup();
        reject(options.signal?.reason);
      };
      if (options.signal?.aborted) return reject(options.signal.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          resolve(undefined);
        }, options.timeoutMs);
      }
      this.listeners.add(listener);
    });
  }
}
