import { Cron } from 'croner';
import { runName, type ScheduledRunRecord, type ScheduledSparkJobSpec } from '../api/scheduled-spark-job.js';

/** Most scheduled times enumerated between two plans; past it only the latest is looked up (missed runs count up to here). */
const MAX_DUE_TIMES = 10_000;

/** What a schedule knows when it is planned: its spec, what it last did, and its runs. */
export interface ScheduleView {
  readonly name: string;
  readonly spec: ScheduledSparkJobSpec;
  /** When the schedule was first seen (epoch ms): nothing before it is ever due. */
  readonly createdAt: number;
  /** The scheduled time last handled (started or counted as missed), epoch ms. */
  readonly lastScheduleTime?: number;
  readonly missedRuns: number;
  /** Runs started and not finished, by name. */
  readonly active: readonly string[];
  /** Finished runs, oldest first. */
  readonly history: readonly ScheduledRunRecord[];
}

/** What to do now; applying it twice changes nothing (a run's name is its scheduled time). */
export interface SchedulePlan {
  /** The run to start now, named `<schedule>-<unix seconds>`. */
  readonly start?: { readonly name: string; readonly scheduledAt: number };
  /** Active runs to release first (concurrencyPolicy Replace). */
  readonly stop: readonly string[];
  /** Scheduled times passed over now: older ones, or the latest when a deadline, Forbid or suspend refused it. */
  readonly skipped: number;
  readonly missedRuns: number;
  readonly lastScheduleTime?: number;
  readonly nextScheduleTime?: number;
  /** Finished runs kept, oldest first, within the history limits. */
  readonly history: readonly ScheduledRunRecord[];
  /** Finished runs beyond the limits: released and forgotten. */
  readonly forget: readonly string[];
  /** A note for the status when something was refused. */
  readonly message?: string;
}

/** The cron of a spec, evaluated in its time zone; never started (sparkctl arms its own timers). */
export function cronOf(spec: Pick<ScheduledSparkJobSpec, 'schedule' | 'timeZone'>): Cron {
  return new Cron(spec.schedule, { timezone: spec.timeZone, paused: true });
}

/**
 * The scheduled times after `from` up to and including `now` (epoch ms), oldest first, and how
 * many there were (counted up to MAX_DUE_TIMES + 1: a schedule asleep for ages costs no more).
 */
export function dueTimes(cron: Cron, from: number, now: number): { times: number[]; total: number } {
  const times: number[] = [];
  let cursor = new Date(from);
  for (;;) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > now) break;
    times.push(next.getTime());
    if (times.length >= MAX_DUE_TIMES) {
      const last = cron.previousRuns(1, new Date(now + 1))[0]?.getTime();
      if (last !== undefined && last > next.getTime()) times.push(last);
      break;
    }
    cursor = next;
  }
  return { times, total: times.length };
}

/** Keeps the newest `successful` Succeeded and `failed` Failed runs; returns what is kept (oldest first) and what goes. */
export function pruneHistory(
  history: readonly ScheduledRunRecord[],
  successful: number,
  failed: number,
): { kept: ScheduledRunRecord[]; forget: string[] } {
  const keep = new Set<string>();
  let s = 0;
  let f = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i]!;
    if (run.phase === 'Succeeded' ? s++ < successful : f++ < failed) keep.add(run.name);
  }
  return { kept: history.filter((r) => keep.has(r.name)), forget: history.filter((r) => !keep.has(r.name)).map((r) => r.name) };
}

/**
 * Decides what a schedule does at `now` (epoch ms), as Kubernetes CronJob does: only the latest
 * due time may start a run, older ones are counted missed; a run later than
 * `startingDeadlineSeconds` is skipped; `Forbid` skips while a run is active, `Replace` stops it,
 * `Allow` runs beside it; a suspended schedule starts nothing and counts what it passes over.
 */
export function planSchedule(view: ScheduleView, now: number): SchedulePlan {
  const { spec } = view;
  const cron = cronOf(spec);
  const from = view.lastScheduleTime ?? view.createdAt;
  const { times, total } = dueTimes(cron, from, now);
  const nextScheduleTime = cron.nextRun(new Date(now))?.getTime();
  const { kept, forget } = pruneHistory(view.history, spec.successfulRunHistoryLimit, spec.failedRunHistoryLimit);
  const base = { stop: [] as string[], history: kept, forget, ...(nextScheduleTime !== undefined ? { nextScheduleTime } : {}) };
  const latest = times.at(-1);
  if (latest === undefined) {
    return {
      ...base,
      skipped: 0,
      missedRuns: view.missedRuns,
      ...(view.lastScheduleTime !== undefined ? { lastScheduleTime: view.lastScheduleTime } : {}),
    };
  }
  const older = total - 1;
  const passOver = (message: string): SchedulePlan => ({
    ...base,
    skipped: older + 1,
    missedRuns: view.missedRuns + older + 1,
    lastScheduleTime: latest,
    message,
  });
  if (spec.suspend) return passOver('suspended: spec.suspend is true');
  if (spec.startingDeadlineSeconds !== undefined && now - latest > spec.startingDeadlineSeconds * 1000) {
    return passOver(
      `the run of ${new Date(latest).toISOString()} was not started within startingDeadlineSeconds (${spec.startingDeadlineSeconds}s)`,
    );
  }
  const name = runName(view.name, latest);
  const known = view.active.includes(name) || view.history.some((r) => r.name === name);
  const counted = { skipped: older, missedRuns: view.missedRuns + older, lastScheduleTime: latest };
  if (known) return { ...base, ...counted };
  if (view.active.length > 0 && spec.concurrencyPolicy === 'Forbid') {
    return passOver(
      `the run of ${new Date(latest).toISOString()} was skipped: ${view.active.join(', ')} still runs (concurrencyPolicy: Forbid)`,
    );
  }
  const stop = view.active.length > 0 && spec.concurrencyPolicy === 'Replace' ? [...view.active] : [];
  return { ...base, ...counted, stop, start: { name, scheduledAt: latest } };
}
