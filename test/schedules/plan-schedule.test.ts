import { describe, expect, it } from 'vitest';
import { ScheduledSparkJobSchema, type ScheduledRunRecord } from '../../src/api/scheduled-spark-job.js';
import { cronOf, dueTimes, planSchedule, pruneHistory, type ScheduleView } from '../../src/schedules/plan-schedule.js';

const T = (iso: string) => Date.parse(iso);
const template = {
  image: 'sparkctl/spark-fake:test',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
  mainClass: 'org.apache.spark.examples.SparkPi',
};

const manifest = (spec: Record<string, unknown>) => ({
  apiVersion: 'sparkctl.io/v1alpha1',
  kind: 'ScheduledSparkJob',
  metadata: { name: 'nightly-pi' },
  spec: { schedule: '0 2 * * *', template, ...spec },
});

const view = (spec: Record<string, unknown>, state: Partial<Omit<ScheduleView, 'spec' | 'name'>> = {}): ScheduleView => ({
  name: 'nightly-pi',
  spec: ScheduledSparkJobSchema.parse(manifest(spec)).spec,
  createdAt: T('2026-11-01T00:00:00Z'),
  missedRuns: 0,
  active: [],
  history: [],
  ...state,
});

describe('ScheduledSparkJob schema', () => {
  it('takes 5 fields, 6 with seconds first, and the @ nicknames; applies the defaults', () => {
    for (const schedule of ['0 2 * * *', '*/10 * * * * *', '@hourly', '@daily', '@weekly', '@monthly', '@yearly']) {
      expect(ScheduledSparkJobSchema.safeParse(manifest({ schedule })).success, schedule).toBe(true);
    }
    const spec = ScheduledSparkJobSchema.parse(manifest({})).spec;
    expect(spec).toMatchObject({
      timeZone: 'UTC',
      concurrencyPolicy: 'Forbid',
      successfulRunHistoryLimit: 3,
      failedRunHistoryLimit: 1,
      suspend: false,
    });
    expect(spec.template.sparkHome).toBe('/opt/spark');
  });

  it.each([
    ['schedule', { schedule: '61 * * * *' }, /schedule is not a valid cron expression/],
    ['schedule', { schedule: '* * *' }, /5 fields .* or 6 with seconds first/],
    ['timeZone', { timeZone: 'Mars/Olympus' }, /IANA time zone/],
    ['concurrencyPolicy', { concurrencyPolicy: 'Sometimes' }, /Allow|Forbid|Replace/],
    ['mainApplicationFile', { template: { image: 'x' } }, /expected string/],
  ])('refuses a bad %s, naming the field', (field, spec, message) => {
    const res = ScheduledSparkJobSchema.safeParse(manifest(spec));
    expect(res.success).toBe(false);
    const issue = res.error!.issues.find((i) => i.path.includes(field));
    expect(issue?.message ?? JSON.stringify(res.error!.issues)).toMatch(message);
  });

  it('keeps room in the name for -<unix time>: at most 52 characters', () => {
    const long = { ...manifest({}), metadata: { name: 'a'.repeat(53) } };
    expect(ScheduledSparkJobSchema.safeParse(long).error?.issues[0]?.message).toMatch(/at most 52 characters/);
  });
});

describe('dueTimes', () => {
  it('evaluates the schedule in its time zone, across a daylight saving change', () => {
    const cron = cronOf({ schedule: '0 2 * * *', timeZone: 'Europe/Berlin' });
    const { times } = dueTimes(cron, T('2026-10-23T12:00:00Z'), T('2026-10-27T12:00:00Z'));
    // 02:00 in Berlin is 00:00Z under CEST and 01:00Z under CET. On 25 October 2026 the clocks go
    // back at 03:00, so 02:00 happens twice: the run fires once, on the first (still CEST).
    expect(times.map((t) => new Date(t).toISOString())).toEqual([
      '2026-10-24T00:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
      '2026-10-27T01:00:00.000Z',
    ]);
  });

  it('bounds the work for a schedule asleep for ages and still finds the latest time', () => {
    const cron = cronOf({ schedule: '* * * * * *', timeZone: 'UTC' });
    const now = T('2026-12-01T00:00:00Z');
    const { times, total } = dueTimes(cron, now - 30 * 86_400_000, now);
    expect(total).toBeLessThanOrEqual(10_001);
    expect(times.at(-1)).toBe(now);
  });
});

