import { open, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduledSparkJob } from '../api/scheduled-spark-job.js';
import type { SparkJob } from '../api/spark-job.js';
import type { SparkJobStatus } from '../api/status.js';
import { journalPaths, type JobRecord } from '../state/journal-paths.js';
import { readAllJobRecords, readJobRecord } from '../state/read-journal.js';
import { invalidStatus, withInvalidRevision } from '../manifest/invalid-status.js';
import { didYouMean } from '../manifest/did-you-mean.js';
import { listManifestsSync } from '../manifest/find-manifest-files.js';
import { issuesText, type ManifestIssue } from '../manifest/manifest-issue.js';
import type { CliContext } from './cli-context.js';
import { JobNotFoundError } from './errors.js';
import { knownSecrets, maskStatus } from './printers/mask-secrets.js';
import { redactSecrets } from '../secrets/redact.js';
import { ReadCache } from './read-cache.js';
import { compareNames } from './compare-names.js';
import {
  cloneLazy,
  copyLazy,
  entryPacking,
  entrySecrets,
  isValidEntry,
  journalPacking,
  recordSecrets,
  type FileEntry,
  type JournalEntry,
} from './lazy-entries.js';

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

/** Reads and parses one manifest; the parser (yaml, zod) loads on the first file the read cache does not hold. */
const readEntryOnMiss = (root: string, file: string) => import('./read-entry.js').then((m) => m.readEntry(root, file));

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
  return (await readFirstEvent(stateDir, name)).time;
}

/** The first event's time; `sure` unless the file is there but gives none yet (empty, torn, unreadable). */
async function readFirstEvent(stateDir: string, name: string): Promise<{ time?: string; sure: boolean }> {
  let handle;
  try {
    handle = await open(journalPaths.events(stateDir, name), 'r');
  } catch (err) {
    return { sure: (err as NodeJS.ErrnoException).code === 'ENOENT' };
  }
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const line = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === 'string' ? { time, sure: true } : { sure: true };
  } catch {
    return { sure: false };
  } finally {
    await handle.close();
  }
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
 * Every job: each manifest in the jobs folder (valid or not) joined with its journal record;
 * with `includeJournalOnly`, also jobs whose manifest is gone but whose record remains (being released).
 * Files unchanged since a run before are not read again (cli/read-cache.ts); pass `cache` to keep one across loads
 * (a watch), or ReadCache.none() to read everything.
 */
export async function loadJobViews(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  options: { includeJournalOnly?: boolean; cache?: ReadCache } = {},
): Promise<JobView[]> {
  return (await loadViews(ctx, options)).jobs;
}

