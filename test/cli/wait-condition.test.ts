import { describe, expect, it } from 'vitest';
import type { SparkJobStatus } from '../../src/api/status.js';
import { CliUsageError } from '../../src/cli/errors.js';
import { describeCondition, judge, parseWaitCondition } from '../../src/cli/wait-condition.js';

const status = (phase: SparkJobStatus['phase'], succeeded: 'True' | 'False' | 'Unknown'): SparkJobStatus => ({
  phase,
  conditions: [{ type: 'Succeeded', status: succeeded, reason: 'X', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }],
  submissionAttempts: 1,
  executionAttempts: 1,
});

describe('wait conditions', () => {
  it('parses condition=Type[=Status] and phase=Phase, case-insensitively', () => {
    expect(parseWaitCondition('condition=Succeeded')).toEqual({ kind: 'condition', type: 'Succeeded', status: 'True' });
    expect(parseWaitCondition('condition=stalled=false')).toEqual({ kind: 'condition', type: 'Stalled', status: 'False' });
    expect(parseWaitCondition('phase=failed')).toEqual({ kind: 'phase', phase: 'Failed' });
    expect(describeCondition(parseWaitCondition('condition=Stalled=False'))).toBe('condition=Stalled=False');
  });

  it.each(['ready', 'condition=Ready', 'phase=Done', 'phase=Failed=True', 'condition=Succeeded=Maybe', ''])(
    'rejects %j as a usage error',
    (text) => {
      expect(() => parseWaitCondition(text)).toThrow(CliUsageError);
    },
  );

  it('is met, still pending, or never met once the job is terminal', () => {
    const succeeded = parseWaitCondition('condition=Succeeded');
    expect(judge(status('Succeeded', 'True'), succeeded)).toBe('met');
    expect(judge(status('Running', 'Unknown'), succeeded)).toBe('pending');
    expect(judge(status('Retrying', 'Unknown'), succeeded)).toBe('pending');
    expect(judge(status('Suspended', 'Unknown'), succeeded)).toBe('pending');
    expect(judge(status('Failed', 'False'), succeeded)).toBe('never');
    expect(judge(status('Invalid', 'Unknown'), succeeded)).toBe('never');
    expect(judge(status('Failed', 'False'), parseWaitCondition('phase=Failed'))).toBe('met');
    expect(judge(status('Succeeded', 'True'), parseWaitCondition('phase=Failed'))).toBe('never');
    expect(judge({ ...status('Running', 'Unknown'), conditions: [] }, parseWaitCondition('condition=Succeeded=Unknown'))).toBe('met');
  });
});