describe('planSchedule', () => {
  const now = T('2026-12-01T02:00:30Z');

  it('starts the latest due run, named <name>-<unix time>, and reports the next time', () => {
    const plan = planSchedule(view({}, { lastScheduleTime: T('2026-11-30T02:00:00Z') }), now);
    expect(plan.start).toEqual({ name: `nightly-pi-${T('2026-12-01T02:00:00Z') / 1000}`, scheduledAt: T('2026-12-01T02:00:00Z') });
    expect(plan.skipped).toBe(0);
    expect(plan.lastScheduleTime).toBe(T('2026-12-01T02:00:00Z'));
    expect(plan.nextScheduleTime).toBe(T('2026-12-02T02:00:00Z'));
  });

  it('runs only the latest of several missed times and counts the others', () => {
    const plan = planSchedule(view({}, { lastScheduleTime: T('2026-11-27T02:00:00Z'), missedRuns: 1 }), now);
    expect(plan.start?.scheduledAt).toBe(T('2026-12-01T02:00:00Z'));
    expect(plan.skipped).toBe(3);
    expect(plan.missedRuns).toBe(4);
  });

  it('nothing is due before the first time after the schedule was created', () => {
    const plan = planSchedule(view({}, { createdAt: T('2026-12-01T02:00:10Z') }), now);
    expect(plan.start).toBeUndefined();
    expect(plan.lastScheduleTime).toBeUndefined();
  });

  it('skips a run later than startingDeadlineSeconds and counts it', () => {
    const late = T('2026-12-01T02:06:00Z');
    const plan = planSchedule(view({ startingDeadlineSeconds: 300 }, { lastScheduleTime: T('2026-11-30T02:00:00Z') }), late);
    expect(plan.start).toBeUndefined();
    expect(plan.skipped).toBe(1);
    expect(plan.lastScheduleTime).toBe(T('2026-12-01T02:00:00Z'));
    expect(plan.message).toMatch(/startingDeadlineSeconds \(300s\)/);
    expect(planSchedule(view({ startingDeadlineSeconds: 600 }, { lastScheduleTime: T('2026-11-30T02:00:00Z') }), late).start).toBeDefined();
  });

  it.each([
    ['Forbid', undefined, []],
    ['Replace', 'start', ['nightly-pi-1764468000']],
    ['Allow', 'start', []],
  ] as const)('concurrencyPolicy %s while a run is active', (policy, starts, stops) => {
    const plan = planSchedule(
      view({ concurrencyPolicy: policy }, { lastScheduleTime: T('2026-11-30T02:00:00Z'), active: ['nightly-pi-1764468000'] }),
      now,
    );
    expect(plan.start !== undefined ? 'start' : undefined).toBe(starts);
    expect(plan.stop).toEqual(stops);
    if (policy === 'Forbid') expect(plan.message).toMatch(/still runs \(concurrencyPolicy: Forbid\)/);
  });

  it('a suspended schedule starts nothing and counts what it passes over (no catch-up on resume)', () => {
    const plan = planSchedule(view({ suspend: true }, { lastScheduleTime: T('2026-11-29T02:00:00Z') }), now);
    expect(plan.start).toBeUndefined();
    expect(plan.skipped).toBe(2);
    const resumed = planSchedule(view({}, { lastScheduleTime: plan.lastScheduleTime! }), now + 60_000);
    expect(resumed.start).toBeUndefined();
  });

  it('is idempotent: a run already started or finished for that time is not started again', () => {
    const name = `nightly-pi-${T('2026-12-01T02:00:00Z') / 1000}`;
    expect(planSchedule(view({}, { lastScheduleTime: T('2026-11-30T02:00:00Z'), active: [name] }), now).start).toBeUndefined();
    const finished: ScheduledRunRecord = { name, phase: 'Succeeded' };
    expect(planSchedule(view({}, { lastScheduleTime: T('2026-11-30T02:00:00Z'), history: [finished] }), now).start).toBeUndefined();
  });

  it('keeps the newest successful and failed runs within the limits and forgets the rest', () => {
    const history: ScheduledRunRecord[] = [
      { name: 'a-1', phase: 'Succeeded' },
      { name: 'a-2', phase: 'Failed' },
      { name: 'a-3', phase: 'Succeeded' },
      { name: 'a-4', phase: 'Failed' },
      { name: 'a-5', phase: 'Succeeded' },
    ];
    expect(pruneHistory(history, 2, 1)).toEqual({ kept: [history[2], history[3], history[4]], forget: ['a-1', 'a-2'] });
    const plan = planSchedule(view({ successfulRunHistoryLimit: 0, failedRunHistoryLimit: 0 }, { history }), now);
    expect(plan.forget).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
  });
});
