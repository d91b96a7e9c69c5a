import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ScheduledSparkJob } from '../api/scheduled-spark-job.js';
import type { SparkJob } from '../api/spark-job.js';
import { SparkJobStatusSchema, type SparkJobStatus } from '../api/status.js';
import { journalPaths, type JobRecord } from '../state/journal-paths.js';
import { readAllJobRecords, readJobRecord } from '../state/read-journal.js';
import { duplicateNameStatus } from '../manifest/check-unique-names.js';
import { invalidStatus, withInvalidRevision } from '../manifest/invalid-status.js';
import { looseName } from '../manifest/loose-identity.js';
import { didYouMean } from '../manifest/did-you-mean.js';
import { listManifests } from '../manifest/find-manifest-files.js';
import { issuesText, type ManifestIssue } from '../manifest/manifest-issue.js';
import { MAX_ALIAS_COUNT, parseManifestRead, type ManifestParseResult } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import type { CliContext } from './cli-context.js';
import { JobNotFoundError } from './errors.js';
import { knownSecrets, maskStatus } from './printers/mask-secrets.js';
import { redactSecrets } from '../secrets/redact.js';

/** One job as the CLI shows it: the manifest in the jobs folder joined with its journal record. */
export interface JobView {
  /** metadata.name, or the file name when the file has none. */
  readonly name: string;
  /** The manifest's path relative to the jobs folder; undefined when only the journal knows the job (manifest deleted). */
  readonly file?: string;
  /** The manifest as written (without status); undefined when it is not a YAML mapping. */
  readonly manifest?: Record<string, unknown>;
  /** The validated job, when the manifest is valid. */
  readonly job?: SparkJob;
  /** Validation problems, when it is not. */
  readonly issues?: readonly ManifestIssue[];
  /** The journal's record, when the controller has seen the job. */
  readonly record?: JobRecord;
  /** The status shown: the journal's, else Pending (valid, not yet seen) or Invalid. */
  readonly status: SparkJobStatus;
  /** When the job appeared: its first journal event, else the manifest's modification time. */
  readonly createdAt?: string;
  /** Set when another file already holds this metadata.name (that file's path). */
  readonly duplicateOf?: string;
}

/** Manifests read at once by loadJobViews. */
const READ_CONCURRENCY = 8;

/**
 * The manifest as written without its status, and the status the controller wrote back into it (when valid), from the one parse of the
 * file.
 */
