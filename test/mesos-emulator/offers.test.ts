import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startMesosMaster, type JsonObject, type MesosMaster } from '../support/mesos-emulator/index.js';
import { firstOffer } from './launch-helpers.js';
import { session, type Session } from './scheduler-client.js';

let master: MesosMaster | undefined;
afterEach(async () => {
  await master?.close();
  master = undefined;
});

const offersAfter = (s: Session, from: number): number => s.sub.ofType('OFFERS').filter((e) => s.sub.events.indexOf(e) >= from).length;

describe('offers', () => {
  it('keeps a declined agent away for refuse_seconds, then offers it again', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.02 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const from = s.sub.events.length;
    const declinedAt = Date.now();
    expect((await s.call('DECLINE', { offer_ids: [offer.id!], filters: { refuse_seconds: 0.4 } })).status).toBe(202);
    const again = await firstOffer(s, from);
    expect(Date.now() - declinedAt).toBeGreaterThanOrEqual(380);
    expect(again.id).not.toEqual(offer.id);
    s.sub.close();
  });

  it('REVIVE clears filters; SUPPRESS stops offers until REVIVE', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.02 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    let from = s.sub.events.length;
    await s.call('DECLINE', { offer_ids: [offer.id!], filters: { refuse_seconds: 3600 } });
    await delay(200);
    expect(offersAfter(s, from)).toBe(0);
    from = s.sub.events.length;
    await s.call('REVIVE');
    const revived = await firstOffer(s, from);

    await s.call('SUPPRESS', {});
    await s.call('DECLINE', { offer_ids: [revived.id!], filters: { refuse_seconds: 0 } });
    from = s.sub.events.length;
    await delay(200);
    expect(offersAfter(s, from)).toBe(0);
    expect(s.sub.ofType('HEARTBEAT').length).toBeGreaterThan(0);
    await s.call('REVIVE', { roles: ['*'] });
    await firstOffer(s, from);
    s.sub.close();
  });

  it('renders resources per RESERVATION_REFINEMENT and honours static reservations for roles', async () => {
    master = await startMesosMaster({
      allocationIntervalSeconds: 0.02,
      agents: [{ cpus: 2, mem: 512, roles: ['spark'] }],
    });
    const plain = await session(master.url, { roles: ['other'], capabilities: [{ type: 'MULTI_ROLE' }] });
    const refined = await session(master.url, {
      roles: ['spark'],
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
    });
    const offer = await firstOffer(refined);
    expect(offer.allocation_info).toEqual({ role: 'spark' });
    const cpus = (offer.resources as JsonObject[]).find((r) => r.name === 'cpus');
    expect(cpus).toEqual({
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 2 },
      reservations: [{ type: 'STATIC', role: 'spark' }],
      allocation_info: { role: 'spark' },
    });
    expect(plain.sub.ofType('OFFERS')).toHaveLength(0);
    plain.sub.close();
    refined.sub.close();
  });

  it('uses the pre-refinement format with role "*" for unreserved resources', async () => {
    master = await startMesosMaster({
      allocationIntervalSeconds: 0.02,
      agents: [{ cpus: 1.5, mem: 300, disk: 100, ports: [[31000, 31009]] }],
    });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    expect(offer.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, role: '*', allocation_info: { role: '*' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 300 }, role: '*', allocation_info: { role: '*' } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 100 }, role: '*', allocation_info: { role: '*' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31009 }] }, role: '*', allocation_info: { role: '*' } },
    ]);
    s.sub.close();
  });

  it('rescinds offers left unanswered past offerTimeoutSeconds', async () => {
    master = await startMesosMaster({ allocationIntervalSeconds: 0.02, offerTimeoutSeconds: 0.1 });
    const s = await session(master.url);
    const offer = await firstOffer(s);
    const rescind = await s.sub.next((e) => e.type === 'RESCIND');
    expect(rescind.rescind).toEqual({ offer_id: offer.id });
    s.sub.close();
  });

  it('refuses FrameworkInfo problems with an ERROR event and the end of the stream', async () => {
    master = await startMesosMaster();
    const bad = await session(master.url, { roles: ['a'] }).catch((e: unknown) => e);
    expect(String(bad)).toMatch(/stream ended/);
    const sub = master.events().find((e) => e.type === 'ERROR');
    expect(sub).toEqual({
      type: 'ERROR',
      error: { message: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" },
    });
  });
});
