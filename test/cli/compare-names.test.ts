import { describe, expect, it } from 'vitest';
import { compareNames } from '../../src/cli/compare-names.js';

describe('compareNames', () => {
  it('orders plain names exactly as localeCompare does', () => {
    // Random names over the plain alphabet, with the prefixes and hyphen placements that could disagree.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = 'abz019-';
    const names = ['', '-', 'a', 'a-', 'a-b', 'ab', 'a0', 'a9', 'job-1', 'job-10', 'job-9', 'job1', 'jobs', 'job--1'];
    for (let i = 0; i < 400; i++)
      names.push(Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    const sign = (n: number) => Math.sign(n);
    for (const a of names) for (const b of names) expect([a, b, sign(compareNames(a, b))]).toEqual([a, b, sign(a.localeCompare(b))]);
  });

  it('falls back to localeCompare for any other name', () => {
    for (const [a, b] of [
      ['B', 'a'],
      ['a_b', 'a0'],
      ['a.b', 'a-c'],
      ['é', 'f'],
    ] as const)
      expect(sign(compareNames(a, b))).toBe(sign(a.localeCompare(b)));
    function sign(n: number) {
      return Math.sign(n);
    }
  });
});
