import type { ReasonName } from '../api/conditions.js';
import type { SparkJobSpec } from '../api/spark-job.js';
import type { DriverRef } from '../api/status.js';
import type { ErrorClass } from '../errors.js';
import type { Collected, ConnectResult, JobRun, Reservation, RunExit } from '../backends/ports.js';

/** Why a run is being released: decides where the machine goes after releasing. */
export type ReleaseCause = 'completed' | 'failed' | 'suspend' | 'delete' | 'specChange' | 'invalid';

/** A failure kept in the snapshot: plain data, so it survives persistence. */
export interface JobFailure {
  readonly message: string;
  readonly reason: ReasonName;
  readonly errorClass: ErrorClass;
  /** Whether the failure happened before the driver ran (a submission failure) or after. */
  readonly stage: 'submission' | 'execution';
}

/** A result served from the cache instead of running the driver. */
export interface CachedResult {
  readonly specHash: string;
  readonly exitCode: number;
  readonly outputs: Collected['outputs'];
}

/** The machine's whole context: JSON-serialisable, persisted on every change. */
export interface JobContext {
  readonly name: string;
  spec: SparkJobSpec;
  /** Hash of the run-relevant spec (spec minus suspend and TTL). */
  specHash: string;
  /** Attempts over the job's whole life: names containers and log files, never reused. */
  attempt: number;
  /** Execution attempts started for the current spec (the current one included). */
  executionAttempts: number;
  /** Submission attempts for the current spec. */
  submissionAttempts: number;
  /** Failures counted against restartPolicy for the current spec. */
  executionFailures: number;
  submissionFailures: number;
  reservation?: Reservation;
  driver?: DriverRef;
  connected?: ConnectResult;
  exit?: RunExit;
  collected?: { exitCode: number | null; outputs: Collected['outputs']; cached: boolean };
  failure?: JobFailure;
  releaseCause?: ReleaseCause;
  /** A spec waiting to replace the current one once the old run is released. */
  nextSpec?: { spec: SparkJobSpec; specHash: string };
  /** Epoch ms: when the current attempt was asked for, started running, and ended. */
  requestedAt?: number;
  startedAt?: number;
  completedAt?: number;
  /** Epoch ms when the next retry starts. */
  retryAt?: number;
  /** The rerun annotation value last acted on. */
  lastHandledRerunAt?: string;
  /** A one-line human summary of where the job stands. */
  message?: string;
  /** The last progress note from a long call (what was asked, what is free). */
  progress?: string;
  /** The reason shown while `progress` explains a wait (e.g. EngineUnavailable, JournalUnavailable). */
  progressReason?: ReasonName;
  /** Set at creation for a job whose manifest is suspended; cleared once honoured. */
  startSuspended?: boolean;
  /** Current delay between re-attach tries while the engine is unreachable. */
  reattachDelayMs?: number;
  /** Delay before the next try of collecting results the state dir could not store (doubles, capped). */
  collectDelayMs?: number;
  /** Tries so far of collecting, re-attaching and connecting: the attempt numbers of their backoffs. */
  collectRetries?: number;
  reattachRetries?: number;
  connectRetries?: number;
  /** Why the spec cannot run (InvalidSpec or PolicyViolation), while invalid. */
  invalidReason?: ReasonName;
  /** Set once timeToLiveSeconds passed after completion: results and history were forgotten. */
  expired?: boolean;
}

/** Events the controller sends to a job's actor. */
export type JobEvent =
  | { type: 'job.suspend' }
  | { type: 'job.resume' }
  | { type: 'job.delete' }
  | { type: 'job.invalidate'; message: string; reason?: 'InvalidSpec' | 'PolicyViolation' }
  | { type: 'job.specChanged'; spec: SparkJobSpec; specHash: string }
  | { type: 'job.rerun'; requestedAt: string }
  | { type: 'job.progress'; message: string }
  | { type: 'deadline.start' }
  | { type: 'deadline.active' }
  | { type: 'retry.due' }
  | { type: 'ttl.expired' }
  | { type: 'reattach.settled' };

/**
 * What the machine announces with xstate's emit(): it entered a state, or a transition within a
 * state changed what its status shows (a progress note, a release cause, an invalid reason, expired
 * results). Delivered after the transition is applied, so a listener reads the snapshot it produced.
 */
export type JobEmitted = { type: 'job.transitioned' };

/** What the machine is created with. */
export interface JobInput {
  readonly name: string;
  readonly spec: SparkJobSpec;
  readonly specHash: string;
  readonly lastHandledRerunAt?: string;
  /** The manifest asks for suspend: true, so the job starts suspended. */
  readonly suspended?: boolean;
}

/** Inputs of the invoked actors: each gets the run it works on. */
export interface RunInput {
  readonly run: JobRun;
}
export interface StartInput extends RunInput {
  readonly reservation: Reservation;
}
export interface DriverInput extends RunInput {
  readonly driver: DriverRef;
}
export interface ReleaseInput extends RunInput {
  readonly driver?: DriverRef;
  readonly reservation?: Reservation;
}
export interface TimerInput {
  /** Epoch ms at which the timer fires. */
  readonly at: number;
}

/** Outputs of the invoked actors. */
export type ConnectOutput = ConnectResult;
export type RequestOutput = Reservation;
export type StartOutput = DriverRef;
export type WaitOutput = RunExit;
export type CollectOutput = Omit<Collected, 'log'>;
export type CacheOutput = CachedResult | null;
