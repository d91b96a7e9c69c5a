import { describe, expect, it } from 'vitest';
import { syntheticStatus } from '../../src/cli/find-job.js';
import { duplicateNameStatus } from '../../src/manifest/check-unique-names.js';
import { invalidStatus } from '../../src/manifest/invalid-status.js';
import { looseName, looseStatus } from '../../src/manifest/loose-identity.js';
import { issuesText } from '../../src/manifest/manifest-issue.js';

describe('the identity of a manifest that does not validate', () => {
  it.each([
    [{ metadata: { name: 'job-a' } }, 'job-a'],
    [{ metadata: { name: 'Job-A' } }, undefined],
    [{ metadata: { name: '-a' } }, undefined],
    [{ metadata: { name: 'a'.repeat(64) } }, undefined],
    [{ metadata: { name: 7 } }, undefined],
    [{ metadata: null }, undefined],
    ['text', undefined],
    [null, undefined],
  ])('looseName(%j) is %s', (value, want) => {
    expect(looseName(value)).toBe(want);
  });

  it('looseStatus takes the status mapping only', () => {
    expect(looseStatus({ status: { phase: 'Invalid', message: 'm' } })).toEqual({ phase: 'Invalid', message: 'm' });
    expect(looseStatus({ status: 'Invalid' })).toBeUndefined();
  });

  it('the CLI shows a never-run invalid file with the same status the controller writes', () => {
    const issues = [
      { file: 'a.yaml', line: 6, col: 3, path: 'spec.driver.cores', message: 'expected a number' },
      { file: 'a.yaml', line: 1, col: 1, path: '', message: 'apiVersion is missing' },
    ];
    const strip = (s: ReturnType<typeof invalidStatus>) => ({
      ...s,
      conditions: s.conditions.map((c) => ({ ...c, lastTransitionTime: '' })),
    });
    expect(strip(syntheticStatus(issues))).toEqual(strip(invalidStatus('spec.driver.cores: expected a number; apiVersion is missing')));
    expect(issuesText(issues)).toBe('spec.driver.cores: expected a number; apiVersion is missing');
    const dup = syntheticStatus(undefined, duplicateNameStatus('a', 'b.yaml'));
    expect(dup.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Stalled=True/InvalidSpec',
      'Reconciling=False/Invalid',
    ]);
    expect(dup.message).toBe('metadata.name: a is already used by b.yaml; names must be unique in the jobs folder');
  });
});
