import type { SparkJobSpec } from '../api/spark-job.js';
import type { DriverRef } from '../api/status.js';

/** One execution attempt of one job, as the backends see it. */
export interface JobRun {
  /** The job's metadata.name. */
  readonly name: string;
  /** Hash of the normalised spec this attempt runs. */
  readonly specHash: string;
  /** Execution attempt, counting from 1. */
  readonly attempt: number;
  readonly spec: SparkJobSpec;
}

/** What a successful connect learned about the engine or master. */
export interface ConnectResult {
  readonly backend: 'docker' | 'mesos';
  /** Engine API version, or the Mesos master's version. */
  readonly version: string;
  readonly frameworkId?: string;
}

/** Resources held for one attempt; JSON-serialisable because it lives in the persisted snapshot. */
export interface Reservation {
  /** `<job>/<attempt>`: unique per attempt, so reserving twice is harmless. */
  readonly key: string;
  readonly cpus: number;
  readonly memMiB: number;
  readonly agentId?: string;
  readonly offerId?: string;
  readonly hostname?: string;
}

/** How a driver ended. */
export interface RunExit {
  /** The driver's exit code; null when it never ran to an exit (killed, lost). */
  readonly exitCode: number | null;
  readonly outcome: 'succeeded' | 'failed' | 'killed' | 'lost';
  readonly message?: string;
  readonly finishedAt: string;
}

/** What collect copied out of a finished driver. */
export interface Collected {
  readonly exitCode: number | null;
  /** The whole driver log (stdout and stderr interleaved where the engine keeps them so). */
  readonly log: string;
  /** Declared outputs, copied to `<dest>/<name>`; `bytes` absent when the file was missing. */
  readonly outputs: ReadonlyArray<{ name: string; path: string; bytes?: number; error?: string }>;
}

/** A driver found on the engine carrying sparkctl's labels. */
export interface OwnedDriver {
  readonly ref: DriverRef;
  readonly job: string;
  readonly specHash: string;
  readonly attempt: number;
  readonly running: boolean;
}

/** Hooks for the long-running calls. */
export interface CallIO {
  readonly signal: AbortSignal;
  /** A human-readable note while waiting (e.g. what was asked for and what is free). */
  readonly onProgress?: (message: string) => void;
}

/** The interface the controller consumes; one adapter per engine. */
export interface Backend {
  readonly kind: 'docker' | 'mesos';
  /**
   * Reaches the engine or master the run needs and checks it can serve us. Without a run: the engine
   * itself (Docker's health ping), or the frameworks stored in the state dir (Mesos after a restart).
   */
  connect(run: JobRun | undefined, io: CallIO): Promise<ConnectResult>;
  /** Resolves once resources for the run are held; waits (calling onProgress) while they are not. */
  requestResources(run: JobRun, io: CallIO): Promise<Reservation>;
  /** Re-registers a reservation found in a restored snapshot, so the ledger counts it again. */
  reclaim(reservation: Reservation): void;
  /** Starts the driver. Idempotent per job and attempt: a driver that already exists is returned, never doubled. */
  start(run: JobRun, reservation: Reservation, io: CallIO): Promise<DriverRef>;
  /** Waits until the driver ends, passing its log as it comes (from the start each call). */
  wait(run: JobRun, ref: DriverRef, io: CallIO & { onLog?: (chunk: string) => void }): Promise<RunExit>;
  /** Copies the exit code, the driver log and the declared outputs into `destDir`. */
  collect(run: JobRun, ref: DriverRef, destDir: string, io: CallIO): Promise<Collected>;
  /** Stops and removes the driver if any, and frees the reservation. Idempotent. */
  release(run: JobRun, ref: DriverRef | undefined, reservation: Reservation | undefined, io: CallIO): Promise<void>;
  /** Drivers carrying sparkctl's labels, for adoption after a restart. */
  listDrivers(io: CallIO): Promise<OwnedDriver[]>;
  /** Frees connections and timers. */
  close(): Promise<void>;
}

/** Labels (Docker) and task labels (Mesos) that mark a driver as sparkctl's. */
export const LABELS = {
  managedBy: 'io.sparkctl.managed-by',
  job: 'io.sparkctl.job',
  specHash: 'io.sparkctl.spec-hash',
  attempt: 'io.sparkctl.attempt',
  instance: 'io.sparkctl.instance',
} as const;
