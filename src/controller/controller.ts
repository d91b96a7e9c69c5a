// Over 300 lines: the runner wires the journal, registry, schedules, queue, watcher and control socket in one place (start, stop, relist).
import type { SparkJobSpec } from '../api/spark-job.js';
import { TERMINAL_PHASES, type Phase } from '../api/status.js';
import type { Logger } from '../logger.js';
import { phaseOf } from '../machines/project-status.js';
import { listManifests, MAX_FOLDER_DEPTH } from '../manifest/find-manifest-files.js';
import { runHash } from '../manifest/run-hash.js';
import { loadHashKey, type HashKey } from '../secrets/hash-key.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { JournalFormatError } from '../state/errors.js';
import { Journal } from '../state/journal.js';
import { readAllJobRecords } from '../state/read-journal.js';
import { acquireStateLock } from '../state/state-lock.js';
import { BackendRegistry } from './backend-registry.js';
import { machineWithBackends, type Backends } from './job-actors.js';
import { JobRegistry } from './job-registry.js';
import { OrphanReport } from './orphan-report.js';
import type { ReconcileContext } from './reconcile-context.js';
import { reconcile } from './reconcile-steps.js';
import { JobsRoot } from './jobs-root.js';
import { OwnWrites } from './own-writes.js';
import { ReadKeys } from './read-keys.js';
import { ScheduleRunner } from './schedule-runner.js';
import { controlHandler } from './control-requests.js';
import { sweepTempFiles } from './sweep-temp-files.js';
import { watchFolder, type FolderWatcher } from './watch-folder.js';
import { WorkQueue } from './work-queue.js';
import { NameWaiters } from './name-waiters.js';

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

/** Default of ControllerOptions.missingGraceMs (`--missing-grace`). */
export const DEFAULT_MISSING_GRACE_MS = 5_000;

/**
 * The runner (as controller-runtime's manager): takes the state lock, restores jobs from the
 * journal, watches and relists the jobs folder into a work queue, and runs workers that call
 * reconcile (reconcile-steps.ts) on one file at a time; the job registry owns the actors.
 */
export class Controller {
  private readonly journal: Journal;
  private readonly queue = new WorkQueue({ initialMs: 100, maxMs: 60_000, jitter: 0.2 });
  /** Status writes of its own, recognised by their watch event without a read. */
  private readonly ownWrites = new OwnWrites();
  private readonly readKeys = new ReadKeys();
  private readonly jobsRoot: JobsRoot;
  private readonly registry: JobRegistry;
  private readonly schedules: ScheduleRunner;
  private readonly backends: BackendRegistry;
  private readonly orphans: OrphanReport;
  private readonly ctx: ReconcileContext;
  private readonly log: Logger;
  private watcher?: FolderWatcher;
  private watchedRoot?: string;
  private relistTimer?: NodeJS.Timeout;
  private unlock?: () => Promise<void>;
  private running?: Promise<void>;
  private initialSyncDone = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Manifests already reported as too deep to read (each is said once, not on every relist). */
  private readonly reportedTooDeep = new Set<string>();
  /** Says, once per file, that a manifest lies below the depth the controller reads and watches. */
  private readonly reportTooDeep = (file: string): void => {
    if (this.reportedTooDeep.has(file)) return;
    this.reportedTooDeep.add(file);
    this.log.warn(
      { file, limit: MAX_FOLDER_DEPTH },
      `Ignored a manifest more than ${MAX_FOLDER_DEPTH} folders deep; move it up to have it run`,
    );
  };
  /** The state dir's key for hashing secret values; loaded (or created) by start(). */
  private hashKey?: HashKey;

  constructor(private readonly options: ControllerOptions) {
    this.journal = new Journal(options.stateDir);
    this.jobsRoot = new JobsRoot(options.jobsDir);
    this.log = options.logger.child({ module: 'controller' });
    const seen = new Map<string, string>();
    const nameWaiters = new NameWaiters((file) => {
      seen.delete(file);
      this.queue.add(file);
    });
    // The job registry is built below (its machine needs the backends); orphan reports look it up when a backend reports.
    this.orphans = new OrphanReport(() => this.registry, this.log);
    this.backends = new BackendRegistry(options.backends, this.orphans.mesosHooks);
    const machine = machineWithBackends(this.backends, this.journal, {
      onProgress: (name, message) => {
        const actor = this.registry.get(name)?.actor;
        if (actor && actor.getSnapshot().context.progress !== message) actor.send({ type: 'job.progress', message });
      },
      persist: (name) => this.registry.persist(name),
    });
    this.registry = new JobRegistry(machine, {
      journal: this.journal,
      logger: options.logger,
      onPhase: options.onPhase,
      requeue: (file) => this.queue.add(file),
      released: (file, name) => {
        seen.delete(file);
        this.queue.add(file);
        nameWaiters.freed(name);
      },
      changed: () => this.checkIdle(),
      stopped: () => this.stopped,
    });
    const base: Omit<ReconcileContext, 'schedules'> = {
      jobsDir: options.jobsDir,
      registry: this.registry,
      seen,
      log: this.log,
      policy: options.policy ?? DEFAULT_POLICY,
      env: options.env ?? process.env,
      missingGraceMs: options.missingGraceMs ?? DEFAULT_MISSING_GRACE_MS,
      requeue: (file) => this.queue.add(file),
      changed: () => this.checkIdle(),
      runHash: (spec) => this.runHashOf(spec),
      ownWrites: this.ownWrites,
      readKeys: this.readKeys,
      jobsRoot: this.jobsRoot,
      nameWaiters,
    };
    this.schedules = new ScheduleRunner({ ...base, stateDir: options.stateDir, journal: this.journal, logger: options.logger });
    this.ctx = { ...base, schedules: this.schedules };
  }

