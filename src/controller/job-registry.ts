// Over 300 lines: the one path from a job's snapshot (its actor's, or its snapshot at rest) to its status, record and events.
import { createActor, type SnapshotFrom } from 'xstate';
import { RERUN_ANNOTATION, type SparkJob } from '../api/spark-job.js';
import { severityOf } from '../api/conditions.js';
import type { Phase, SparkJobStatus } from '../api/status.js';
import { messageOf as errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { atRest, neverStarted, resolvePersisted, restingAtBirth, type RestingStep } from '../machines/at-rest.js';
import { phaseOf, projectStatus, reasonOf } from '../machines/project-status.js';
import type { JobContext, JobInput } from '../machines/types.js';
import { withInvalidRevision } from '../manifest/invalid-status.js';
import { canonicalJson } from '../manifest/spec-hash.js';
import { looseSecretValues, redactSecrets, redactStatus } from '../secrets/redact.js';
import type { JobEventRecord, JobRecord, RunOrigin } from '../state/journal-paths.js';
import type { Journal } from '../state/journal.js';
import { JobHandle, type JobActor, type JobMachine } from './job-handle.js';

export type { JobActor, JobMachine } from './job-handle.js';

/** What the controller knows about one job besides its actor's snapshot. */
export interface JobEntry {
  readonly name: string;
  file: string;
  /** The job's actor, started only when an event needs one (job-handle.ts); a job at rest has a snapshot only. */
  readonly actor: JobHandle;
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
  readonly released: (file: string, name: string) => void;
  /** Something a waiter for idleness cares about changed. */
  readonly changed: () => void;
  /** True once the controller stops: snapshots are no longer projected. */
  readonly stopped: () => boolean;
}

const statusKeys = new WeakMap<SparkJobStatus, string>();
/**
 * A canonical string of a status, for comparing; remembered per status object (statuses are never
 * mutated). Statuses read from a file come through the schema (read-status.ts); projected ones
 * are already in its shape (test/controller/job-registry-rest.test.ts checks a lifecycle's worth).
 */
export const statusKey = (s: SparkJobStatus | undefined): string => {
  if (s === undefined) return '';
  let key = statusKeys.get(s);
  if (key === undefined) {
    key = canonicalJson(s);
    statusKeys.set(s, key);
  }
  return key;
};

/** How a changed snapshot is handled: saved even when its status did not change; its file looked at again. */
interface SnapshotOptions {
  readonly saveIfSame: boolean;
  readonly requeue: boolean;
}

/** What the registry remembers of a job's last announcement (an event when the phase or reason it shows changes). */
interface Announced {
  last?: Phase;
  lastReason?: string;
  /** Restored from the journal: its first snapshot adds no event for the phase it already had. */
  restored: boolean;
}

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
  private readonly announced = new WeakMap<JobEntry, Announced>();
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

  /**
   * Starts a new job for a valid manifest; one that rests at once (suspended) gets no actor until an
   * event needs one. `shown`: the status its file shows (a job whose record a crash lost keeps the
   * times of conditions that did not change).
   */
  create(
    name: string,
    file: string,
    job: SparkJob,
    specHash: string,
    secrets: string[],
    run?: RunOrigin,
    shown?: SparkJobStatus,
  ): JobEntry {
    const input: JobInput = {
      name,
      spec: job.spec,
      specHash,
      lastHandledRerunAt: job.metadata.annotations[RERUN_ANNOTATION],
      suspended: job.spec.suspend,
    };
    const birth = restingAtBirth(this.machine, input);
    const fields = { name, file, secrets, ...(run ? { run } : {}), ...(shown ? { status: shown } : {}) };
    const entry = this.track(fields, birth?.snapshot, undefined, { restored: false });
    const added = run ? `run of schedule ${run.schedule} for ${run.scheduledAt}${run.manual ? ' (triggered)' : ''}` : `found in ${file}`;
    void this.event(name, 'Normal', 'Added', `SparkJob ${name} ${added}`);
    // Created inside the reconcile of its file, whose next step writes the status: no need to look at the file again.
    if (birth) this.rested(entry, birth, { saveIfSame: true, requeue: run !== undefined });
    else this.listen(entry, createActor(this.machine, { input })).start();
    return entry;
  }

  /**
   * Brings back every job the journal holds as active; `reclaim` gets each one's context first
   * (reservations). A job at rest keeps its snapshot without an actor; the others restart theirs.
   */
  restore(records: readonly JobRecord[], reclaim: (ctx: JobContext) => void): void {
    for (const rec of records) {
      if (rec.snapshot === undefined) continue;
      const snap = rec.snapshot as { status?: string; value?: unknown; context?: JobContext };
      if (snap.status !== 'active' || !snap.context) continue;
      try {
        const ctx = snap.context;
        reclaim(ctx);
        const resolved = resolvePersisted(this.machine, { value: snap.value, context: ctx });
        const rests = atRest(resolved);
        // Until the first reconcile judges the policy, only the secrets the spec itself carries are known.
        const entry = this.track(
          {
            name: rec.name,
            file: rec.file,
            status: rec.status,
            secrets: looseSecretValues({ spec: ctx.spec }),
            ...(rec.run ? { run: rec.run } : {}),
          },
          rests ? resolved : undefined,
          rec.snapshot,
          {
            last: rec.status.phase,
            lastReason: rec.status.conditions.find((c) => c.type === 'Reconciling')?.reason,
            restored: true,
          },
        );
        this.log.info({ job: rec.name, phase: rec.status.phase }, 'Restored job from the journal');
        if (rests) this.changedSnapshot(entry, resolved, { saveIfSame: false, requeue: true });
        else entry.actor.wake();
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

  /** Saves every running job's record (and any whose last save failed) and stops its actor (drivers keep running). */
  stopAll(): void {
    for (const entry of this.entries.values()) {
      // A job at rest had every change saved when it happened.
      const unsaved = entry.actor.awake || this.hooks.journal.failed(entry.name);
      if (unsaved && entry.actor.getSnapshot().status === 'active') void this.saveRecord(entry);
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

  /** Registers a job with its handle (a snapshot at rest, or none until listen() attaches an actor). */
  private track(
    fields: Omit<JobEntry, 'actor'>,
    resting: SnapshotFrom<JobMachine> | undefined,
    persisted: unknown,
    announced: Announced,
  ): JobEntry {
    const entry: JobEntry = {
      ...fields,
      actor: new JobHandle(this.machine, resting, persisted, {
        wake: (from) =>
          this.listen(entry, createActor(this.machine, { snapshot: from as SnapshotFrom<JobMachine>, input: inputOf(entry.name, from) })),
        rested: (step) => this.rested(entry, step, { saveIfSame: true, requeue: true }),
      }),
    };
    this.announced.set(entry, announced);
    this.entries.set(entry.name, entry);
    // A run has no file of its own: its changes requeue its schedule's file, which never names it.
    if (!entry.run) this.fileToName.set(entry.file, entry.name);
    return entry;
  }

  /** Attaches a new actor to a job's handle, announcing and saving what it does (the caller starts it). */
  private listen(entry: JobEntry, actor: JobActor): JobActor {
    entry.actor.attach(actor);
    // The machine announces every transition that may change what its status shows (emitted after the transition is applied).
    actor.on('job.transitioned', () => this.announce(entry));
    actor.subscribe({
      next: (snap) => this.changedSnapshot(entry, snap, { saveIfSame: true, requeue: true }),
      error: (err) => this.log.error({ err: redactSecrets(errorMessage(err), entry.secrets), job: entry.name }, 'Job actor failed'),
    });
    return actor;
  }

  /** A step taken without an actor: its announcements, then its snapshot, as an actor would deliver them. */
  private rested(entry: JobEntry, step: RestingStep, opts: SnapshotOptions): void {
    for (let i = 0; i < step.announcements; i++) this.announce(entry);
    this.changedSnapshot(entry, step.snapshot, opts);
  }

  /** Records an event (and tells metrics and the log) when the phase or reason the job shows differs from the last one. */
  private announce(entry: JobEntry): void {
    const snap = entry.actor.getSnapshot();
    const seen = this.announced.get(entry)!;
    if (this.hooks.stopped() || snap.status !== 'active') return;
    const phase = phaseOf(snap);
    const reason = reasonOf(phase, snap.context);
    if (phase === seen.last && reason === seen.lastReason) return;
    const status = this.project(entry);
    void this.event(entry.name, severityOf(reason, phase), reason, status.message ?? phase, snap.context.attempt);
    this.hooks.onPhase?.(entry.name, seen.last, phase);
    if (phase !== seen.last) this.log.info({ job: entry.name, phase, reason }, 'Job changed phase');
    seen.last = phase;
    seen.lastReason = reason;
  }

  /** A job's snapshot changed: project its status, save its record, look at its file again. */
  private changedSnapshot(entry: JobEntry, snap: SnapshotFrom<JobMachine>, opts: SnapshotOptions): void {
    if (this.hooks.stopped()) return;
    if (snap.status === 'done') {
      void this.forget(entry);
      return;
    }
    const seen = this.announced.get(entry)!;
    if (seen.restored) {
      // A restored job announces nothing on start: the journal's phase is its own unless the snapshot says otherwise.
      seen.restored = false;
      if (phaseOf(snap) === seen.last) seen.lastReason = reasonOf(seen.last, snap.context);
      this.announce(entry);
    }
    const before = entry.status;
    entry.status = this.project(entry);
    if (snap.context.expired && !entry.forgotten) {
      entry.forgotten = true;
      void this.hooks.journal
        .forgetHistory(entry.name)
        .catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not forget expired results'));
    }
    // A job restored at rest whose status projects as the journal has it: its record is on disk already.
    if (!opts.saveIfSame && statusKey(before) === statusKey(entry.status)) return;
    void this.saveRecord(entry);
    if (opts.requeue) this.hooks.requeue(entry.file);
    this.hooks.changed();
  }

  private async forget(entry: JobEntry): Promise<void> {
    this.hooks.onPhase?.(entry.name, entry.status?.phase, 'Succeeded');
    await this.event(entry.name, 'Normal', 'Deleted', 'Manifest removed; resources released');
    // The name stays taken until its journal is moved aside, so a new job of that name starts clean.
    await this.hooks.journal.removeJob(entry.name);
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (this.fileToName.get(entry.file) === entry.name) this.fileToName.delete(entry.file);
    // A manifest that came back while the old job was being released starts a new job.
    this.hooks.released(entry.file, entry.name);
    this.log.info({ job: entry.name }, 'Released and forgot deleted job');
    this.hooks.changed();
  }

  private saveRecord(entry: JobEntry): Promise<void> {
    const status = entry.status;
    if (!status) return Promise.resolve();
    const snap = entry.actor.getSnapshot();
    return this.hooks.journal
      .saveRecord(
        {
          name: entry.name,
          file: entry.file,
          snapshot: entry.actor.getPersistedSnapshot(),
          status,
          updatedAt: new Date().toISOString(),
          ...(entry.run ? { run: entry.run } : {}),
        },
        { durable: entry.run !== undefined || !neverStarted(snap.context, phaseOf(snap)) },
      )
      .catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not write the journal'));
  }
}

/** What an actor restored from a persisted snapshot is created with (the snapshot's context wins). */
function inputOf(name: string, persisted: unknown): JobInput {
  const { spec, specHash } = (persisted as { context: JobContext }).context;
  return { name, spec, specHash };
}
