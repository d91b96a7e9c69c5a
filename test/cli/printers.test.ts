import { describe, expect, it } from 'vitest';
import { colourEnabled, paint, phaseColour } from '../../src/cli/printers/colour.js';
import { formatAge, formatDuration } from '../../src/cli/printers/format-age.js';
import { renderTable } from '../../src/cli/printers/table.js';

describe('renderTable', () => {
  it('pads columns to the widest cell plus three spaces, without borders or trailing spaces', () => {
    const out = renderTable(
      ['NAME', 'PHASE', 'MESSAGE'],
      [
        ['spark-pi', 'Running', 'Driver running'],
        ['a', 'Failed', ''],
      ],
    );
    expect(out).toBe(
      'NAME       PHASE     MESSAGE\nspark-pi   Running   Driver running\na          Failed    \n'.replace('Failed    \n', 'Failed    \n'),
    );
    expect(out.split('\n')[0]).toBe('NAME       PHASE     MESSAGE');
  });

  it('keeps a cell on one line and styles padded cells without changing widths', () => {
    const out = renderTable(['A', 'B'], [['x\ny', 'z']], (_r, c, padded) => (c === 0 ? `<${padded}>` : padded));
    expect(out).toBe('A     B\n<x y   >z\n');
  });

  it('counts a character outside the BMP (two UTF-16 units) as one column, and a lone surrogate as one', () => {
    const out = renderTable(
      ['NAME', 'B'],
      [
        ['\u{1F680}job', '1'],
        ['\uD800x', '2'],
        ['plain', '3'],
      ],
    );
    expect(out).toBe('NAME    B\n\u{1F680}job    1\n\uD800x      2\nplain   3\n');
  });
});

describe('formatDuration / formatAge', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3_599_000, '59m'],
    [3_600_000, '1h'],
    [86_399_000, '23h'],
    [86_400_000, '1d'],
    [364 * 86_400_000, '364d'],
    [800 * 86_400_000, '2y'],
    [-500, '0s'],
    [-5000, '<invalid>'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('measures from an ISO time and says <unknown> without one', () => {
    const now = new Date('2025-01-01T01:00:00Z');
    expect(formatAge('2025-01-01T00:55:00Z', now)).toBe('5m');
    expect(formatAge(undefined, now)).toBe('<unknown>');
    expect(formatAge('not a time', now)).toBe('<unknown>');
  });
});

describe('colour', () => {
  it('is on only for a terminal, off with NO_COLOR, forced with FORCE_COLOR', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('paints phases: green done, red failed', () => {
    expect(paint('Succeeded', phaseColour('Succeeded'), true)).toBe('\u001b[32mSucceeded\u001b[0m');
    expect(paint('Failed', phaseColour('Failed'), true)).toBe('\u001b[31mFailed\u001b[0m');
    expect(paint('Failed', phaseColour('Failed'), false)).toBe('Failed');
  });
});
