import { describe, expect, it } from 'vitest';
import { describeOffer, matchOffer, parseConstraints } from '../../../src/backends/mesos/match-offer.js';
import { offer } from './fixtures.js';

const want = { cpus: 1, memMiB: 1408, role: '*', constraints: [] };

describe('parseConstraints', () => {
  it('reads Spark syntax: attr:value;attr2:v1,v2;attr3', () => {
    expect(parseConstraints('rack:r1; zone:us-east-1a,us-east-1b;gpu')).toEqual([
      { attribute: 'rack', values: ['r1'] },
      { attribute: 'zone', values: ['us-east-1a', 'us-east-1b'] },
      { attribute: 'gpu', values: [] },
    ]);
  });

  it('treats undefined and blank as no constraint', () => {
    expect(parseConstraints(undefined)).toEqual([]);
    expect(parseConstraints('  ')).toEqual([]);
  });
});

describe('matchOffer', () => {
  it('fits an offer with enough cpus and mem in the role', () => {
    expect(matchOffer(offer({ cpus: 1, mem: 1408 }), want)).toEqual({ fits: true });
  });

  it('says which resource is short', () => {
    const m = matchOffer(offer({ cpus: 0.5, mem: 1024 }), want);
    expect(m).toEqual({ fits: false, reasons: ['cpus 0.5 < 1', 'mem 1024 MiB < 1408 MiB'] });
  });

  it('sums split resources (unreserved plus reserved cpus)', () => {
    const o = offer({ cpus: 0.5, role: 'spark' });
    const extra = {
      name: 'cpus',
      type: 'SCALAR' as const,
      scalar: { value: 0.5 },
      role: 'spark',
      reservation: { principal: 'p' },
      allocation_info: { role: 'spark' },
    };
    expect(matchOffer({ ...o, resources: [...o.resources!, extra] }, { ...want, role: 'spark' })).toEqual({ fits: true });
  });

  it('refuses an offer allocated to another role', () => {
    expect(matchOffer(offer({ role: 'other' }), { ...want, role: 'spark' })).toEqual({ fits: false, reasons: ['role other is not spark'] });
  });

  it('applies text constraints (any listed value) and presence constraints', () => {
    const o = offer({ attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r2' } }] });
    expect(matchOffer(o, { ...want, constraints: parseConstraints('rack:r1,r2') }).fits).toBe(true);
    expect(matchOffer(o, { ...want, constraints: parseConstraints('rack') }).fits).toBe(true);
    expect(matchOffer(o, { ...want, constraints: parseConstraints('rack:r1') })).toEqual({
      fits: false,
      reasons: ['attribute rack=r2 does not match r1'],
    });
    expect(matchOffer(o, { ...want, constraints: parseConstraints('zone:a') })).toEqual({
      fits: false,
      reasons: ['attribute zone missing'],
    });
  });

  it('applies scalar (offered ≥ required), range (contains) and set (superset) constraints as Spark does', () => {
    const o = offer({
      attributes: [
        { name: 'level', type: 'SCALAR', scalar: { value: 3 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 10, end: 20 }] } },
        { name: 'tags', type: 'SET', set: { item: ['a', 'b', 'c'] } },
      ],
    });
    expect(matchOffer(o, { ...want, constraints: parseConstraints('level:2;ports:15;tags:a,c') }).fits).toBe(true);
    expect(matchOffer(o, { ...want, constraints: parseConstraints('level:4') }).fits).toBe(false);
    expect(matchOffer(o, { ...want, constraints: parseConstraints('ports:21') }).fits).toBe(false);
    expect(matchOffer(o, { ...want, constraints: parseConstraints('tags:a,d') }).fits).toBe(false);
  });

  it('describes an offer for progress messages', () => {
    expect(describeOffer(offer({ cpus: 2, mem: 512, attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }] }))).toBe(
      'agent-1 (role *, cpus 2, mem 512 MiB, rack:r1)',
    );
  });
});
