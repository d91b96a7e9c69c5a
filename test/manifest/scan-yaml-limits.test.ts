import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseYamlBounded } from '../../src/manifest/parse-yaml-bounded.js';
import { MAX_DEPTH, MAX_YAML_ITEMS, MAX_YAML_TOKENS, scanYamlLimits } from '../../src/manifest/scan-yaml-limits.js';

type Kind = 'flowSeq' | 'flowMap' | 'blockMap' | 'blockSeq';
const sp = (n: number) => ' '.repeat(n);

/** Renders `kinds.length` nested collections (outermost first); once inside a flow collection everything stays flow. */
function render(kinds: readonly Kind[], sameIndentSeq: boolean, i = 0, indent = 0, inFlow = false): string {
  if (i === kinds.length) return 'x';
  let kind = kinds[i]!;
  if (inFlow && kind === 'blockMap') kind = 'flowMap';
  if (inFlow && kind === 'blockSeq') kind = 'flowSeq';
  if (kind === 'flowSeq') return `[${render(kinds, sameIndentSeq, i + 1, indent, true)}]`;
  if (kind === 'flowMap') return `{k: ${render(kinds, sameIndentSeq, i + 1, indent, true)}}`;
  if (kind === 'blockSeq') return `-\n${sp(indent + 2)}${render(kinds, sameIndentSeq, i + 1, indent + 2)}`;
  const child = sameIndentSeq && kinds[i + 1] === 'blockSeq' ? indent : indent + 2;
  return `k:\n${sp(child)}${render(kinds, sameIndentSeq, i + 1, child)}`;
}

describe('scanYamlLimits', () => {
  it.each([
    ['a flat manifest', 'a: 1\nb:\n  c: [1, {d: e}]\n  f:\n  - g: 1\n    h: |\n      - - - not nesting\n', undefined],
    [`${MAX_DEPTH} nested flow lists`, `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`, undefined],
    [`${MAX_DEPTH + 1} nested flow lists`, '['.repeat(MAX_DEPTH + 1), { offset: MAX_DEPTH }],
    ['900 KB of [', '['.repeat(900_000), { offset: MAX_DEPTH }],
    ['compact block lists', `${'- '.repeat(MAX_DEPTH + 1)}x`, { offset: 2 * MAX_DEPTH }],
    ['flow inside block mappings', `a:\n  b: ${'['.repeat(MAX_DEPTH - 1)}`, { offset: 8 + MAX_DEPTH - 2 }],
  ])('%s', (_what, text, expected) => {
    const breach = scanYamlLimits(text);
    if (expected === undefined) expect(breach).toBeUndefined();
    else
      expect(breach).toEqual({
        offset: expected.offset,
        message: expect.stringMatching(/^nesting deeper than 64 levels is not allowed: flatten/) as unknown,
      });
  });

  it('counts block nesting as the parser builds it: refused exactly when deeper than the limit (property)', () => {
    const kinds = fc.array(fc.constantFrom<Kind>('flowSeq', 'flowMap', 'blockMap', 'blockSeq'), { minLength: 1, maxLength: MAX_DEPTH + 8 });
    fc.assert(
      fc.property(kinds, fc.boolean(), (ks, same) => {
        const text = render(ks, same);
        const breach = scanYamlLimits(text);
        if (ks.length <= MAX_DEPTH) {
          expect(breach).toBeUndefined();
          expect(parseDocument(text).errors).toEqual([]);
        } else expect(breach?.message).toMatch(/nesting deeper than 64 levels/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses more items than the limit at the first one past it, and counts every token including layout', () => {
    const items = scanYamlLimits(`[${'0,'.repeat(MAX_YAML_ITEMS)}0]`);
    expect(items?.message).toMatch(/^more than 10000 YAML items/);
    expect(items?.offset).toBe(MAX_YAML_ITEMS);
    expect(scanYamlLimits(`[${'0,'.repeat(MAX_YAML_ITEMS / 2 - 10)}0]`)).toBeUndefined();
    expect(scanYamlLimits(`a: 1\n${'# c\n'.repeat(MAX_YAML_TOKENS)}`)?.message).toMatch(/^more than 60000 YAML tokens/);
    expect(scanYamlLimits(`a: |\n${'  line\n'.repeat(MAX_YAML_TOKENS)}`)?.message).toMatch(/^more than 60000 YAML tokens/);
    expect(scanYamlLimits(`a: |\n${'  line\n'.repeat(MAX_YAML_TOKENS / 2)}`)).toBeUndefined();
  });
});

describe('control characters', () => {
  it('refuses C0 control characters (the lexer uses three as markers, so they could hide nesting)', () => {
    const hidden = `${'['.repeat(40)}\x18${'['.repeat(40)}`;
    expect(scanYamlLimits(hidden)).toEqual({
      offset: 40,
      message: 'control character 0x18 is not allowed in YAML: remove it, or write it as the escape "\\x18" in a double-quoted string',
    });
    expect(scanYamlLimits('a: "x\\x18y"\nb: "\t"\r\n')).toBeUndefined();
  });
});

describe('parseYamlBounded: the limits checked on the one lexer pass the parse uses', () => {
  const breachOf = (text: string) => {
    const parsed = parseYamlBounded(text);
    return parsed.ok ? undefined : parsed.breach;
  };

  it('refuses exactly what the whole-text scan refuses, at the same offset and with the same message (property)', () => {
    const kinds = fc.array(fc.constantFrom<Kind>('flowSeq', 'flowMap', 'blockMap', 'blockSeq'), { minLength: 1, maxLength: MAX_DEPTH + 8 });
    fc.assert(
      fc.property(kinds, fc.boolean(), fc.constantFrom('', 'a: 1\n---\n', 'x: "\x18"\n', 'k: \x07\n'), (ks, same, prefix) => {
        const text = prefix + render(ks, same);
        expect(breachOf(text)).toEqual(scanYamlLimits(text));
      }),
      { numRuns: 300 },
    );
    for (const text of [
      `[${'0,'.repeat(MAX_YAML_ITEMS)}0]`,
      `a: 1\n${'# c\n'.repeat(MAX_YAML_TOKENS)}`,
      `a: "${'x'.repeat(4 * MAX_YAML_TOKENS)}"`,
      '['.repeat(900_000),
    ]) {
      expect(breachOf(text)).toEqual(scanYamlLimits(text));
      expect(breachOf(text)).toBeDefined();
    }
  });

  it('parses what is within the limits as yaml does: same documents, same errors', () => {
    const text = 'a: 1\nb: [1, {c: d}]\na: 2\n---\ne: f\n';
    const parsed = parseYamlBounded(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.docs.map((d) => d.toJS() as unknown)).toEqual([{ a: 2, b: [1, { c: 'd' }] }, { e: 'f' }]);
    expect(parsed.docs[0]!.errors.map((e) => e.code)).toEqual(['DUPLICATE_KEY']);
    expect(parsed.lineCounter.linePos(text.indexOf('e: f'))).toEqual({ line: 5, col: 1 });
  });
});
