import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { applyStatus } from '../manifest/apply-status.js';
import { duplicateNameStatus } from '../manifest/check-unique-names.js';
import { parseDocumentBounded } from '../manifest/parse-yaml-bounded.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { decodeManifest } from '../manifest/read-limits.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
import { requireJobsDir, type CliContext } from './cli-context.js';
import { ApplyInvalidError, CliUsageError } from './errors.js';
import { loadViews, type JobView, type ScheduleFile } from './find-job.js';
import { restoreSecrets, SECRET_MASK } from './printers/mask-secrets.js';
import { readApplyInput, type ApplyItem } from './read-apply-input.js';

/** What apply does (or would do) with one manifest. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** One manifest's planned write: the file, its text now (undefined: new file) and the text apply writes. */
export interface ApplyPlan {
  readonly item: ApplyItem;
  readonly file: string;
  readonly path: string;
  readonly current?: string;
  readonly next: string;
  readonly outcome: ApplyOutcome;
}

/** The text of the file a job goes to, read with the controller's rules; undefined when there is none yet. */
async function existingText(ctx: CliContext, file: string): Promise<string | undefined> {
  const read = await readManifestFile(await realpath(ctx.jobsDir), file);
  if (read.kind === 'gone') return undefined;
  if (read.kind === 'refused') throw new ApplyInvalidError(`cannot apply over ${join(ctx.jobsDir, file)}: ${read.reason}; remove it first`);
  if (read.truncated) return '';
  const decoded = decodeManifest(file, read.bytes);
  return 'issue' in decoded ? '' : decoded.text;
}

/** What the jobs folder (and the journal, for runs) holds, as apply needs it to pick files and refuse name clashes. */
interface FolderViews {
  readonly jobs: readonly JobView[];
  readonly schedules: readonly ScheduleFile[];
}

/**
 * The file a manifest goes to: the file already holding that name (of the same kind), else
 * `<jobs>/<name>.yaml`. SparkJobs and ScheduledSparkJobs share one name space, and a run of a
 * schedule holds its name too: a name held by the other kind is refused with the fix.
 */
function targetFile(ctx: CliContext, item: ApplyItem, views: FolderViews): string {
  const { name } = item;
  const jobOwner =
    views.jobs.find((v) => v.name === name && v.file !== undefined && v.duplicateOf === undefined && v.job) ??
    views.jobs.find((v) => v.name === name && v.file !== undefined);
  const scheduleOwner = views.schedules.find((s) => s.name === name);
  const run = views.jobs.find((v) => v.name === name && v.file === undefined && v.record?.run)?.record?.run;
  const clash = (what: string) =>
    new ApplyInvalidError(
      `${item.source}: metadata.name: ${name} is already used by ${what}; SparkJobs, ScheduledSparkJobs and runs share one name space: rename it`,
    );
  if (item.kind === 'SparkJob') {
    if (scheduleOwner) throw clash(`ScheduledSparkJob ${scheduleOwner.name} in ${scheduleOwner.file}`);
    if (run && !jobOwner) throw clash(`a run of ScheduledSparkJob ${run.schedule}`);
    if (jobOwner?.file) return jobOwner.file;
  } else {
    if (jobOwner?.file) throw clash(`SparkJob ${jobOwner.name} in ${jobOwner.file}`);
    if (run) throw clash(`a run of ScheduledSparkJob ${run.schedule}`);
    if (scheduleOwner) return scheduleOwner.file;
  }
  const file = `${name}.yaml`;
  const other = views.jobs.find((v) => v.file === file) ?? views.schedules.find((s) => s.file === file);
  if (other) {
    const holds = 'schedule' in other ? `ScheduledSparkJob "${other.name}"` : `SparkJob "${other.name}"`;
    throw new CliUsageError(`${join(ctx.jobsDir, file)} already holds ${holds}; rename that file before applying "${name}"`);
  }
  return file;
}

/** Plans one validated manifest: the text apply writes, keeping the status an existing file carries. */
async function planOne(ctx: CliContext, item: ApplyItem, file: string): Promise<ApplyPlan> {
  const path = join(ctx.jobsDir, file);
  const current = await existingText(ctx, file);
  // Parsed within the read limits only: an oversized, binary or deep file is replaced without being parsed.
  const doc = current === undefined ? undefined : parseDocumentBounded(current);
  const currentRaw = doc?.toJS() as Record<string, unknown> | undefined;
  const { status: _s, ...currentWithoutStatus } = currentRaw ?? {};
  const raw = structuredClone(item.raw);
  const masked = restoreSecrets(raw, currentWithoutStatus);
  if (masked.length > 0) {
    throw new ApplyInvalidError(
      `${item.source}: ${item.kind === 'SparkJob' ? 'spec' : 'spec.template'}.driver.env ${masked.join(', ')} of ${item.kind} "${item.name}" carries the masked value ${SECRET_MASK}; give the real value`,
    );
  }
  let text = isDeepStrictEqual(raw, item.raw) ? item.text : stringify(raw, { lineWidth: 0 });
  if (current !== undefined && isDeepStrictEqual(currentWithoutStatus, raw))
    return { item, file, path, current, next: current, outcome: 'unchanged' };
  const status = doc ? readStatusFromDoc(doc) : undefined;
  if (status) text = applyStatus(text, status, path);
  return {
    item,
    file,
    path,
    ...(current !== undefined ? { current } : {}),
    next: text,
    outcome: current === undefined ? 'created' : 'configured',
  };
}

/**
 * Reads and validates `-f` inputs (SparkJobs and ScheduledSparkJobs, all or nothing), then plans
 * every manifest against the jobs folder, which must exist; a name clash refuses the whole input.
 */
export async function planApply(ctx: CliContext, filenames: readonly string[], verb: string): Promise<ApplyPlan[]> {
  if (filenames.length === 0) throw new CliUsageError(`${verb} needs -f FILE, -f DIR or -f -`);
  const input = await readApplyInput(filenames);
  const errors = [...input.errors];
  const seen = new Map<string, string>();
  for (const item of input.items) {
    const { name } = item;
    const first = seen.get(name);
    if (first) errors.push(`${item.source}: ${duplicateNameStatus(name, first)}`);
    else seen.set(name, item.source);
  }
  if (errors.length > 0) throw new ApplyInvalidError(`invalid input, nothing applied:\n${errors.join('\n')}`);
  if (input.items.length === 0) throw new CliUsageError('no SparkJob or ScheduledSparkJob found in the input');
  await requireJobsDir(ctx);
  const views = await loadViews(ctx, { includeJournalOnly: true });
  const targets = input.items.map((item) => targetFile(ctx, item, views));
  const plans: ApplyPlan[] = [];
  for (const [i, item] of input.items.entries()) plans.push(await planOne(ctx, item, targets[i]!));
  return plans;
}

/** Writes one planned manifest atomically (a new file 0644, an existing one keeps its mode). */
export async function writePlan(plan: ApplyPlan): Promise<void> {
  if (plan.outcome === 'unchanged') return;
  const mode = plan.current === undefined ? 0o644 : (await stat(plan.path)).mode & 0o777;
  await writeFileAtomic(plan.path, plan.next, { mode });
}
