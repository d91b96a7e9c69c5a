import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { RERUN_ANNOTATION, type SparkJob } from '../api/spark-job.js';
import { severityOf } from '../api/conditions.js';
import { SparkJobStatusSchema, type Phase, type SparkJobStatus } from '../api/status.js';
import { messageOf as errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { phaseOf, projectStatus, reasonOf } from '../machines/project-status.js';
import type { JobContext } from '../machines/types.js';
import { withInvalidRevision } from '../manifest/invalid-status.js';
import { canonicalJson } from '../manifest/spec-hash.js';
import { looseSecretValues, redactSecrets, redactStatus } from '../secrets/redact.js';
import type { JobEventRecord, JobRecord, RunOrigin } from '../state/journal-paths.js';
import type { Journal } from '../state/journal.js';
import type { machineWithBackends } from './job-actors.js';

/** The SparkJob machine with its real (or, in tests, fake) actors. */
export type JobMachine = ReturnType<typeof machineWithBackends>;
/** One running job's actor. */
export type JobActor = Actor<JobMachine>;

/** What the controller knows about one job besides its actor's snapshot. */
export interface JobEntry {
  readonly name: string;
  file: string;
  actor: JobActor;
  status?: SparkJobStatus;
  /** The canonical status last written to (or found in) the file. */
  fileStatusKey?: string;
  /** Whether expired results were already removed from the journal. */
  forgotten?: boolean;
  /** While set, the manifest is missing or unparsable and the job is held until this time (epoch ms). */
  graceUntil?: number;
  /** While set, the manifest no longer validates and the job runs on with its last valid spec; the problem. */
  invalidRevision?: string;
  /** Every secret value of the job (all its specs so far), masked in each message produced for it. */
  secrets: string[];
  /** Set for a schedule's run: no manifest of its own, `file` is the schedule's (schedule-runner.ts). */
  readonly run?: RunOrigin;
}

/** What the registry tells the runner about. */
export interface RegistryHooks {
  readonly journal: Journal;
  readonly logger: Logger;
  /** Called on every phase change (metrics hook). */
  readonly onPhase?: (name: string, from: Phase | undefined, to: Phase) => void;
  /** A job changed: look at its file again. */
  readonly requeue: (file: string) => void;
  /** A deleted job was released and forgotten: its file, if it came back, is a new job. */
  readonly released: (file: string) => void;
  /** Something a waiter for idleness cares about changed. */
  readonly changed: () => void;
  /** True once the controller stops: snapshots are no longer projected. */
  readonly stopped: () => boolean;
}

const statusKeys = new WeakMap<SparkJobStatus, string>();
/** A canonical string of a status, for comparing; remembered per status object (statuses are never mutated). */
export const statusKey = (s: SparkJobStatus | undefined): string => {
  if (s === undefined) return '';
  let key = statusKeys.get(s);
  if (key === undefined) {
    key = canonicalJson(SparkJobStatusSchema.parse(s));
    statusKeys.set(s, key);
  }
  return key;
};

/** Secrets of a job's earlier specs stay masked: messages about the old run may still quote them. */
export const mergeSecrets = (old: readonly string[], next: readonly string[]): string[] =>
  [...new Set([...next, ...old])].sort((a, b) => b.length - a.length);

/**
 * The job registry: name ↔ actor and file ↔ name, and the one path from an actor's snapshot to
 * its projected status, journal record and events.
 */
export class JobRegistry {
  private readonly entries = new Map<string, JobEntry>();
  private readonly fileToName = new Map<string, string>();
  private readonly log: Logger;

  constructor(
    private readonly machine: JobMachine,
    private readonly hooks: RegistryHooks,
  ) {
    this.log = hooks.logger.child({ module: 'controller' });
  }

  /** The job called `name`, if known. */
  get(name: string): JobEntry | undefined {
    return this.entries.get(name);
  }

  /** The name of the job last seen in `file`. */
  nameOf(file: string): string | undefined {
    return this.fileToName.get(file);
  }

  /** Every file a job is known to live in. */
  files(): IterableIterator<string> {
    return this.fileToName.keys();
  }

  /** Every known job. */
  all(): IterableIterator<JobEntry> {
    return this.entries.values();
  }

  /** Forgets which job `file` held (the file is gone or holds another job now). */
  dropFile(file: string): void {
    this.fileToName.delete(file);
  }

  /** A job moved to another file (git mv, a rename): it follows the file. */
  move(entry: JobEntry, file: string): void {
    this.fileToName.delete(entry.file);
    entry.file = file;
    this.fileToName.set(file, entry.name);
  }

  /** The phase of every known job. */
  phases(): Map<string, Phase> {
    const out = new Map<string, Phase>();
    for (const [name, e] of this.entries) out.set(name, phaseOf(e.actor.getSnapshot()));
    return out;
  }

  /** Starts a new job for a valid manifest. */
  create(name: string, file: string, job: SparkJob, specHash: string, secrets: string[], run?: RunOrigin): JobEntry {
    const actor = createActor(this.machine, {
      input: {
        name,
        spec: job.spec,
        specHash,
        lastHandledRerunAt: job.metadata.annotations[RERUN_ANNOTATION],
        suspended: job.spec.suspend,
      },
    });
    const entry: JobEntry = { name, file, actor, secrets, ...(run ? { run } : {}) };
    this.track(entry);
    const added = run ? `run of schedule ${run.schedule} for ${run.scheduledAt}${run.manual ? ' (triggered)' : ''}` : `found in ${file}`;
    void this.event(name, 'Normal', 'Added', `SparkJob ${name} ${added}`);
    actor.start();
    return entry;
  }

  /** Restarts the actor of every job the journal holds as active; `reclaim` gets each one's context first (reservations). */
  restore(records: readonly JobRecord[], reclaim: (ctx: JobContext) => void): void {
    for (const rec of records) {
      if (rec.snapshot === undefined) continue;
      const snap = rec.snapshot as { status?: string; context?: JobContext };
      if (snap.status !== 'active' || !snap.context) continue;
      try {
        const ctx = snap.context;
        reclaim(ctx);
        const actor = createActor(this.machine, {
          snapshot: rec.snapshot as SnapshotFrom<JobMachine>,
          input: { name: rec.name, spec: ctx.spec, specHash: ctx.specHash },
        });
        // Until the first reconcile judges the policy, only the secrets the spec itself carries are known.
        const entry: JobEntry = {
          name: rec.name,
          file: rec.file,
          actor,
          status: rec.status,
          secrets: looseSecretValues({ spec: ctx.spec }),
          ...(rec.run ? { run: rec.run } : {}),
        };
        this.track(entry);
        this.log.info({ job: rec.name, phase: rec.status.phase }, 'Restored job from the journal');
        actor.start();
      } catch (err) {
        this.log.error({ err, job: rec.name }, 'Could not restore a job from the journal; it will start afresh');
      }
    }
  }

  /** Records (or clears) that a job's manifest no longer validates; its status is projected again and saved. */
  setInvalidRevision(entry: JobEntry, problem: string | undefined): void {
    if (entry.invalidRevision === problem) return;
    entry.invalidRevision = problem;
    entry.status = this.project(entry);
    if (problem !== undefined)
      void this.event(entry.name, 'Warning', 'InvalidSpec', `manifest ${entry.file} is invalid; the last valid spec is kept: ${problem}`);
    else void this.event(entry.name, 'Normal', 'SpecValid', `manifest ${entry.file} is valid again`);
    void this.saveRecord(entry);
  }

  /**
   * Projects a job's current snapshot and saves it, resolving once that record is written (or its
   * failure is known to the journal). Actors call this before destroying evidence (releasing).
   */
  persist(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.resolve();
    entry.status = this.project(entry);
    return this.saveRecord(entry);
  }

  /** Saves every active job's record and stops its actor (drivers keep running). */
  stopAll(): void {
    for (const entry of this.entries.values()) {
      if (entry.actor.getSnapshot().status === 'active') void this.saveRecord(entry);
      entry.actor.stop();
    }
  }

  /** Appends an event to a job's history (errors are logged, never thrown). */
  event(name: string, type: JobEventRecord['type'], reason: string, message: string, attempt?: number): Promise<void> {
    const ev: JobEventRecord = { time: new Date().toISOString(), type, reason, message, ...(attempt ? { attempt } : {}) };
    return this.hooks.journal
      .appendEvent(name, ev)
      .catch((err: unknown) => this.log.error({ err, job: name }, 'Could not record an event'));
  }

  /** The one place a job's messages are produced: status, conditions, then events and logs copy from here. */
  private project(entry: JobEntry): SparkJobStatus {
    return redactStatus(withInvalidRevision(projectStatus(entry.actor.getSnapshot(), entry.status), entry.invalidRevision), entry.secrets);
  }

  private track(entry: JobEntry): void {
    this.entries.set(entry.name, entry);
    // A run has no file of its own: its changes requeue its schedule's file, which never names it.
    if (!entry.run) this.fileToName.set(entry.file, entry.name);
    let last: Phase | undefined = entry.status?.phase;
    let lastReason = entry.status?.conditions.find((c) => c.type === 'Reconciling')?.reason;
    // A job restored from the journal already has its event for the phase it is in: its first snapshot adds none.
    let restored = entry.status !== undefined;
    /** Records an event (and tells metrics and the log) when the phase or reason the job shows differs from the last one. */
    const announced = (): void => {
      const snap = entry.actor.getSnapshot();
      if (this.hooks.stopped() || snap.status !== 'active') return;
      const phase = phaseOf(snap);
      const reason = reasonOf(phase, snap.context);
      if (phase === last && reason === lastReason) return;
      const status = this.project(entry);
      void this.event(entry.name, severityOf(reason, phase), reason, status.message ?? phase, snap.context.attempt);
      this.hooks.onPhase?.(entry.name, last, phase);
      if (phase !== last) this.log.info({ job: entry.name, phase, reason }, 'Job changed phase');
      last = phase;
      lastReason = reason;
    };
    // The machine announces every transition that may change what its status shows (emitted after the transition is applied).
    entry.actor.on('job.transitioned', announced);
    entry.actor.subscribe({
      next: (snap) => {
        if (this.hooks.stopped()) return;
        if (snap.status === 'done') {
          void this.forget(entry);
          return;
        }
        if (restored) {
          // A restored actor announces nothing on start: the journal's phase is its own unless the snapshot says otherwise.
          restored = false;
          if (phaseOf(snap) === last) lastReason = reasonOf(last, snap.context);
          announced();
        }
        entry.status = this.project(entry);
        if (snap.context.expired && !entry.forgotten) {
          entry.forgotten = true;
          void this.hooks.journal
            .forgetHistory(entry.name)
            .catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not forget expired results'));
        }
        void this.saveRecord(entry);
        this.hooks.requeue(entry.file);
        this.hooks.changed();
      },
      error: (err) => this.log.error({ err: redactSecrets(errorMessage(err), entry.secrets), job: entry.name }, 'Job actor failed'),
    });
  }

  private async forget(entry: JobEntry): Promise<void> {
    this.hooks.onPhase?.(entry.name, entry.status?.phase, 'Succeeded');
    await this.event(entry.name, 'Normal', 'Deleted', 'Manifest removed; resources released');
    // The name stays taken until its journal is moved aside, so a new job of that name starts clean.
    await this.hooks.journal.removeJob(entry.name);
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (this.fileToName.get(entry.file) === entry.name) this.fileToName.delete(entry.file);
    // A manifest that came back while the old job was being released starts a new job.
    this.hooks.released(entry.file);
    this.log.info({ job: entry.name }, 'Released and forgot deleted job');
    this.hooks.changed();
  }

  private saveRecord(entry: JobEntry): Promise<void> {
    const status = entry.status;
    if (!status) return Promise.resolve();
    return this.hooks.journal
      .saveRecord({
        name: entry.name,
        file: entry.file,
        snapshot: entry.actor.getPersistedSnapshot(),
        status,
        updatedAt: new Date().toISOString(),
        ...(entry.run ? { run: entry.run } : {}),
      })
      .catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not write the journal'));
  }
}
