import { describe, expect, it } from 'vitest';
import { ScheduledSparkJobSchema } from '../../src/api/scheduled-spark-job.js';
import { cronOf, dueTimes, planSchedule, type ScheduleView } from '../../src/schedules/plan-schedule.js';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const specOf = (schedule: string, timeZone: string) =>
  ScheduledSparkJobSchema.parse({
    apiVersion: 'sparkctl.io/v1alpha1',
    kind: 'ScheduledSparkJob',
    metadata: { name: 'dst' },
    spec: {
      schedule,
      timeZone,
      concurrencyPolicy: 'Allow',
      template: { image: 'i', mainApplicationFile: 'local:///a.jar', mainClass: 'A' },
    },
  }).spec;

/**
 * Drives planSchedule as the controller's timer does, on a fake clock: each tick happens at the
 * plan's nextScheduleTime (plus `lateMs`), and every run it starts is recorded as finished.
 */
function simulate(schedule: string, timeZone: string, from: string, to: string, lateMs = 0): string[] {
  let view: ScheduleView = { name: 'dst', spec: specOf(schedule, timeZone), createdAt: T(from), missedRuns: 0, active: [], history: [] };
  const started: string[] = [];
  let now = T(from);
  for (let i = 0; i < 1000 && now <= T(to); i++) {
    const plan = planSchedule(view, now);
    if (plan.start) {
      started.push(iso(plan.start.scheduledAt));
      view = { ...view, history: [...view.history, { name: plan.start.name, phase: 'Succeeded' }] };
    }
    view = {
      ...view,
      missedRuns: plan.missedRuns,
      ...(plan.lastScheduleTime !== undefined ? { lastScheduleTime: plan.lastScheduleTime } : {}),
    };
    if (plan.nextScheduleTime === undefined) break;
    now = plan.nextScheduleTime + lateMs;
  }
  return started;
}

describe('schedules across daylight saving changes (fake clock)', () => {
  it('spring forward in Berlin: a time that does not exist that night runs once, right after the jump', () => {
    const cron = cronOf({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin' });
    const { times } = dueTimes(cron, T('2026-03-27T12:00:00Z'), T('2026-03-31T12:00:00Z'));
    expect(times.map(iso)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST, the first moment after the jump
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(simulate('30 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', '2026-03-31T12:00:00Z')).toEqual(times.map(iso));
  });

  it('fall back in New York: 01:30 happens twice that night and runs once (the first)', () => {
    const started = simulate('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-03T12:00:00Z');
    expect(started).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
  });

  it('spring forward in New York with ticks a little late: one run a day, none doubled or lost', () => {
    const started = simulate('30 2 * * *', 'America/New_York', '2026-03-06T12:00:00Z', '2026-03-11T12:00:00Z', 250);
    expect(started).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
      '2026-03-11T06:30:00.000Z',
    ]);
  });

  it('an hourly schedule through fall back in Berlin runs every real hour once (the repeated hour is a new hour)', () => {
    const started = simulate('0 * * * *', 'Europe/Berlin', '2026-10-24T23:30:00Z', '2026-10-25T02:30:00Z');
    expect(started).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z']);
    expect(new Set(started).size).toBe(started.length);
  });
});
