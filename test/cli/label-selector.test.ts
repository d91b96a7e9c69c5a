import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../../src/cli/errors.js';
import { matchesLabels, parseLabelSelector } from '../../src/cli/label-selector.js';

describe('label selectors', () => {
  it('parses =, ==, !=, exists and !exists', () => {
    expect(parseLabelSelector('team=geo, tier==batch,env!=prod,owner,!temp')).toEqual([
      { op: '=', key: 'team', value: 'geo' },
      { op: '=', key: 'tier', value: 'batch' },
      { op: '!=', key: 'env', value: 'prod' },
      { op: 'exists', key: 'owner' },
      { op: '!exists', key: 'temp' },
    ]);
    expect(parseLabelSelector('sparkctl.io/team=geo')).toEqual([{ op: '=', key: 'sparkctl.io/team', value: 'geo' }]);
  });

  it.each(['', 'a=b,,c=d', 'a=b c', 'bad key=x', '=x'])('rejects %j as a usage error', (text) => {
    expect(() => parseLabelSelector(text)).toThrow(CliUsageError);
  });

  it('matches every requirement', () => {
    const labels = { team: 'geo', tier: 'batch' };
    expect(matchesLabels(labels, parseLabelSelector('team=geo'))).toBe(true);
    expect(matchesLabels(labels, parseLabelSelector('team=geo,tier=web'))).toBe(false);
    expect(matchesLabels(labels, parseLabelSelector('env!=prod'))).toBe(true);
    expect(matchesLabels(labels, parseLabelSelector('tier!=batch'))).toBe(false);
    expect(matchesLabels(labels, parseLabelSelector('!tier'))).toBe(false);
    expect(matchesLabels(undefined, parseLabelSelector('!tier'))).toBe(true);
    expect(matchesLabels(undefined, parseLabelSelector('tier'))).toBe(false);
  });
});

describe('set-based label selectors', () => {
  it('in and notin match as kubectl: notin also matches jobs without the label', () => {
    const sel = parseLabelSelector('team in (geo, ml),tier notin (batch)');
    expect(sel).toEqual([
      { op: 'in', key: 'team', values: ['geo', 'ml'] },
      { op: 'notin', key: 'tier', values: ['batch'] },
    ]);
    expect(matchesLabels({ team: 'ml' }, sel)).toBe(true);
    expect(matchesLabels({ team: 'ml', tier: 'batch' }, sel)).toBe(false);
    expect(matchesLabels({ team: 'ads' }, sel)).toBe(false);
  });

  it('refuses malformed sets with a usage error naming the fix', () => {
    expect(() => parseLabelSelector('team in (geo')).toThrow(/without its '\)'/);
    expect(() => parseLabelSelector('team in ()')).toThrow(/needs at least one value/);
    expect(() => parseLabelSelector('team (geo)')).toThrow(/not a set requirement/);
  });
});
