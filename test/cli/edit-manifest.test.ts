import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setManifestValue } from '../../src/cli/edit-manifest.js';
import { ManifestEditError } from '../../src/cli/errors.js';

const BASE = `# spark-pi: the classic
apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: spark-pi   # keep this name
  labels: {team: geo}
spec:
  image: sparkctl/spark-fake:test
  # the entry point
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  arguments:
    - "10"
  driver:
    cores: 1      # one core
    memory: 512m

# trailing comment
status:
  phase: Succeeded
`;

/** Asserts that `after` is `before` with exactly `inserted` put in at one place (and `removed` taken out there). */
function expectSplice(before: string, after: string, removed: string, inserted: string): void {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start += 1;
  const prefix = before.slice(0, start);
  expect(after.startsWith(prefix)).toBe(true);
  const tail = before.slice(start + removed.length);
  expect(before.slice(start, start + removed.length)).toBe(removed);
  expect(after).toBe(prefix + inserted + tail);
}

describe('setManifestValue', () => {
  it('adds spec.suspend after the last entry of spec, leaving every other byte alone', () => {
    const after = setManifestValue(BASE, ['spec', 'suspend'], true);
    expect(after).toBe(BASE.replace('    memory: 512m\n', '    memory: 512m\n  suspend: true\n'));
    expect((parse(after) as { spec: { suspend: boolean } }).spec.suspend).toBe(true);
  });

  it('replaces only the value bytes of an existing key, keeping its comment', () => {
    const text = BASE.replace('spec:\n', 'spec:\n  suspend: true   # paused for maintenance\n');
    const after = setManifestValue(text, ['spec', 'suspend'], false);
    expectSplice(text, after, 'true', 'false');
    expect(after).toContain('  suspend: false   # paused for maintenance\n');
  });

  it('fills a key with an empty value', () => {
    const text = BASE.replace('spec:\n', 'spec:\n  suspend:\n');
    expectSplice(text, setManifestValue(text, ['spec', 'suspend'], true), '', ' true');
  });

  it('adds metadata.annotations with the rerun key when metadata has none', () => {
    const after = setManifestValue(BASE, ['metadata', 'annotations', 'sparkctl.io/requestedAt'], '2025-01-02T03:04:05.000Z');
    expectSplice(BASE, after, '', '  annotations:\n    sparkctl.io/requestedAt: "2025-01-02T03:04:05.000Z"\n');
  });

  it('adds a key inside a flow mapping and into an empty {}', () => {
    const flow = BASE.replace('  labels: {team: geo}\n', '  labels: {team: geo}\n  annotations: {a: b}\n');
    expectSplice(flow, setManifestValue(flow, ['metadata', 'annotations', 'x/y'], 'v'), '', ', x/y: "v"');
    const empty = BASE.replace('  labels: {team: geo}\n', '  labels: {team: geo}\n  annotations: {}\n');
    expectSplice(empty, setManifestValue(empty, ['metadata', 'annotations', 'x/y'], 'v'), '', 'x/y: "v"');
  });

  it('updates an existing annotation, keeps CRLF line ends, and handles a file without a final newline', () => {
    const crlf = BASE.replace(/\n/g, '\r\n');
    const after = setManifestValue(crlf, ['spec', 'suspend'], true);
    expect(after).toBe(crlf.replace('    memory: 512m\r\n', '    memory: 512m\r\n  suspend: true\r\n'));
    const noNewline = 'apiVersion: v\nspec:\n  image: x';
    expect(setManifestValue(noNewline, ['spec', 'suspend'], true)).toBe('apiVersion: v\nspec:\n  image: x\n  suspend: true');
    const annotated = setManifestValue(BASE, ['metadata', 'annotations', 'k'], 'one');
    expectSplice(annotated, setManifestValue(annotated, ['metadata', 'annotations', 'k'], 'two'), 'one', 'two');
  });

  it('puts a new key before the blank lines that follow a block scalar', () => {
    const text = 'spec:\n  script: |\n    echo hi\n\n\nstatus: {}\n';
    expect(setManifestValue(text, ['spec', 'suspend'], true)).toBe('spec:\n  script: |\n    echo hi\n  suspend: true\n\n\nstatus: {}\n');
  });

  it('refuses what it cannot edit in place: not a mapping, a value that is a mapping, an alias', () => {
    expect(() => setManifestValue('- a\n- b\n', ['spec', 'suspend'], true)).toThrow(ManifestEditError);
    expect(() => setManifestValue('spec:\n  suspend:\n    x: 1\n', ['spec', 'suspend'], true)).toThrow(/holds a mapping/);
    expect(() => setManifestValue('spec: [1]\n', ['spec', 'suspend'], true)).toThrow(/not a mapping/);
    expect(() => setManifestValue('base: &b {suspend: false}\nspec: *b\n', ['spec', 'suspend'], true)).toThrow(ManifestEditError);
  });

  it('for any values: only spec.suspend changes, and the text outside the edit is byte-identical', () => {
    const scalar = fc.stringMatching(/^[a-z][a-z0-9 ]{0,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), scalar), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.option(fc.boolean()),
        (entries, value, existing) => {
          const unique = [...new Map(entries.filter(([k]) => k !== 'suspend')).entries()];
          if (unique.length === 0) return;
          const spec = unique.map(([k, v]) => `  ${k}: "${v}"   # ${k}\n`).join('') + (existing === null ? '' : `  suspend: ${existing}\n`);
          const text = `kind: SparkJob\nspec:\n${spec}# end\n`;
          const after = setManifestValue(text, ['spec', 'suspend'], value);
          const doc = parse(after) as { spec: Record<string, unknown> };
          expect(doc.spec.suspend).toBe(value);
          for (const [k, v] of unique) expect(doc.spec[k]).toBe(v);
          expect(after.startsWith('kind: SparkJob\nspec:\n')).toBe(true);
          expect(after.endsWith('# end\n')).toBe(true);
          expect(after.replace(/ {2}suspend: (true|false)\n/, '')).toBe(text.replace(/ {2}suspend: (true|false)\n/, ''));
        },
      ),
    );
  });
});
