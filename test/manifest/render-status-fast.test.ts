import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderStatusBlockFast } from '../../src/manifest/render-status-fast.js';
import { generatedStatus } from './manifest-arbitraries.js';

/** What renderStatusBlock wrote before the direct renderer: yaml's stringify with its options. */
const viaYaml = (plain: unknown, indent: number) =>
  stringify({ status: plain }, { indent: 2, lineWidth: 0, minContentWidth: 0, version: '1.2', blockQuote: false })
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(indent) + l))
    .join('\n') + '\n';

/** Strings that sit on every edge of plain and quoted YAML scalars. */
const edgy = fc.oneof(
  fc.constantFrom(
    'True',
    'false',
    'NULL',
    '~',
    '',
    ' ',
    '1',
    '-1',
    '+1',
    '0x1F',
    '0o17',
    '1e5',
    '123e4567',
    '.5',
    '1.',
    '.inf',
    '-.Inf',
    '.NaN',
    'a: b',
    'a:b',
    'a #b',
    'a#b',
    'ends:',
    'ends ',
    ' starts',
    '- item',
    '? key',
    '[x]',
    '{x}',
    'x, y',
    '&a',
    '*a',
    '!tag',
    '|',
    '>',
    "it's",
    'say "hi"',
    'back\\slash',
    '%x',
    '@x',
    '`x',
    'a\tb',
    'line\nbreak',
    '2025-01-02T03:04:05.000Z',
    '(1/4) x=y',
    'é',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    edgy,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom('phase', 'a', 'b2'), fc.string({ maxLength: 4 })), tie('v'), { maxKeys: 3 }),
  ),
})).v;

const check = (plain: unknown, indent: number) => {
  const fast = renderStatusBlockFast(plain, indent, '\n');
  if (fast === undefined) return false;
  expect(parse(fast, { version: '1.2' })).toEqual({ status: plain });
  return true;
};

describe('renderStatusBlockFast', () => {
  it('writes what yaml writes for the statuses the controller writes', () => {
    const status = {
      phase: 'Suspended',
      observedSpecHash: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      conditions: [
        {
          type: 'Reconciling',
          status: 'False',
          reason: 'Suspended',
          message: 'spec.suspend is true',
          lastTransitionTime: '2025-01-02T03:04:05.000Z',
        },
        { type: 'Succeeded', status: 'Unknown', reason: 'Suspended', message: '', lastTransitionTime: '2025-01-02T03:04:05.000Z' },
      ],
      submissionAttempts: 0,
      executionAttempts: 0,
      driver: { backend: 'docker', containerName: 'sparkctl-0a1b2c3d4e-job-1-attempt-1' },
      exitCode: 0,
      results: { outputs: [], cached: false },
      message: 'Suspended (spec.suspend: true)',
    };
    for (const indent of [0, 2]) expect(renderStatusBlockFast(status, indent, '\n')).toBe(viaYaml(status, indent));
  });

  it('takes real statuses, and each reads back as the status (property)', () => {
    let direct = 0;
    fc.assert(
      fc.property(generatedStatus, fc.constantFrom(0, 2), (status, indent) => {
        if (check(JSON.parse(JSON.stringify(status)), indent)) direct += 1;
      }),
      { numRuns: 500 },
    );
    // Most statuses take the direct path (else it would gain nothing).
    expect(direct).toBeGreaterThan(100);
  });

  it('reads back as any value it takes, or declines (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('phase', 'message', 'conditions', 'x'), value, { maxKeys: 4 }), (plain) => {
        check(JSON.parse(JSON.stringify(plain)), 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('declines what it cannot write exactly, and quotes what would read back otherwise', () => {
    expect(renderStatusBlockFast({ a: 'True', b: '1e5', c: 'a: b', d: 'x #y', e: '---', f: 'line\nbreak' }, 0, '\n')).toBe(
      'status:\n  a: "True"\n  b: "1e5"\n  c: "a: b"\n  d: "x #y"\n  e: "---"\n  f: "line\\nbreak"\n',
    );
    for (const v of ['é', 'zero\u2028width', 1.5, 2 ** 60]) expect(renderStatusBlockFast({ message: v }, 0, '\n')).toBeUndefined();
    expect(renderStatusBlockFast({ 'a b': 1 }, 0, '\n')).toBeUndefined();
    expect(renderStatusBlockFast({ a: [[1]] }, 0, '\n')).toBeUndefined();
  });
});
