import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/cli/unified-diff.js';

/** GNU diff -u's hunks for the same texts (its header lines carry times, so they are dropped). */
function gnuDiff(a: string, b: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'udiff-'));
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  try {
    execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
    return '';
  } catch (err) {
    return (err as { stdout: string }).stdout.split('\n').slice(2).join('\n');
  }
}

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => `${f(i)}\n`).join('');

describe('unifiedDiff', () => {
  const cases: Array<[string, string, string]> = [
    ['equal', 'a\nb\n', 'a\nb\n'],
    ['one change in the middle', lines(20, (i) => `line ${i}`), lines(20, (i) => (i === 10 ? 'changed' : `line ${i}`))],
    ['two far changes', lines(30, (i) => `l${i}`), lines(30, (i) => (i === 2 || i === 25 ? `x${i}` : `l${i}`))],
    ['added at the end', 'a\nb\n', 'a\nb\nc\nd\n'],
    ['added at the start', 'b\nc\n', 'a\nb\nc\n'],
    ['removed everything', 'a\nb\n', ''],
    ['from nothing', '', 'a\nb\n'],
  ];
  for (const [name, a, b] of cases) {
    it(`matches diff -u: ${name}`, () => {
      const ours = unifiedDiff(a, b, 'old', 'new');
      expect(ours === '' ? '' : ours.split('\n').slice(2).join('\n')).toBe(gnuDiff(a, b));
    });
  }
});