  /** Takes the lock, restores jobs from the journal, adopts their drivers, and starts watching. */
  async start(): Promise<void> {
    await this.journal.init();
    this.unlock = await acquireStateLock(
      this.options.stateDir,
      { jobsDir: this.options.jobsDir, metricsAddr: this.options.metricsAddr },
      controlHandler(this.registry, this.schedules),
    );
    try {
      this.hashKey = loadHashKey(this.options.stateDir);
      const records = await readAllJobRecords(
        this.options.stateDir,
        (name, err) => {
          this.log.error({ err, job: name }, 'Skipped an unreadable journal record');
          // An unknown version or a malformed record is never misread: the job starts afresh, and says so.
          if (err instanceof JournalFormatError) void this.registry.event(name, 'Warning', err.reason, err.message);
        },
        // A job that never started writes its record without fsync: a crash may lose it; its manifest brings the job back.
        (name) =>
          this.log.warn({ job: name }, 'A job folder of the journal has no record (lost in a crash?); its manifest brings the job back'),
      );
      this.registry.restore(records, (ctx) => {
        if (ctx.reservation) this.backends.for(ctx.spec).reclaim(ctx.reservation);
      });
      await this.schedules.restore(records);
      // Docker answers at once; other engines (a Mesos master) may take long and are asked in the background.
      const [local, ...remote] = this.backends.all();
      await this.orphans.check(local!);
      for (const b of remote) void this.orphans.check(b);
      const files = await listManifests(this.options.jobsDir, MAX_FOLDER_DEPTH, this.reportTooDeep);
      await this.watchJobsFolder();
      for (const f of new Set([...files, ...this.registry.files(), ...this.schedules.files()])) this.queue.add(f);
      this.running = this.queue.run(
        this.options.workers ?? 4,
        (key) => this.reconcileSafely(key),
        // A key counts as busy until its worker lets go of it: look at idleness again then.
        () => this.checkIdle(),
      );
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
    this.schedules.stop();
    this.queue.shutDown();
    await this.running;
    this.registry.stopAll();
    await this.journal.flush();
    await this.unlock?.();
    this.log.info('Stopped controller; running drivers were left running');
  }

  /** The phase of every known job (for metrics and the idle check). */
  phases(): Map<string, Phase> {
    return this.registry.phases();
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
    const root = await this.jobsRoot.refresh().catch(() => this.options.jobsDir);
    if (this.watcher && root === this.watchedRoot) {
      await this.watcher.refresh();
      return;
    }
    const old = this.watcher;
    this.watchedRoot = root;
    const next = await watchFolder(
      root,
      (rel, type) => {
        this.ownWrites.event(rel, type);
        this.readKeys.event(rel);
        this.queue.add(rel);
      },
      (err) => this.log.warn({ err }, 'Watcher failed; relying on relists'),
      () => {
        this.ownWrites.clear();
        void this.relist();
      },
    );
    // Events between the two watchers may be lost.
    this.ownWrites.clear();
    this.watcher = next;
    await old?.close();
    if (this.stopped) await next.close();
  }

  /** Enqueues every manifest and every known file (catches missed events). */
  async relist(): Promise<void> {
    try {
      if (!this.stopped) await this.watchJobsFolder();
      const files = await listManifests(this.options.jobsDir, MAX_FOLDER_DEPTH, this.reportTooDeep);
      // Behind every edit and job change: a relist only catches what the watcher missed.
      for (const f of new Set([...files, ...this.registry.files(), ...this.schedules.files()])) {
        this.readKeys.markRelisted(f);
        this.queue.add(f, { background: true });
      }
      const swept = await sweepTempFiles(this.options.jobsDir);
      if (swept.length > 0) this.log.warn({ files: swept }, 'Removed temp files a crashed writer left in the jobs folder');
    } catch (err) {
      this.log.error({ err, jobsDir: this.options.jobsDir }, 'Could not list the jobs folder');
    }
  }

  private async reconcileSafely(file: string): Promise<void> {
    const began = performance.now();
    try {
      await reconcile(file, this.ctx);
      this.queue.forget(file);
      this.options.onReconcile?.((performance.now() - began) / 1000, true);
    } catch (err) {
      this.options.onReconcile?.((performance.now() - began) / 1000, false);
      const delay = this.queue.addRateLimited(file);
      this.log.error({ err, file, retryInMs: delay }, 'Reconcile failed; will retry');
    }
  }

  private runHashOf(spec: SparkJobSpec): string {
    if (!this.hashKey) throw new Error('the controller hashed a spec before start() loaded its hash key');
    return runHash(spec, this.hashKey);
  }

  private checkIdle(): void {
    if (!this.initialSyncDone || this.idleWaiters.length === 0) return;
    if (this.queue.busy > 0) return;
    for (const e of this.registry.all()) {
      if (e.graceUntil !== undefined) return;
      const phase = phaseOf(e.actor.getSnapshot());
      if (!TERMINAL_PHASES.has(phase) && phase !== 'Suspended') return;
    }
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
