import { describe, expect, it } from 'vitest';
import { evaluate, parseJsonPath } from '../../src/cli/json-path.js';

const job = {
  metadata: { name: 'pi', annotations: { 'sparkctl.io/requestedAt': 't1' } },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Succeeded', status: 'False' },
      { type: 'Stalled', status: 'True', reason: 'X' },
    ],
    executionAttempts: 2,
  },
};

describe('parseJsonPath and evaluate', () => {
  it('selects fields, indexes, quoted keys and filtered list items', () => {
    expect(evaluate(parseJsonPath('{.status.phase}'), job)).toEqual(['Running']);
    expect(evaluate(parseJsonPath('.status.executionAttempts'), job)).toEqual([2]);
    expect(evaluate(parseJsonPath('{$.status.conditions[1].reason}'), job)).toEqual(['X']);
    expect(evaluate(parseJsonPath("{.metadata.annotations['sparkctl.io/requestedAt']}"), job)).toEqual(['t1']);
    expect(evaluate(parseJsonPath('{.status.conditions[?(@.type=="Stalled")].status}'), job)).toEqual(['True']);
    expect(evaluate(parseJsonPath('{.status.conditions[*].type}'), job)).toEqual(['Succeeded', 'Stalled']);
    expect(evaluate(parseJsonPath('{.status.nothing}'), job)).toEqual([]);
  });

  it('refuses what it cannot read, naming the path', () => {
    expect(() => parseJsonPath('{.status.phase')).toThrow(/jsonpath \{\.status\.phase: unclosed/);
    expect(() => parseJsonPath('{.status..phase}')).toThrow(/cannot read/);
  });
});
