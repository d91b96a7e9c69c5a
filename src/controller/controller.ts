
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { Document } from 'yaml';
import { RERUN_ANNOTATION, type SparkJob, type SparkJobSpec } from '../api/spark-job.js';
import { SparkJobStatusSchema, TERMINAL_PHASES, type Phase, type SparkJobStatus } from '../api/status.js';
import type { OwnedDriver } from '../backends/ports.js';
import { messageOf as errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { phaseOf, projectStatus, reasonOf } from '../machines/project-status.js';
import { withInvalidRevision } from '../manifest/invalid-status.js';
import type { JobContext } from '../machines/types.js';
import { listManifests } from '../manifest/find-manifest-files.js';
import { parseManifestRead } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
import { runHash } from '../manifest/run-hash.js';
import { canonicalJson } from '../manifest/spec-hash.js';
import { loadHashKey, type HashKey } from '../secrets/hash-key.js';
import { looseSecretValues, redactSecrets, redactStatus, secretValues } from '../secrets/redact.js';
import { contentHash, writeStatus } from '../manifest/write-status.js';
import { checkPolicy } from '../policy/check-policy.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { machineWithBackends, type Backends } from './job-actors.js';
import { Journal } from '../state/journal.js';
import { readAllJobRecords } from '../state/read-journal.js';
import { type JobEventRecord } from '../state/journal-paths.js';
import { acquireStateLock } from '../state/state-lock.js';
import { sweepTempFiles } from './sweep-temp-files.js';
import { watchFolder, type FolderWatcher } from './watch-folder.js';
import { WorkQueue } from './work-queue.js';

/** What a controller is built from; main.ts fills it from flags. */
export interface ControllerOptions {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly backends: Backends;
  readonly logger: Logger;
  readonly workers?: number;
  /** Full relist period, catching file events the watcher missed. */
  readonly relistIntervalMs?: number;
  readonly policy?: Policy;
  /**
   * How long a job whose manifest vanished or stopped parsing keeps running before it is
   * released (editors that truncate and rewrite, or save through a backup and a rename, and
   * `git mv` all pass through such a moment). Default 5 s; 0 releases at once.
   */
  readonly missingGraceMs?: number;
  readonly metricsAddr?: string;
  /** Called on every phase change (metrics hook). */
  readonly onPhase?: (name: string, from: Phase | undefined, to: Phase) => void;
  /** Called after each reconcile with its duration (metrics hook). */
  readonly onReconcile?: (seconds: number, ok: boolean) => void;
  /** Where `secretRef.env` values are looked up to mask them in messages (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

type JobMachine = ReturnType<typeof machineWithBackends>;
type JobActor = Actor<JobMachine>;

interface JobEntry {
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
}

/** Default of ControllerOptions.missingGraceMs (`--missing-grace`). */
export const DEFAULT_MISSING_GRACE_MS = 5_000;

/** Secrets of a job's earlier specs stay masked: messages about the old run may still quote them. */
const mergeSecrets = (old: readonly string[], next: readonly string[]): string[] => [...new Set([...next, ...old])].sort((a, b) => b.length - a.length);

const statusKeys = new WeakMap<SparkJobStatus, string>();
/** A canonical string of a status, for comparing; remembered per status object (statuses are never mutated). */
const statusKey = (s: SparkJobStatus | undefined): string => {
  if (s === undefined) return '';
  let key = statusKeys.get(s);
  if (key === undefined) {
    key = canonicalJson(SparkJobStatusSchema.parse(s));
    statusKeys.set(s, key);
  }
  return key;
};


/** The status block of a manifest that did not validate, from its already parsed plain data (best effort). */
function looseStatus(value: unknown): { phase?: unknown; message?: unknown } | undefined {
  const status = (value as { status?: unknown } | null | undefined)?.status;
  return status !== null && typeof status === 'object' ? (status as { phase?: unknown; message?: unknown }) : undefined;
}

/** A best-effort metadata.name of a manifest that did not validate, from its already parsed plain data. */
function looseName(value: unknown): string | undefined {
  const meta = (value as { metadata?: unknown } | null | undefined)?.metadata;
  const n = meta !== null && typeof meta === 'object' ? (meta as { name?: unknown }).name : undefined;
  return typeof n === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) && n.length <= 63 ? n : undefined;
}

/**
 * The reconciler: folder events and relists enqueue a manifest path; each reconcile reads the
 * file and the job's actor, sends the events that close the gap, and projects status back.
 */
export class Controller {
  private readonly journal: Journal;
  private readonly queue = new WorkQueue({ baseMs: 100, maxMs: 60_000 });
  private readonly entries = new Map<string, JobEntry>();
  private readonly fileToName = new Map<string, string>();
  /** Per file: the content hash last reconciled, so unchanged files cost one read. */
  private readonly seen = new Map<string, string>();
  private readonly log: Logger;
  private readonly policy: Policy;
  private watcher?: FolderWatcher;
  private watchedRoot?: string;
  private relistTimer?: NodeJS.Timeout;
  private unlock?: () => Promise<void>;
  private running?: Promise<void>;
  private initialSyncDone = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private readonly machine: JobMachine;
  private readonly missingGraceMs: number;
  /** The state dir's key for hashing secret values; loaded (or created) by start(). */
  private hashKey?: HashKey;

  constructor(private readonly options: ControllerOptions) {
    this.journal = new Journal(options.stateDir);
    this.log = options.logger.child({ module: 'controller' });
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.missingGraceMs = options.missingGraceMs ?? DEFAULT_MISSING_GRACE_MS;
    this.machine = machineWithBackends(options.backends, this.journal, (name, message) => {
      const actor = this.entries.get(name)?.actor;
      if (actor && actor.getSnapshot().context.progress !== message) actor.send({ type: 'job.progress', message });
    });
  }

  /** Takes the lock, restores jobs from the journal, adopts their drivers, and starts watching. */
  async start(): Promise<void> {
    await this.journal.init();
    this.unlock = await acquireStateLock(this.options.stateDir, { jobsDir: this.options.jobsDir, metricsAddr: this.options.metricsAddr });
    try {
      this.hashKey = loadHashKey(this.options.stateDir);
      await this.restoreFromJournal();
      await this.reportOrphans();
      const files = await listManifests(this.options.jobsDir);
      await this.watchJobsFolder();
      for (const f of new Set([...files, ...this.fileToName.keys()])) this.queue.add(f);
      this.running = this.queue.run(this.options.workers ?? 4, (key) => this.reconcileSafely(key));
      void this.queue.whenDrained().then(() => {
        this.initialSyncDone = true;
        this.checkIdle();
      });
      const every = this.options.relistIntervalMs ?? 30_000;
      this.relistTimer = setInterval(() => void this.relist(), every);
      this.relistTimer.unref();
      this.log.info({ jobsDir: this.options.jobsDir, stateDir: this.options.stateDir, jobs: files.length }, 'Started controller');
    } catch (err) {
      await this.unlock();
      throw err;
    }
  }

  /** Resolves once every job is finished, suspended or invalid and nothing is queued. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /** Stops taking work and leaves running drivers running; the next start adopts them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.relistTimer);
    await this.watcher?.close();
    this.queue.shutDown();
    await this.running;
    for (const entry of this.entries.values()) {
      const snap = entry.actor.getSnapshot();
      if (snap.status === 'active') void this.saveRecord(entry);
      entry.actor.stop();
    }
    await this.journal.flush();
    await this.unlock?.();
    this.log.info('Stopped controller; running drivers were left running');
  }

  /** The phase of every known job (for metrics and the idle check). */
  phases(): Map<string, Phase> {
    const out = new Map<string, Phase>();
    for (const [name, e] of this.entries) out.set(name, phaseOf(e.actor.getSnapshot().value));
    return out;
  }

  /** Why the journal cannot record a job right now (fail-stop holds that job's driver), or undefined. */
  journalProblem(): string | undefined {
    return this.journal.problem();
  }

  /** Keys waiting for a worker. */
  get queueDepth(): number {
    return this.queue.depth;
  }

  /**
   * Watches the jobs folder's real path. When the folder is a link that a git sync flips to a
   * new revision, the next relist moves the watcher to the new target.
   */
  private async watchJobsFolder(): Promise<void> {
    const root = await realpath(this.options.jobsDir).catch(() => this.options.jobsDir);
    if (this.watcher && root === this.watchedRoot) {
      await this.watcher.refresh();
      return;
    }
    const old = this.watcher;
    this.watchedRoot = root;
    const next = await watchFolder(
      root,
      (rel) => this.queue.add(rel),
      (err) => this.log.warn({ err }, 'Watcher failed; relying on relists'),
      () => void this.relist(),
    );
    this.watcher = next;
    await old?.close();
    if (this.stopped) await next.close();
  }

  /** Enqueues every manifest and every known file (catches missed events). */
  async relist(): Promise<void> {
    try {
      if (!this.stopped) await this.watchJobsFolder();
      const files = await listManifests(this.options.jobsDir);
      for (const f of new Set([...files, ...this.fileToName.keys()])) this.queue.add(f);
      const swept = await sweepTempFiles(this.options.jobsDir);
      if (swept.length > 0) this.log.warn({ files: swept }, 'Removed temp files a crashed writer left in the jobs folder');
    } catch (err) {
      this.log.error({ err, jobsDir: this.options.jobsDir }, 'Could not list the jobs folder');
    }
  }

  private async restoreFromJournal(): Promise<void> {
    const records = await readAllJobRecords(this.options.stateDir, (name, err) =>
      this.log.error({ err, job: name }, 'Skipped an unreadable journal record'),
    );
    for (const rec of records) {
      if (rec.snapshot === undefined) continue;
      const snap = rec.snapshot as { status?: string; context?: JobContext };
      if (snap.status !== 'active' || !snap.context) continue;
      try {
        const ctx = snap.context;
        if (ctx.reservation) (ctx.spec.mode === 'cluster' ? this.options.backends.mesos() : this.options.backends.docker).reclaim(ctx.reservation);
        const actor = createActor(this.machine, { snapshot: rec.snapshot as SnapshotFrom<JobMachine>, input: { name: rec.name, spec: ctx.spec, specHash: ctx.specHash } });
        // Until the first reconcile judges the policy, only the secrets the spec itself carries are known.
        const entry: JobEntry = { name: rec.name, file: rec.file, actor, status: rec.status, secrets: looseSecretValues({ spec: ctx.spec }) };
        this.track(entry);
        this.log.info({ job: rec.name, phase: rec.status.phase }, 'Restored job from the journal');
        actor.start();
      } catch (err) {
        this.log.error({ err, job: rec.name }, 'Could not restore a job from the journal; it will start afresh');
      }
    }
  }

  private async reportOrphans(): Promise<void> {
    let drivers: OwnedDriver[];
    try {
      drivers = await this.options.backends.docker.listDrivers({ signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'Could not list drivers for adoption; will adopt as jobs reconnect');
      return;
    }
    for (const d of drivers) {
      const entry = this.entries.get(d.job);
      const ctx = entry?.actor.getSnapshot().context;
      const known = ctx !== undefined && ctx.attempt === d.attempt;
      if (known) {
        this.log.info({ job: d.job, attempt: d.attempt }, 'Adopted running driver');
        continue;
      }
      this.log.warn({ job: d.job, attempt: d.attempt, driver: d.ref }, 'Found a driver no job owns; left it alone');
      if (entry) void this.event(d.job, 'Warning', 'Orphaned', `driver ${d.ref.containerName ?? d.ref.containerId} (attempt ${d.attempt}) is not the job's current run; it was left running`);
    }
  }

  private track(entry: JobEntry): void {
    this.entries.set(entry.name, entry);
    this.fileToName.set(entry.file, entry.name);
    let last: Phase | undefined = entry.status?.phase;
    let lastReason = entry.status?.conditions.find((c) => c.type === 'Reconciling')?.reason;
    entry.actor.subscribe({
      next: (snap) => {
        if (this.stopped) return;
        if (snap.status === 'done') {
          void this.forget(entry);
          return;
        }
        // The one place a job's messages are produced: status, conditions, then events and logs copy from here.
        const status = redactStatus(withInvalidRevision(projectStatus(snap, entry.status), entry.invalidRevision), entry.secrets);
        entry.status = status;
        if (snap.context.expired && !entry.forgotten) {
          entry.forgotten = true;
          void this.journal.forgetHistory(entry.name).catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not forget expired results'));
        }
        const reason = reasonOf(status.phase, snap.context);
        if (status.phase !== last || reason !== lastReason) {
          const warn = status.phase === 'Failed' || status.phase === 'Retrying' || status.phase === 'Invalid' || reason === 'InsufficientResources' || reason === 'EngineUnavailable' || reason === 'JournalUnavailable';
          void this.event(entry.name, warn ? 'Warning' : 'Normal', reason, status.message ?? status.phase, snap.context.attempt);
          this.options.onPhase?.(entry.name, last, status.phase);
          if (status.phase !== last) this.log.info({ job: entry.name, phase: status.phase, reason }, 'Job changed phase');
          last = status.phase;
          lastReason = reason;
        }
        void this.saveRecord(entry);
        this.queue.add(entry.file);
        this.checkIdle();
      },
      error: (err) => this.log.error({ err: redactSecrets(errorMessage(err), entry.secrets), job: entry.name }, 'Job actor failed'),
    });
  }

  private async forget(entry: JobEntry): Promise<void> {
    this.options.onPhase?.(entry.name, entry.status?.phase, 'Succeeded');
    await this.event(entry.name, 'Normal', 'Deleted', 'Manifest removed; resources released');
    // The name stays taken until its journal is moved aside, so a new job of that name starts clean.
    await this.journal.removeJob(entry.name);
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (this.fileToName.get(entry.file) === entry.name) this.fileToName.delete(entry.file);
    // A manifest that came back while the old job was being released starts a new job.
    this.seen.delete(entry.file);
    this.queue.add(entry.file);
    this.log.info({ job: entry.name }, 'Released and forgot deleted job');
    this.checkIdle();
  }

  private saveRecord(entry: JobEntry): Promise<void> {
    const status = entry.status;
    if (!status) return Promise.resolve();
    return this.journal
      .saveRecord({ name: entry.name, file: entry.file, snapshot: entry.actor.getPersistedSnapshot(), status, updatedAt: new Date().toISOString() })
      .catch((err: unknown) => this.log.error({ err, job: entry.name }, 'Could not write the journal'));
  }

  private event(name: string, type: JobEventRecord['type'], reason: string, message: string, attempt?: number): Promise<void> {
    const ev: JobEventRecord = { time: new Date().toISOString(), type, reason, message, ...(attempt ? { attempt } : {}) };
    return this.journal.appendEvent(name, ev).catch((err: unknown) => this.log.error({ err, job: name }, 'Could not record an event'));
  }

  private async reconcileSafely(file: string): Promise<void> {
    const began = performance.now();
    try {
      await this.reconcile(file);
      this.queue.forget(file);
      this.options.onReconcile?.((performance.now() - began) / 1000, true);
    } catch (err) {
      this.options.onReconcile?.((performance.now() - began) / 1000, false);
      const delay = this.queue.addRateLimited(file);
      this.log.error({ err, file, retryInMs: delay }, 'Reconcile failed; will retry');
    }
    // The key is still marked processing here; look again once the worker lets go of it.
    setImmediate(() => this.checkIdle());
  }

  /** Level-triggered: reads the file and the job, and closes the gap; never asks which event happened. */
  private async reconcile(file: string): Promise<void> {
    const abs = join(this.options.jobsDir, file);
    const root = await realpath(this.options.jobsDir);
    const read = await readManifestFile(root, file);
    if (read.kind === 'refused') {
      // Reported once per reason: relists list links and special files again and again.
      const key = `refused:${read.reason}`;
      const reported = this.seen.get(file) === key;
      this.handleGone(file);
      if (!reported) this.log.warn({ file }, `Ignored ${read.reason}`);
      this.seen.set(file, key);
      return;
    }
    if (read.kind === 'gone') {
      this.handleGone(file);
      return;
    }
    const bytes = read.bytes;
    if (read.truncated) {
      // Over the size limit: reported once per content, never parsed or written to.
      const key = `size:${bytes.length}:${contentHash(bytes)}`;
      const reported = this.seen.get(file) === key;
      this.handleGone(file);
      if (!reported) {
        const result = parseManifestRead(read, file);
        this.log.warn({ file, error: result.ok ? '' : result.errors.map((e) => e.message).join('; ') }, 'Manifest is invalid');
      }
      this.seen.set(file, key);
      return;
    }
    const hash = contentHash(bytes);
    const known = this.fileToName.get(file);
    const entry0 = known ? this.entries.get(known) : undefined;
    if (this.seen.get(file) === hash && (entry0 === undefined || entry0.fileStatusKey === statusKey(entry0.status))) {
      this.endGrace(entry0, file);
      return;
    }

    // The one parse of this content: everything below (name, status, errors) comes from it.
    const parsed = parseManifestRead(read, file);
    if (!parsed.ok) {
      const message = redactSecrets(parsed.errors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`).join('; '), parsed.secrets ?? []);
      await this.handleInvalid(file, abs, bytes, message, parsed.value, parsed.doc);
      return;
    }
    const job = parsed.job;
    const name = job.metadata.name;
    // Before any entry is looked at: the check follows links on disk and awaits.
    const { violations } = await checkPolicy(job.spec, this.policy);
    let entry = this.entries.get(name);
    if (entry0 && entry0.name === name) this.endGrace(entry0, file);
    if (entry && entry.file === file && entry.invalidRevision !== undefined) this.setInvalidRevision(entry, undefined);
    if (entry && entry.file !== file) {
      if (await this.stillNames(root, entry.file, name)) {
        const current = readStatusFromDoc(parsed.doc);
        await this.writeInvalidStatus(file, abs, bytes, `metadata.name ${name} is already used by ${entry.file}; names must be unique in the jobs folder`, current, parsed.doc);
        return;
      }
      // Moved or renamed (git mv, a new folder): the same job, now in this file; a same spec keeps its run.
      this.log.info({ job: name, from: entry.file, to: file }, 'Manifest moved; the job follows it');
      this.fileToName.delete(entry.file);
      this.seen.delete(entry.file);
      entry.file = file;
      this.fileToName.set(file, name);
      this.endGrace(entry, file);
    }
    if (known && known !== name) this.handleGone(file, { now: true });
    if (entry?.actor.getSnapshot().status === 'done') return; // being forgotten; re-enqueued after
    // A job the policy refuses gets no secretRef lookups: masking a value it was not granted would tell its author whether a guess matched.
    const secrets = violations.length > 0 ? looseSecretValues(job) : secretValues(job.spec, this.options.env ?? process.env);
    if (entry) entry.secrets = mergeSecrets(entry.secrets, secrets);
    else entry = this.createEntry(name, file, job, secrets);
    this.steer(entry, job, violations.map((v) => `${v.path}: ${v.message}`).join('; '));

    const fileStatus = readStatusFromDoc(parsed.doc);
    const want = entry.status;
    const wantKey = statusKey(want);
    if (want && statusKey(fileStatus) !== wantKey) {
      // Written only onto the content just reconciled: a newer edit is reconciled first, never skipped.
      const res = await writeStatus(abs, want, { within: root, expectedHash: hash, parsed: { hash, doc: parsed.doc } });
      if (res.reason === 'conflict') {
        this.queue.add(file);
        return;
      }
      if (res.written && res.contentHash) {
        this.seen.set(file, res.contentHash);
        entry.fileStatusKey = wantKey;
        return;
      }
    } else {
      entry.fileStatusKey = wantKey;
    }
    this.seen.set(file, hash);
  }

  private runHashOf(spec: SparkJobSpec): string {
    if (!this.hashKey) throw new Error('the controller hashed a spec before start() loaded its hash key');
    return runHash(spec, this.hashKey);
  }

  private createEntry(name: string, file: string, job: SparkJob, secrets: string[]): JobEntry {
    const actor = createActor(this.machine, {
      input: { name, spec: job.spec, specHash: this.runHashOf(job.spec), lastHandledRerunAt: job.metadata.annotations[RERUN_ANNOTATION], suspended: job.spec.suspend },
    });
    const entry: JobEntry = { name, file, actor, secrets };
    this.track(entry);
    void this.event(name, 'Normal', 'Added', `SparkJob ${name} found in ${file}`);
    actor.start();
    return entry;
  }

  /** Sends the events that bring a job's actor to what its manifest asks for. */
  private steer(entry: JobEntry, job: SparkJob, violation: string): void {
    const actor = entry.actor;
    const ctx = () => actor.getSnapshot().context;
    const value = () => actor.getSnapshot().value;
    if (violation) {
      if (phaseOf(value()) !== 'Invalid' || ctx().message !== violation) actor.send({ type: 'job.invalidate', message: violation, reason: 'PolicyViolation' });
      return;
    }
    const wanted = this.runHashOf(job.spec);
    if (ctx().specHash !== wanted || phaseOf(value()) === 'Invalid') actor.send({ type: 'job.specChanged', spec: job.spec, specHash: wanted });
    const phase = phaseOf(value());
    if (job.spec.suspend && phase !== 'Suspended' && !TERMINAL_PHASES.has(phase)) actor.send({ type: 'job.suspend' });
    if (!job.spec.suspend && phase === 'Suspended') actor.send({ type: 'job.resume' });
    const rerun = job.metadata.annotations[RERUN_ANNOTATION];
    if (rerun !== undefined && rerun !== ctx().lastHandledRerunAt && !job.spec.suspend) actor.send({ type: 'job.rerun', requestedAt: rerun });
  }

  /** Whether `file` still holds job `name`: known without parsing when its content is the one last reconciled. */
  private async stillNames(root: string, file: string, name: string): Promise<boolean> {
    const read = await readManifestFile(root, file).catch(() => undefined);
    if (read?.kind !== 'file') return false;
    if (this.seen.get(file) === contentHash(read.bytes)) return this.fileToName.get(file) === name;
    const other = parseManifestRead(read, file);
    return (other.ok ? other.job.metadata.name : looseName(other.value)) === name;
  }

  private async handleInvalid(file: string, abs: string, bytes: Buffer, message: string, value: unknown, doc: Document | undefined): Promise<void> {
    const name = looseName(value) ?? this.fileToName.get(file);
    const entry = name ? this.entries.get(name) : undefined;
    const hadValidSpec = entry !== undefined && entry.file === file && phaseOf(entry.actor.getSnapshot().value) !== 'Invalid';
    // A save in progress (truncated, half written) is not a new spec: wait, then look again.
    if (hadValidSpec && this.holdDuringGrace(entry, file, 'unreadable')) return;
    if (hadValidSpec) {
      // An invalid revision never stops what runs: the last valid spec goes on, Stalled says why.
      entry.graceUntil = undefined;
      this.setInvalidRevision(entry, message);
      this.log.warn({ file, job: entry.name, error: message }, 'Manifest is invalid; the job keeps its last valid spec');
      await this.writeKeptStatus(entry, file, abs, bytes, doc);
      this.checkIdle();
      return;
    }
    if (entry && entry.file === file) {
      const snap = entry.actor.getSnapshot();
      if (phaseOf(snap.value) !== 'Invalid' || snap.context.message !== message) entry.actor.send({ type: 'job.invalidate', message, reason: 'InvalidSpec' });
    }
    this.log.warn({ file, error: message }, 'Manifest is invalid');
    await this.writeInvalidStatus(file, abs, bytes, message, looseStatus(value), doc);
  }

  /** Records (or clears) that a job's manifest no longer validates; its status is projected again and saved. */
  private setInvalidRevision(entry: JobEntry, problem: string | undefined): void {
    if (entry.invalidRevision === problem) return;
    entry.invalidRevision = problem;
    entry.status = redactStatus(withInvalidRevision(projectStatus(entry.actor.getSnapshot(), entry.status), problem), entry.secrets);
    if (problem !== undefined) void this.event(entry.name, 'Warning', 'InvalidSpec', `manifest ${entry.file} is invalid; the last valid spec is kept: ${problem}`);
    else void this.event(entry.name, 'Normal', 'SpecValid', `manifest ${entry.file} is valid again`);
    void this.saveRecord(entry);
  }

  /** Writes a kept job's status (with its InvalidSpec condition) into the invalid content, when that content can carry one. */
  private async writeKeptStatus(entry: JobEntry, file: string, abs: string, bytes: Buffer, doc: Document | undefined): Promise<void> {
    const want = entry.status;
    const hash = contentHash(bytes);
    if (!want) return;
    try {
      const res = await writeStatus(abs, want, { expectedHash: hash, within: await realpath(this.options.jobsDir), ...(doc ? { parsed: { hash, doc } } : {}) });
      if (res.reason === 'conflict') {
        this.queue.add(file);
        return;
      }
      this.seen.set(file, res.written && res.contentHash ? res.contentHash : hash);
    } catch (err) {
      // Not even a YAML mapping: the status lives in the journal (get and describe show it).
      this.log.debug({ err: errorMessage(err), file }, 'Could not write the status into an invalid manifest');
      this.seen.set(file, hash);
    }
    entry.fileStatusKey = statusKey(want);
  }

  /** Writes an Invalid status into the very content that was judged invalid; a file changed since is looked at again. */
  private async writeInvalidStatus(
    file: string,
    abs: string,
    bytes: Buffer,
    message: string,
    current: { phase?: unknown; message?: unknown } | undefined,
    doc: Document | undefined,
  ): Promise<void> {
    const now = new Date().toISOString();
    const status: SparkJobStatus = {
      phase: 'Invalid',
      conditions: [
        { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message, lastTransitionTime: now },
        { type: 'Reconciling', status: 'False', reason: 'Invalid', message: '', lastTransitionTime: now },
      ],
      submissionAttempts: 0,
      executionAttempts: 0,
      message,
    };
    const hash = contentHash(bytes);
    if (this.seen.get(file) === hash) return;
    if (current?.phase === 'Invalid' && current.message === message) {
      this.seen.set(file, hash);
      return;
    }
    try {
      const res = await writeStatus(abs, status, { expectedHash: hash, within: await realpath(this.options.jobsDir), ...(doc ? { parsed: { hash, doc } } : {}) });
      if (res.reason === 'conflict') {
        this.queue.add(file);
        return;
      }
      this.seen.set(file, res.written && res.contentHash ? res.contentHash : hash);
    } catch (err) {
      // A file that is not even a YAML mapping cannot carry a status; the error is in the log.
      this.log.debug({ err: errorMessage(err), file }, 'Could not write an Invalid status');
      this.seen.set(file, hash);
    }
  }

  /**
   * Starts (or continues) the grace of a job whose manifest is missing or unparsable. Returns
   * true while it runs: nothing is released, nothing written into the file; a re-check is queued
   * for when it ends.
   */
  private holdDuringGrace(entry: JobEntry, file: string, what: 'missing' | 'unreadable'): boolean {
    if (this.missingGraceMs <= 0) return false;
    const now = Date.now();
    if (entry.graceUntil === undefined) {
      entry.graceUntil = now + this.missingGraceMs;
      const timer = setTimeout(() => this.queue.add(file), this.missingGraceMs + 20);
      timer.unref();
      this.log.info({ job: entry.name, file, graceMs: this.missingGraceMs }, `Manifest ${what}; keeping the job until the grace period ends`);
    }
    return now < entry.graceUntil;
  }

  /** Ends a job's grace: its manifest reads again (in its file or another). */
  private endGrace(entry: JobEntry | undefined, file: string): void {
    if (entry?.graceUntil === undefined) return;
    entry.graceUntil = undefined;
    this.log.info({ job: entry.name, file }, 'Manifest is back; the job carries on');
    this.checkIdle();
  }

  private handleGone(file: string, opts: { now?: boolean } = {}): void {
    const name = this.fileToName.get(file);
    const held = name ? this.entries.get(name) : undefined;
    if (!opts.now && held && held.file === file && this.holdDuringGrace(held, file, 'missing')) return;
    this.seen.delete(file);
    this.fileToName.delete(file);
    if (!name) return;
    const entry = this.entries.get(name);
    if (!entry || entry.file !== file) return;
    entry.graceUntil = undefined;
    this.log.info({ job: name, file }, 'Manifest removed; releasing the job');
    entry.actor.send({ type: 'job.delete' });
  }

  private checkIdle(): void {
    if (!this.initialSyncDone || this.idleWaiters.length === 0) return;
    if (this.queue.busy > 0) return;
    for (const e of this.entries.values()) {
      if (e.graceUntil !== undefined) return;
      const phase = phaseOf(e.actor.getSnapshot().value);
      if (!TERMINAL_PHASES.has(phase) && phase !== 'Suspended') return;
    }
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
