import { escapeLines } from '../escape-text.js';
import type { CliContext } from './cli-context.js';
import { CliUsageError, type JobNotFoundError } from './errors.js';
import { readJobRecord } from '../state/read-journal.js';
import { journalView, loadViews, notFound, pickView, type JobView, type ScheduleFile } from './find-job.js';
import { matchesLabels, parseLabelSelector, type LabelRequirement } from './label-selector.js';

/** How a verb names its jobs: NAME…, `-l SELECTOR` or `--all` (at most one of the three kinds). */
export interface JobTargets {
  readonly names: readonly string[];
  readonly selector?: string;
  readonly all?: boolean;
}

/** The jobs a verb acts on, and an error for each name that matched nothing. */
export interface SelectedJobs {
  readonly views: JobView[];
  readonly missing: JobNotFoundError[];
  /** The names that matched nothing, in the order of `missing`. */
  readonly missingNames: string[];
  /** The schedules named (every schedule matching the selector when no name is given). */
  readonly schedules: ScheduleFile[];
}

/** A job's labels, from the validated job or, for an invalid manifest, from its raw metadata. */
export function labelsOf(view: JobView): Record<string, string> | undefined {
  if (view.job) return view.job.metadata.labels;
  const labels = (view.manifest?.metadata as { labels?: unknown } | undefined)?.labels;
  return labels !== null && typeof labels === 'object' ? (labels as Record<string, string>) : undefined;
}

/**
 * Checks the combination kubectl allows and parses the selector, before any file is read:
 * names with `-l` or `--all` are refused; `required` verbs (delete, wait) need one of the three.
 */
export function parseTargets(verb: string, targets: JobTargets, required: boolean): LabelRequirement[] | undefined {
  const help = `see 'sparkctl ${verb} --help'`;
  if (targets.names.length > 0 && targets.selector !== undefined)
    throw new CliUsageError(`name cannot be provided when a selector (-l) is specified; ${help}`);
  if (targets.names.length > 0 && targets.all) throw new CliUsageError(`name cannot be provided when --all is specified; ${help}`);
  if (targets.selector !== undefined && targets.all) throw new CliUsageError(`--all and -l cannot be used together; ${help}`);
  if (required && targets.names.length === 0 && targets.selector === undefined && !targets.all) {
    throw new CliUsageError(`no job named: give NAME…, -l SELECTOR or --all; ${help}`);
  }
  return targets.selector !== undefined ? parseLabelSelector(targets.selector) : undefined;
}

/** Keeps the views a target list means, in the order the names were given (once each), else sorted by name. */
export function filterTargets(
  views: readonly JobView[],
  names: readonly string[],
  requirements: readonly LabelRequirement[] | undefined,
): JobView[] {
  if (names.length === 0) return requirements?.length ? views.filter((v) => matchesLabels(labelsOf(v), requirements)) : [...views];
  const out: JobView[] = [];
  for (const name of new Set(names)) {
    const hit = pickView(views, name);
    if (hit && !out.includes(hit)) out.push(hit);
  }
  return out;
}

/** Loads the jobs named by NAME…, `-l` or `--all` (every job when none is given). */
export async function selectJobs(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  targets: JobTargets,
  requirements: readonly LabelRequirement[] | undefined,
  options: { includeJournalOnly?: boolean } = {},
): Promise<SelectedJobs> {
  const { jobs: all, schedules } = await loadViews(ctx, options);
  const isSchedule = (n: string) => schedules.some((s) => s.name === n);
  // A schedule's run has no manifest: a name that matches no file may be one (its journal record says).
  for (const n of new Set(targets.names)) {
    if (pickView(all, n) || isSchedule(n)) continue;
    const record = await readJobRecord(ctx.stateDir, n).catch(() => undefined);
    if (record?.run) all.push(await journalView(ctx, record));
  }
  const missingNames = [...new Set(targets.names)].filter((n) => pickView(all, n) === undefined && !isSchedule(n));
  const missing = missingNames.map((n) =>
    notFound(
      ctx,
      n,
      all.map((v) => v.name),
    ),
  );
  const named =
    targets.names.length > 0
      ? schedules.filter((s) => targets.names.includes(s.name))
      : schedules.filter((s) => matchesLabels(s.schedule.metadata.labels, requirements ?? []));
  return { views: filterTargets(all, targets.names, requirements), missing, missingNames, schedules: named };
}

/** Prints `Error: …` for each name that matched nothing (as runAction would) and returns the exit code: 1 if any. */
export function reportMissing(ctx: Pick<CliContext, 'err'>, missing: readonly JobNotFoundError[]): number {
  for (const err of missing) ctx.err.write(`Error: ${escapeLines(err.message)}\n`);
  return missing.length > 0 ? 1 : 0;
}
