import type { SparkJob, SparkJobSpec } from '../api/spark-job.js';
import type { Logger } from '../logger.js';
import type { ParsedManifest } from '../manifest/parse-manifest.js';
import type { ManifestRead } from '../manifest/read-manifest-file.js';
import type { Policy } from '../policy/policy.js';
import type { JobEntry, JobRegistry } from './job-registry.js';
import type { JobsRoot } from './jobs-root.js';
import type { NameWaiters } from './name-waiters.js';
import type { OwnWrites } from './own-writes.js';
import type { ReadKeys } from './read-keys.js';
import type { ScheduleRunner } from './schedule-runner.js';

/** What every reconcile step may use: the registry, the per-file memory and the runner's hooks. */
export interface ReconcileContext {
  readonly jobsDir: string;
  readonly registry: JobRegistry;
  /** Per file: the content hash last reconciled (or a `refused:`/`size:` marker), so unchanged files cost one read. */
  readonly seen: Map<string, string>;
  readonly log: Logger;
  readonly policy: Policy;
  /** Where `secretRef.env` values are looked up to mask them. */
  readonly env: NodeJS.ProcessEnv;
  /** How long a job whose manifest vanished or stopped parsing is held (0: released at once). */
  readonly missingGraceMs: number;
  /** Looks at a file again (soon, through the work queue). */
  readonly requeue: (file: string) => void;
  /** Something a waiter for idleness cares about changed. */
  readonly changed: () => void;
  /** The run hash of a spec under the state dir's key. */
  readonly runHash: (spec: SparkJobSpec) => string;
  /** The controller's own status writes, recognised by their watch event and key without a read (absent: always read). */
  readonly ownWrites?: OwnWrites;
  /** The keys of the last reconciled reads, so a relist skips reading unchanged files (absent: every relist reads). */
  readonly readKeys?: ReadKeys;
  /** The jobs folder's real path, cached between relists (absent: resolved on every reconcile). */
  readonly jobsRoot?: JobsRoot;
  /** Files refused for a name held elsewhere, looked at again when it is freed (absent: only their own changes do). */
  readonly nameWaiters?: NameWaiters;
  /** The ScheduledSparkJob runner (absent where only SparkJobs are reconciled, as in some tests). */
  readonly schedules?: Pick<ScheduleRunner, 'upsert' | 'release' | 'gone' | 'wantsWrite' | 'markWritten' | 'nameOf' | 'fileOf'>;
}

/** One reconcile of one file: what the steps found so far, filled in step by step. */
export interface ReconcileRun {
  /** The manifest's path relative to the jobs folder. */
  readonly file: string;
  readonly abs: string;
  /** The keys of the last reconciled reads, so a relist skips reading unchanged files (absent: every relist reads). */
  readonly readKeys?: ReadKeys;
  /** The jobs folder's real path (writes stay within it); resolved again when a file is found outside a cached one. */
  root: string;
  read?: Extract<ManifestRead, { kind: 'file' }>;
  bytes?: Buffer;
  hash?: string;
  /** The job this file held when last reconciled, and its entry. */
  known?: string;
  previous?: JobEntry;
  parsed?: ParsedManifest;
  job?: SparkJob;
  /** The policy's verdict on the spec: '' when it is allowed. */
  violation?: string;
  entry?: JobEntry;
}

/** A reconcile step: returns 'stop' when the reconcile is over (done, or requeued), 'next' to go on. */
export type ReconcileStep = (run: ReconcileRun, ctx: ReconcileContext) => Promise<'next' | 'stop'>;
