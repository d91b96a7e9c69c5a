import { describe, expect, it } from 'vitest';
import { runExitOf } from '../../../src/backends/mesos/map-task-state.js';

const status = (state: string, extra: Record<string, unknown> = {}) => ({
  task_id: { value: 't' },
  state,
  timestamp: 1704110400,
  ...extra,
});

describe('runExitOf', () => {
  it.each([
    ['TASK_FINISHED', {}, { outcome: 'succeeded', exitCode: 0 }],
    ['TASK_FAILED', { message: 'Container exited with status 3' }, { outcome: 'failed', exitCode: 3 }],
    [
      'TASK_FAILED',
      { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: 'Failed to launch container: no image' },
      { outcome: 'failed', exitCode: 1 },
    ],
    ['TASK_KILLED', {}, { outcome: 'killed', exitCode: null }],
    ['TASK_ERROR', { reason: 'REASON_TASK_INVALID' }, { outcome: 'failed', exitCode: null }],
    ['TASK_LOST', { reason: 'REASON_AGENT_REMOVED' }, { outcome: 'lost', exitCode: null }],
    ['TASK_DROPPED', {}, { outcome: 'lost', exitCode: null }],
    ['TASK_GONE', {}, { outcome: 'lost', exitCode: null }],
    ['TASK_UNREACHABLE', {}, { outcome: 'lost', exitCode: null }],
  ])('%s %o → %o', (state, extra, want) => {
    expect(runExitOf(status(state, extra))).toMatchObject({ ...want, finishedAt: '2024-01-01T12:00:00.000Z' });
  });

  it('keeps the reason and message of a lost task', () => {
    expect(runExitOf(status('TASK_LOST', { reason: 'REASON_AGENT_REMOVED', message: 'Agent gone' }))!.message).toBe(
      'Driver task lost (TASK_LOST: REASON_AGENT_REMOVED: Agent gone)',
    );
  });

  it.each(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'])('%s is still going', (state) => {
    expect(runExitOf(status(state))).toBeUndefined();
  });
});
