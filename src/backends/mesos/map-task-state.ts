import type { RunExit } from '../ports.js';
import type { TaskStatus } from './mesos-types.js';

/** States after which a driver will not run on: terminal ones plus unreachable/unknown (treated as lost). */
export const FINISHED_FOR_US: ReadonlySet<string> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNREACHABLE',
  'TASK_UNKNOWN',
]);

/** The exit code in a Docker executor's message (`Container exited with status N`), if any. */
export function exitCodeOf(status: TaskStatus): number | undefined {
  const m = /exited with status (-?[0-9]+)/i.exec(status.message ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Maps a task status to how the driver ended; undefined while it is still going. */
export function runExitOf(status: TaskStatus, now: () => Date = () => new Date()): RunExit | undefined {
  if (!FINISHED_FOR_US.has(status.state)) return undefined;
  const finishedAt = status.timestamp !== undefined ? new Date(status.timestamp * 1000).toISOString() : now().toISOString();
  const detail = [status.state, status.reason, status.message].filter((x) => x !== undefined && x !== '').join(': ');
  switch (status.state) {
    case 'TASK_FINISHED':
      return { exitCode: 0, outcome: 'succeeded', finishedAt, ...(status.message ? { message: status.message } : {}) };
    case 'TASK_FAILED':
      return { exitCode: exitCodeOf(status) ?? 1, outcome: 'failed', message: `Driver task failed (${detail})`, finishedAt };
    case 'TASK_ERROR':
      return { exitCode: null, outcome: 'failed', message: `The master refused the driver task (${detail})`, finishedAt };
    case 'TASK_KILLED':
      return { exitCode: null, outcome: 'killed', message: `Driver task killed (${detail})`, finishedAt };
    default:
      return { exitCode: null, outcome: 'lost', message: `Driver task lost (${detail})`, finishedAt };
  }
}
