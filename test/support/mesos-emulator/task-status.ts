import type { EmulatedTask } from './types.js';
import { double, type JsonObject } from './wire-json.js';

/** Fields of a TaskStatus besides the task's identity. */
export interface StatusFields {
  readonly source: 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
  readonly reason?: string;
  readonly message?: string;
  /** base64 bytes. */
  readonly data?: string;
  readonly containerStatus?: boolean;
  /** Whether to name the executor (agent-forwarded updates do; the master's own answers do not for command tasks). */
  readonly withExecutor?: boolean;
  /** Milliseconds since the epoch. */
  readonly unreachableTime?: number;
}

/** States after which Mesos frees a task's resources (`isTerminalState`). */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Builds a `TaskStatus` (without uuid) for a task. */
export function taskStatus(
  task: Pick<EmulatedTask, 'id' | 'agentId' | 'executorId' | 'containerId'>,
  state: string,
  f: StatusFields,
): JsonObject {
  const status: JsonObject = { task_id: { value: task.id }, state };
  if (f.message !== undefined) status.message = f.message;
  status.source = f.source;
  if (f.reason !== undefined) status.reason = f.reason;
  if (f.data !== undefined) status.data = f.data;
  status.agent_id = { value: task.agentId };
  if (f.withExecutor) status.executor_id = { value: task.executorId };
  status.timestamp = double(Date.now() / 1000);
  if (f.containerStatus) {
    status.container_status = {
      container_id: { value: task.containerId },
      network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] }],
    };
  }
  if (f.unreachableTime !== undefined) {
    status.unreachable_time = { nanoseconds: Math.round(f.unreachableTime * 1e6) };
  }
  return status;
}
