import { randomUUID } from 'node:crypto';
import type { JsonObject } from './wire-json.js';

/** A reliable status update waiting for its ACKNOWLEDGE. */
export interface PendingUpdate {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly uuid: string;
  readonly status: JsonObject;
}

interface TaskStream {
  readonly queue: PendingUpdate[];
  timer?: NodeJS.Timeout;
  delayMs: number;
}

/** What the status update manager calls back into. */
export interface UpdateHooks {
  /** Forwards the head update of a task to its framework (if connected). */
  forward(update: PendingUpdate): void;
  /** The framework acknowledged this update. */
  acknowledged(update: PendingUpdate): void;
}

const MAX_RETRY_MS = 600_000;

/** A random UUID as the 16 raw bytes Mesos puts in `TaskStatus.uuid`, base64-encoded. */
export function newStatusUuid(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64');
}

/**
 * The agent's status update manager: each task's updates are forwarded one at a time, the head
 * re-sent after `firstRetryMs` (doubling up to 10 min) until acknowledged; later ones queue behind.
 */
export class StatusUpdateManager {
  readonly #streams = new Map<string, TaskStream>();

  constructor(
    private readonly hooks: UpdateHooks,
    private readonly firstRetryMs: number,
  ) {}

  #key(frameworkId: string, taskId: string): string {
    return `${frameworkId}\u0000${taskId}`;
  }

  /** Queues a new update (a uuid is added) and forwards it if nothing is outstanding for its task. */
  update(frameworkId: string, taskId: string, status: JsonObject): PendingUpdate {
    const uuid = newStatusUuid();
    const pending: PendingUpdate = { frameworkId, taskId, uuid, status: { ...status, uuid } };
    const key = this.#key(frameworkId, taskId);
    const stream = this.#streams.get(key) ?? { queue: [], delayMs: this.firstRetryMs };
    this.#streams.set(key, stream);
    stream.queue.push(pending);
    if (stream.queue.length === 1) this.#send(stream);
    return pending;
  }

  #send(stream: TaskStream): void {
    const head = stream.queue[0];
    if (!head) return;
    clearTimeout(stream.timer);
    this.hooks.forward(head);
    stream.timer = setTimeout(() => {
      stream.delayMs = Math.min(stream.delayMs * 2, MAX_RETRY_MS);
      this.#send(stream);
    }, stream.delayMs);
  }

  /** Applies an ACKNOWLEDGE; a uuid that is not the head's is ignored, as the agent ignores it. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const key = this.#key(frameworkId, taskId);
    const stream = this.#streams.get(key);
    const head = stream?.queue[0];
    if (!stream || !head || head.uuid !== uuid) return false;
    clearTimeout(stream.timer);
    stream.queue.shift();
    stream.delayMs = this.firstRetryMs;
    this.hooks.acknowledged(head);
    if (stream.queue.length === 0) this.#streams.delete(key);
    else this.#send(stream);
    return true;
  }

  /** Re-sends every outstanding head of a framework now (the agent does so when the framework re-subscribes). */
  resume(frameworkId: string): void {
    for (const stream of this.#streams.values()) {
      if (stream.queue[0]?.frameworkId === frameworkId) this.#send(stream);
    }
  }

  /** Re-sends every outstanding head now (the agent does so when it re-registers with a master). */
  resumeAll(): void {
    for (const stream of this.#streams.values()) this.#send(stream);
  }

  /** Forgets a task's updates (its agent is gone or its framework removed). */
  drop(frameworkId: string, taskId: string): void {
    const key = this.#key(frameworkId, taskId);
    clearTimeout(this.#streams.get(key)?.timer);
    this.#streams.delete(key);
  }

  /** Every update not yet acknowledged, oldest first per task. */
  pending(): PendingUpdate[] {
    return [...this.#streams.values()].flatMap((s) => s.queue);
  }

  /** Stops all retry timers. */
  close(): void {
    for (const stream of this.#streams.values()) clearTimeout(stream.timer);
    this.#streams.clear();
  }
}
