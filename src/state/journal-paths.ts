import { join } from 'node:path';
import type { SparkJobStatus } from '../api/status.js';

/** One line of a job's event history, as `describe` and `events` show it. */
export interface JobEventRecord {
  readonly time: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly attempt?: number;
}

/** Where a run came from: the schedule that started it, for which time, with the template it had then. */
export interface RunOrigin {
  readonly schedule: string;
  /** The scheduled time (ISO); the run's name ends with it in unix seconds. */
  readonly scheduledAt: string;
  /** True when `sparkctl trigger` started it (not the clock). */
  readonly manual?: boolean;
  /** The schedule's template when the run was made (the spec a restart launches a run recorded but not yet started with). */
  readonly spec: unknown;
}

/** What the journal keeps per job: the source of truth the manifest's status is projected from. */
export interface JobRecord {
  /** The journal format version (state/journal-schema.ts); absent in records written before versions. */
  readonly version?: number;
  readonly name: string;
  /** The manifest's path relative to the jobs folder. */
  readonly file: string;
  /** The persisted xstate snapshot (absent for a manifest that never became valid). */
  readonly snapshot?: unknown;
  readonly status: SparkJobStatus;
  readonly updatedAt: string;
  /** Set for a run of a ScheduledSparkJob: it has no manifest of its own (`file` is the schedule's). */
  readonly run?: RunOrigin;
}

/** Journal layout under the state dir; every path the CLI and controller use comes from here. */
export const journalPaths = {
  jobs: (stateDir: string) => join(stateDir, 'jobs'),
  job: (stateDir: string, name: string) => join(stateDir, 'jobs', name),
  record: (stateDir: string, name: string) => join(stateDir, 'jobs', name, 'job.json'),
  events: (stateDir: string, name: string) => join(stateDir, 'jobs', name, 'events.jsonl'),
  log: (stateDir: string, name: string, attempt: number) => join(stateDir, 'jobs', name, 'logs', `attempt-${attempt}.log`),
  logs: (stateDir: string, name: string) => join(stateDir, 'jobs', name, 'logs'),
  outputs: (stateDir: string, name: string, attempt: number) => join(stateDir, 'jobs', name, 'outputs', `attempt-${attempt}`),
  cache: (stateDir: string, specHash: string) => join(stateDir, 'cache', specHash),
  tombstones: (stateDir: string) => join(stateDir, 'deleted'),
  schedules: (stateDir: string) => join(stateDir, 'schedules'),
  schedule: (stateDir: string, name: string) => join(stateDir, 'schedules', `${name}.json`),
} as const;