function rawManifest(parsed: ManifestParseResult): {
  manifest?: Record<string, unknown>;
  fileStatus?: SparkJobStatus;
  rawStatus?: unknown;
} {
  let value: unknown;
  try {
    value = parsed.ok ? parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : parsed.value;
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const { status, ...rest } = value as Record<string, unknown>;
  const fileStatus = status === undefined ? undefined : SparkJobStatusSchema.safeParse(status);
  return { manifest: rest, rawStatus: status, ...(fileStatus?.success ? { fileStatus: fileStatus.data } : {}) };
}

/**
 * The status of a job the controller has not recorded: Invalid with the first problem, else Pending.
 * `since` (the manifest's modification time) is the Invalid condition's transition time, so the
 * same file always gives the same status (no new time on every read).
 */
export function syntheticStatus(issues: readonly ManifestIssue[] | undefined, message?: string, since?: string): SparkJobStatus {
  if (issues?.length || message) return invalidStatus(message ?? issuesText(issues!), new Date(since ?? 0));
  return {
    phase: 'Pending',
    conditions: [],
    submissionAttempts: 0,
    executionAttempts: 0,
    message: 'Waiting for the controller to pick the job up',
  };
}

/** The time of a job's first journal event (its "creation"), read from the first line only. */
export async function firstEventTime(stateDir: string, name: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(journalPaths.events(stateDir, name), 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const line = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === 'string' ? time : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

interface FileEntry {
  /** Whether `name` came from the file itself (not its file name). */
  named?: boolean;
  file: string;
  manifest?: Record<string, unknown>;
  job?: SparkJob;
  issues?: readonly ManifestIssue[];
  name: string;
  mtime?: string;
  /** The `status:` the controller wrote back into the file, shown when the journal has no record. */
  fileStatus?: SparkJobStatus;
  /** Set when the file is a valid ScheduledSparkJob (not a job: its runs are). */
  schedule?: ScheduledSparkJob;
  rawStatus?: unknown;
}

/** A valid ScheduledSparkJob manifest in the jobs folder (its status is read by cli/schedule-views.ts). */
export interface ScheduleFile {
  readonly name: string;
  readonly file: string;
  readonly schedule: ScheduledSparkJob;
  /** The manifest as written (without status). */
  readonly manifest?: Record<string, unknown>;
  /** The manifest's `status:` as written back by the controller (unchecked). */
  readonly fileStatus?: unknown;
}

/**
 * Reads one listed manifest with the controller's reader (regular files inside the folder, size cap); links and special files are skipped.
 */
async function readEntry(root: string, file: string): Promise<FileEntry | undefined> {
  let read;
  let mtime: string | undefined;
  try {
    [read, mtime] = await Promise.all([readManifestFile(root, file), stat(join(root, file)).then((s) => s.mtime.toISOString())]);
  } catch {
    return undefined;
  }
  if (read.kind !== 'file') return undefined;
  const parsed = parseManifestRead(read, file);
  const { manifest, fileStatus, rawStatus } = rawManifest(parsed);
  if (parsed.ok && parsed.kind !== 'SparkJob')
    return { file, manifest, name: parsed.schedule.metadata.name, named: true, schedule: parsed.schedule, rawStatus };
  const loose = parsed.ok ? parsed.job.metadata.name : looseName(manifest);
  const name = loose ?? basename(file);
  const named = loose !== undefined;
  return parsed.ok
    ? { file, manifest, job: parsed.job, name, named, mtime, ...(fileStatus ? { fileStatus } : {}) }
    : { file, manifest, issues: parsed.errors, name, named, mtime };
}

/**
 * Every job: each manifest in the jobs folder (valid or not) joined with its journal record;
 * with `includeJournalOnly`, also jobs whose manifest is gone but whose record remains (being released).
 */
export async function loadJobViews(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  options: { includeJournalOnly?: boolean } = {},
): Promise<JobView[]> {
  return (await loadViews(ctx, options)).jobs;
}

/** Every job (as loadJobViews) and every valid schedule manifest, from one read of the jobs folder. */
export async function loadViews(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  options: { includeJournalOnly?: boolean } = {},
): Promise<{ jobs: JobView[]; schedules: ScheduleFile[] }> {
  const root = await realpath(ctx.jobsDir).catch(() => ctx.jobsDir);
  const files = await listManifests(root);
  // A few files at a time: each read holds up to the size cap in memory, whatever the folder holds.
  const read: Array<FileEntry | undefined> = new Array(files.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) read[i] = await readEntry(root, files[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  const schedules: ScheduleFile[] = read
    .filter((e): e is FileEntry & { schedule: ScheduledSparkJob } => e?.schedule !== undefined)
    .map((e) => ({
      name: e.name,
      file: e.file,
      schedule: e.schedule,
      ...(e.manifest ? { manifest: e.manifest } : {}),
      ...(e.rawStatus !== undefined ? { fileStatus: e.rawStatus } : {}),
    }));
  const entries = read.filter((e): e is FileEntry => e !== undefined && e.schedule === undefined);
  const names = new Set(entries.map((e) => e.name));
  const records = new Map<string, JobRecord>();
  await Promise.all(
    [...names].map(async (n) => {
      const rec = await readJobRecord(ctx.stateDir, n).catch(() => undefined);
      if (rec) records.set(n, rec);
    }),
  );
  // A manifest too broken to name its job is matched to the job by its file.
  const byFile = new Map<string, JobRecord>();
  if (entries.some((e) => e.issues && !e.named)) {
    for (const rec of await readAllJobRecords(ctx.stateDir).catch(() => [] as JobRecord[])) byFile.set(rec.file, rec);
  }
  const owner = new Map<string, string>();
  for (const e of entries) {
    if (!e.job) continue;
    const recFile = records.get(e.name)?.file;
    if (!owner.has(e.name) || recFile === e.file) owner.set(e.name, e.file);
  }
  const views: JobView[] = [];
  for (const e of entries) {
    const createdAt = (await firstEventTime(ctx.stateDir, e.name)) ?? e.mtime;
    const base = { name: e.name, file: e.file, manifest: e.manifest, createdAt };
    if (e.job && owner.get(e.name) !== e.file) {
      const message = duplicateNameStatus(e.name, owner.get(e.name)!);
      views.push({ ...base, job: e.job, status: syntheticStatus(undefined, message, e.mtime), duplicateOf: owner.get(e.name)! });
      continue;
    }
    if (e.issues) {
      // An invalid revision of a job the controller runs: the job goes on with its last valid spec.
      const kept = e.named ? records.get(e.name) : byFile.get(e.file);
      if (kept && kept.file === e.file && kept.snapshot !== undefined && kept.status.phase !== 'Invalid') {
        const problem = e.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
        const stalled = kept.status.conditions.some((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'InvalidSpec');
        views.push({
          ...base,
          name: kept.name,
          issues: e.issues,
          record: kept,
          status: stalled ? kept.status : withInvalidRevision(kept.status, problem, e.mtime ? new Date(e.mtime) : undefined),
        });
        continue;
      }
    }
    const record = e.job ? records.get(e.name) : undefined;
    // No journal record (another state dir, or none yet): the status the controller wrote into the file, else Pending.
    const status = e.issues
      ? syntheticStatus(e.issues, undefined, e.mtime)
      : (record?.status ?? e.fileStatus ?? syntheticStatus(undefined));
    views.push({
      ...base,
      ...(e.job ? { job: e.job } : {}),
      ...(e.issues ? { issues: e.issues } : {}),
      ...(record ? { record } : {}),
      status,
    });
  }
  if (options.includeJournalOnly) {
    const known = await readdir(journalPaths.jobs(ctx.stateDir)).catch(() => [] as string[]);
    for (const n of known.sort()) {
      if (names.has(n)) continue;
      const record = await readJobRecord(ctx.stateDir, n).catch(() => undefined);
      if (record) views.push({ name: n, record, status: record.status, createdAt: await firstEventTime(ctx.stateDir, n) });
    }
  }
  const jobs = views.map(maskView).sort((a, b) => a.name.localeCompare(b.name) || (a.file ?? '').localeCompare(b.file ?? ''));
  return { jobs, schedules: schedules.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** The view of a job only the journal knows (a schedule's run, a deleted job being released), secrets masked. */
export async function journalView(ctx: Pick<CliContext, 'stateDir'>, record: JobRecord): Promise<JobView> {
  const createdAt = await firstEventTime(ctx.stateDir, record.name);
  return maskView({ name: record.name, record, status: record.status, ...(createdAt ? { createdAt } : {}) });
}

/** A view whose status, and validation messages, have every secret of the job masked. */
function maskView(view: JobView): JobView {
  const secrets = knownSecrets(view.manifest, view.record);
  if (secrets.length === 0) return view;
  const issues = view.issues?.map((i) => ({ ...i, message: redactSecrets(i.message, secrets) }));
  return { ...view, status: maskStatus(view.status, secrets), ...(issues ? { issues } : {}) };
}

/** The error for an unknown name, with a suggestion when a close name exists. */
export function notFound(ctx: Pick<CliContext, 'jobsDir'>, name: string, known: readonly string[], kind = 'SparkJob'): JobNotFoundError {
  const hint = didYouMean(name, known);
  return new JobNotFoundError(`${kind} "${name}" not found in ${ctx.jobsDir}${hint ? `; did you mean "${hint}"?` : ''}`);
}

/** Finds one job by metadata.name (or manifest file path); throws JobNotFoundError with "did you mean" otherwise. */
export async function findJob(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  name: string,
  options: { includeJournalOnly?: boolean } = { includeJournalOnly: true },
): Promise<JobView> {
  const views = await loadJobViews(ctx, options);
  const hit = pickView(views, name);
  if (hit) return hit;
  throw notFound(
    ctx,
    name,
    views.map((v) => v.name),
  );
}

/** The view a name (or manifest file path) means among loaded views: the valid owner of the name first. */
export function pickView(views: readonly JobView[], name: string): JobView | undefined {
  return (
    views.find((v) => v.name === name && v.job !== undefined && v.duplicateOf === undefined) ??
    views.find((v) => v.name === name) ??
    views.find((v) => v.file === name)
  );
}