/** Every job (as loadJobViews) and every valid schedule manifest, from one read of the jobs folder. */
export async function loadViews(
  ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>,
  options: { includeJournalOnly?: boolean; cache?: ReadCache } = {},
): Promise<{ jobs: JobView[]; schedules: ScheduleFile[] }> {
  const root = await realpath(ctx.jobsDir).catch(() => ctx.jobsDir);
  const opened = options.cache?.serves(root) ? options.cache : ReadCache.open(ctx.stateDir, root);
  const files = listManifestsSync(root);
  const cache = await opened;
  // A few files at a time: each read holds up to the size cap in memory, whatever the folder holds.
  const read: Array<FileEntry | undefined> = new Array(files.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i]!;
      read[i] = await cache.get('files', file, join(root, file), () => readEntryOnMiss(root, file), entryPacking);
      if (read[i]) cache.noteName(file, read[i]!.name);
    }
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
  const secretsOf = new Map<JobRecord, readonly string[]>();
  const created = new Map<string, string>();
  await Promise.all(
    [...names].map(async (n) => {
      const { record: rec, created: time } = (await cachedJournal(cache, ctx.stateDir, n)) ?? {};
      if (rec) records.set(n, rec.record);
      if (rec) secretsOf.set(rec.record, rec.secrets);
      if (time !== undefined) created.set(n, time);
    }),
  );
  // A manifest too broken to name its job is matched to the job by its file.
  const byFile = new Map<string, JobRecord>();
  if (entries.some((e) => e.issues && !e.named)) {
    for (const rec of await readAllJobRecords(ctx.stateDir).catch(() => [] as JobRecord[])) byFile.set(rec.file, rec);
  }
  const owner = new Map<string, string>();
  for (const e of entries) {
    if (!isValidEntry(e)) continue;
    const recFile = records.get(e.name)?.file;
    if (!owner.has(e.name) || recFile === e.file) owner.set(e.name, e.file);
  }
  // The duplicate-name message's module loads the manifest parser (and zod): only when a name is held twice.
  const duplicates = entries.some((e) => isValidEntry(e) && owner.get(e.name) !== e.file)
    ? await import('../manifest/check-unique-names.js')
    : undefined;
  const views: JobView[] = [];
  // Views carry the entry's manifest and job as they are: parsed from the cache only when read.
  const push = (e: FileEntry, view: JobView, withJob: boolean) => {
    copyLazy(view, e, withJob ? ['manifest', 'job'] : ['manifest']);
    const secrets = [...new Set([...entrySecrets(e), ...(view.record ? (secretsOf.get(view.record) ?? recordSecrets(view.record)) : [])])];
    views.push(maskView(view, secrets));
  };
  for (const e of entries) {
    const createdAt = created.get(e.name) ?? e.mtime;
    const base = { name: e.name, file: e.file, createdAt };
    const valid = isValidEntry(e);
    if (valid && owner.get(e.name) !== e.file) {
      const message = duplicates!.duplicateNameStatus(e.name, owner.get(e.name)!);
      push(e, { ...base, status: syntheticStatus(undefined, message, e.mtime), duplicateOf: owner.get(e.name)! }, true);
      continue;
    }
    if (e.issues) {
      // An invalid revision of a job the controller runs: the job goes on with its last valid spec.
      const kept = e.named ? records.get(e.name) : byFile.get(e.file);
      if (kept && kept.file === e.file && kept.snapshot !== undefined && kept.status.phase !== 'Invalid') {
        const problem = e.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
        const stalled = kept.status.conditions.some((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'InvalidSpec');
        const status = stalled ? kept.status : withInvalidRevision(kept.status, problem, e.mtime ? new Date(e.mtime) : undefined);
        push(e, { ...base, name: kept.name, issues: e.issues, record: kept, status }, false);
        continue;
      }
    }
    const record = valid ? records.get(e.name) : undefined;
    // No journal record (another state dir, or none yet): the status the controller wrote into the file, else Pending.
    const status = e.issues
      ? syntheticStatus(e.issues, undefined, e.mtime)
      : (record?.status ?? e.fileStatus ?? syntheticStatus(undefined));
    push(e, { ...base, ...(e.issues ? { issues: e.issues } : {}), ...(record ? { record } : {}), status }, valid);
  }
  if (options.includeJournalOnly) {
    const known = await readdir(journalPaths.jobs(ctx.stateDir)).catch(() => [] as string[]);
    for (const n of known.sort()) {
      if (names.has(n)) continue;
      const record = await readJobRecord(ctx.stateDir, n).catch(() => undefined);
      if (!record) continue;
      const createdAt = await firstEventTime(ctx.stateDir, n);
      views.push(maskView({ name: n, record, status: record.status, createdAt }, knownSecrets(undefined, record)));
    }
  }
  await cache.saveAndRoll();
  const jobs = views.sort((a, b) => compareNames(a.name, b.name) || (a.file ?? '').localeCompare(b.file ?? ''));
  return { jobs, schedules: schedules.sort((a, b) => compareNames(a.name, b.name)) };
}

/** The view of a job only the journal knows (a schedule's run, a deleted job being released), secrets masked. */
export async function journalView(ctx: Pick<CliContext, 'stateDir'>, record: JobRecord): Promise<JobView> {
  const createdAt = await firstEventTime(ctx.stateDir, record.name);
  return maskView(
    { name: record.name, record, status: record.status, ...(createdAt ? { createdAt } : {}) },
    knownSecrets(undefined, record),
  );
}

/** A view whose status, and validation messages, have every secret of the job (its manifest's and its record's) masked. */
function maskView(view: JobView, secrets: readonly string[]): JobView {
  if (secrets.length === 0) return view;
  const masked = cloneLazy(view) as { -readonly [K in keyof JobView]: JobView[K] };
  masked.status = maskStatus(view.status, secrets);
  if (view.issues) masked.issues = view.issues.map((i) => ({ ...i, message: redactSecrets(i.message, secrets) }));
  return masked;
}

/**
 * A job's journal record (and its spec's secret values) and first event time, read or kept in the
 * cache under the key of the job's journal folder; undefined when the folder is missing.
 */
function cachedJournal(cache: ReadCache, stateDir: string, name: string): Promise<JournalEntry | undefined> {
  const read = async (): Promise<JournalEntry> => {
    const [record, first] = await Promise.all([
      readJobRecord(stateDir, name).then(
        (r) => ({ r, sure: true }),
        () => ({ r: undefined, sure: false }),
      ),
      readFirstEvent(stateDir, name),
    ]);
    return {
      ...(record.r ? { record: { record: record.r, secrets: recordSecrets(record.r) } } : {}),
      ...(first.time !== undefined ? { created: first.time } : {}),
      sure: record.sure && first.sure,
    };
  };
  return cache.get('journal', name, journalPaths.job(stateDir, name), read, journalPacking).catch(() => undefined);
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
