import type Docker from 'dockerode';
import type { RunExit } from '../ports.js';

const NEVER = '0001-01-01T00:00:00Z';

/** How a stopped container ended, as a RunExit: exit 0 succeeded, killed by a signal, out of memory, or failed. */
export function toRunExit(state: Docker.ContainerInspectInfo['State'], memoryMiB?: number): RunExit {
  const finishedAt = state.FinishedAt && state.FinishedAt !== NEVER ? state.FinishedAt : new Date().toISOString();
  if (state.Status === 'created' || !state.StartedAt || state.StartedAt === NEVER) {
    return {
      exitCode: null,
      outcome: 'lost',
      message: `the driver container never started${state.Error ? `: ${state.Error}` : ''}`,
      finishedAt,
    };
  }
  const code = state.ExitCode;
  if (state.OOMKilled) {
    const limit = memoryMiB !== undefined ? ` of ${memoryMiB} MiB` : '';
    return {
      exitCode: code,
      outcome: 'failed',
      message: `the driver ran out of memory (limit${limit}, driver.memory plus overhead): raise spec.driver.memory or spec.driver.memoryOverhead`,
      finishedAt,
    };
  }
  if (code === 0) return { exitCode: 0, outcome: 'succeeded', finishedAt };
  if (code === 137 || code === 143) {
    return {
      exitCode: code,
      outcome: 'killed',
      message: `the driver was stopped by ${code === 137 ? 'SIGKILL' : 'SIGTERM'}`,
      finishedAt,
    };
  }
  // No message: the job's message already says "driver exited with code N" (say it once).
  return { exitCode: code, outcome: 'failed', finishedAt };
}
