// Over 300 lines: one class keeps the timers, the schedules, their runs and the grace of vanished files, which every step shares.
import { API_VERSION, KIND, SparkJobSpecSchema, type SparkJob, type SparkJobSpec } from '../api/spark-job.js';
import { runName, type ScheduledSparkJobSpec, type ScheduledSparkJobStatus } from '../api/scheduled-spark-job.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { phaseOf } from '../machines/project-status.js';
import { canonicalJson } from '../manifest/spec-hash.js';
import { checkPolicy } from '../policy/check-policy.js';
import type { Policy } from '../policy/policy.js';
import { planSchedule, type SchedulePlan } from '../schedules/plan-schedule.js';
import { scheduleStatus, splitRuns, type RunInfo } from '../schedules/schedule-status.js';
import { looseSecretValues, secretValues } from '../secrets/redact.js';
import type { JobRecord, RunOrigin } from '../state/journal-paths.js';
import type { Journal } from '../state/journal.js';
import { readAllScheduleRecords, removeScheduleRecord, writeScheduleRecord, type ScheduleRecord } from '../state/schedule-record.js';
import type { JobRegistry } from './job-registry.js';
import type { NameWaiters } from './name-waiters.js';

/** Longest single timer (setTimeout's limit is about 24.8 days): a far-off time is re-planned on the way. */
const MAX_TIMER_MS = 24 * 3600_000;
/** How soon a tick that could not record its run (journal unavailable) tries again. */
const RETRY_MS = 5_000;

/** What the schedule runner is given by the controller. */
export interface ScheduleRunnerOptions {
  readonly stateDir: string;
  readonly journal: Journal;
  readonly registry: JobRegistry;
  readonly logger: Logger;
  readonly policy: Policy;
  readonly env: NodeJS.ProcessEnv;
  readonly runHash: (spec: SparkJobSpec) => string;
  /** Look at a schedule's file again (its status changed). */
  readonly requeue: (file: string) => void;
  /** How long a schedule whose manifest vanished is kept (as for jobs, --missing-grace). */
  readonly missingGraceMs: number;
  readonly now?: () => number;
  /** Files refused because a name was held; told when a schedule's name is freed. */
  readonly nameWaiters?: NameWaiters;
}

/** One schedule the controller runs: its last valid spec and what it did. */
interface Schedule {
  readonly name: string;
  file: string;
  spec: ScheduledSparkJobSpec;
  createdAt: number;
  lastScheduleTime?: number;
  nextScheduleTime?: number;
  missedRuns: number;
  message?: string;
  /** Why the policy refuses the template ('' when allowed): no run starts while set. */
  violation: string;
  secrets: string[];
  timer?: NodeJS.Timeout;
  /** Ticks of this schedule run one after another. */
  chain: Promise<void>;
  /** The status last written into (or found in) the file, as canonical JSON. */
  written?: string;
  /** The record last saved, as JSON without its time (unchanged records are not written again). */
  saved?: string;
}

/**
 * Runs ScheduledSparkJobs: one timer per schedule armed for its next time; at fire the plan
 * (schedules/plan-schedule.ts) says which run to start, stop or forget. A run is a job of the
 * registry named `<schedule>-<unix seconds>` with no manifest: its journal record (which names
 * the schedule) is written durably before it is started, so a restart restores it and never
 * starts a second run for the same time.
 */
export class ScheduleRunner {
  private readonly schedules = new Map<string, Schedule>();
  private readonly byFile = new Map<string, string>();
  /** Journal records of schedules, read at start: the first reconcile of each continues from them. */
  private readonly records = new Map<string, ScheduleRecord>();
  /** Runs by schedule; a run released and forgotten leaves the registry and is dropped here on the next look. */
  private readonly runs = new Map<string, Set<string>>();
  /** Runs asked to go (Replace, history limits, schedule deleted): no longer counted as active or kept. */
  private readonly leaving = new Set<string>();
  /** Per file: until when a vanished schedule manifest is waited for. */
  private readonly graceUntil = new Map<string, number>();
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly options: ScheduleRunnerOptions) {
    this.log = options.logger.child({ module: 'schedules' });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Reads the schedules' records and links restored runs to their schedules; a run recorded but never started is started now. */
  async restore(records: readonly JobRecord[]): Promise<void> {
    for (const rec of await readAllScheduleRecords(this.options.stateDir, (name, err) =>
      this.log.error({ err: messageOf(err), schedule: name }, 'Skipped an unreadable schedule record'),
    )) {
      this.records.set(rec.name, rec);
      this.byFile.set(rec.file, rec.name);
    }
    for (const rec of records) {
      if (!rec.run) continue;
      this.runsOf(rec.run.schedule).add(rec.name);
      if (rec.snapshot !== undefined || this.options.registry.get(rec.name)) continue;
      // Recorded, then the controller died before the run's first snapshot: it starts now (never a second one).
      const spec = SparkJobSpecSchema.safeParse(rec.run.spec);
      if (!spec.success) {
        this.log.error({ job: rec.name }, 'Could not read the spec of a recorded run; it is not started');
        continue;
      }
      this.launch(rec.name, rec.file, spec.data, looseSecretValues({ spec: spec.data }), rec.run);
    }
  }

  /** Files that held a schedule when the controller last ran (looked at once at start, so deleted ones are released). */
  files(): string[] {
    return [...this.byFile.keys()];
  }

  /** Whether a schedule's status differs from what was last written into `file` (then an unchanged file is reconciled anyway). */
  wantsWrite(file: string): boolean {
    const name = this.byFile.get(file);
    const s = name === undefined ? undefined : this.schedules.get(name);
    return s !== undefined && canonicalJson(this.status(s)) !== s.written;
  }

  /** Notes the status now in a schedule's file (canonical JSON). */
  markWritten(file: string, key: string): void {
    const name = this.byFile.get(file);
    const s = name === undefined ? undefined : this.schedules.get(name);
    if (s) s.written = key;
  }

  /**
   * The file of a schedule is gone: after the grace (a save or a `git mv` in progress) the
   * schedule is released with its runs. Returns false when the file held no schedule.
   */
  gone(file: string, now: boolean): boolean {
    const name = this.byFile.get(file);
    if (name === undefined) return false;
    const grace = this.options.missingGraceMs;
    if (!now && grace > 0) {
      const until = this.graceUntil.get(file);
      if (until === undefined) {
        this.graceUntil.set(file, Date.now() + grace);
        setTimeout(() => this.options.requeue(file), grace + 20).unref();
        return true;
      }
      if (Date.now() < until) return true;
    }
    this.graceUntil.delete(file);
    void this.remove(name).catch((err: unknown) => this.log.error({ err: messageOf(err), schedule: name }, 'Could not release a schedule'));
    return true;
  }

  /** The name of the schedule `file` holds, if any. */
  nameOf(file: string): string | undefined {
    return this.byFile.get(file);
  }

  /** The file of the schedule called `name`, if this runner runs one (its name is taken for SparkJobs too). */
  fileOf(name: string): string | undefined {
    return this.schedules.get(name)?.file;
  }

  /** Takes a schedule's valid spec from `file`, plans it now and returns the status to write back. */
  async upsert(file: string, name: string, spec: ScheduledSparkJobSpec): Promise<ScheduledSparkJobStatus> {
    this.graceUntil.delete(file);
    const held = this.byFile.get(file);
    if (held !== undefined && held !== name) await this.remove(held);
    const { violations } = await checkPolicy(spec.template, this.options.policy);
    const violation = violations.map((v) => `${v.path.replace(/^spec\./, 'spec.template.')}: ${v.message}`).join('; ');
    let s = this.schedules.get(name);
    if (!s) {
      const rec = this.records.get(name);
      const parse = (t: string | undefined) => (t === undefined ? undefined : Date.parse(t));
      // A run recorded for a time is that time handled, even when the schedule's own record was not saved after it (kill -9).
      const known = [...this.runsOf(name)]
        .map((r) => this.options.registry.get(r)?.run)
        .filter((o) => o !== undefined && !o.manual)
        .map((o) => Date.parse(o!.scheduledAt));
      const last = Math.max(parse(rec?.status.lastScheduleTime) ?? -Infinity, ...known);
      s = {
        name,
        file,
        spec,
        createdAt: parse(rec?.createdAt) ?? this.now(),
        ...(Number.isFinite(last) ? { lastScheduleTime: last } : {}),
        missedRuns: rec?.status.missedRuns ?? 0,
        violation,
        secrets: [],
        chain: Promise.resolve(),
      };
      this.schedules.set(name, s);
      if (!rec) void this.options.registry.event(name, 'Normal', 'Added', `ScheduledSparkJob ${name} found in ${file}`);
    }
    if (s.file !== file) this.byFile.delete(s.file);
    s.file = file;
    s.spec = spec;
    s.violation = violation;
    s.secrets = violation ? looseSecretValues({ spec: spec.template }) : secretValues(spec.template, this.options.env);
    this.byFile.set(file, name);
    await this.tick(s);
    return this.status(s);
  }

  /** The file no longer holds its schedule (deleted, or another kind now): its runs are released and forgotten. */
  async release(file: string): Promise<void> {
    const name = this.byFile.get(file);
    if (name !== undefined) await this.remove(name);
  }

  /** `sparkctl trigger NAME`: starts a run now, whatever the policy on concurrency (as `kubectl create job --from=cronjob`). */
  async trigger(name: string): Promise<string> {
    const s = this.schedules.get(name);
    if (!s) throw new Error(`no ScheduledSparkJob named ${name} runs in this controller`);
    if (s.violation) throw new Error(`the template of ${name} is refused by the policy: ${s.violation}`);
    const at = this.now();
    const run = runName(name, at);
    const holder = this.options.registry.get(run);
    if (holder && !holder.run) throw new Error(`${run} is the name of SparkJob in ${holder.file}; rename that job, or trigger in a second`);
    if (holder) throw new Error(`run ${run} already exists (one run per second): try again in a second`);
    await this.startRun(s, run, at, true);
    this.options.requeue(s.file);
    return run;
  }

  /** Stops every timer (runs keep running; the next start restores them). */
  stop(): void {
    this.stopped = true;
    for (const s of this.schedules.values()) clearTimeout(s.timer);
  }

  private runsOf(name: string): Set<string> {
    let set = this.runs.get(name);
    if (!set) this.runs.set(name, (set = new Set()));
    return set;
  }

  /** The runs of a schedule as they stand, without those asked to go; forgotten ones are dropped. */
  private runInfos(name: string): RunInfo[] {
    const out: RunInfo[] = [];
    const set = this.runsOf(name);
    for (const run of set) {
      const entry = this.options.registry.get(run);
      if (!entry) {
        set.delete(run);
        this.leaving.delete(run);
        continue;
      }
      if (this.leaving.has(run)) continue;
      const st = entry.status;
      out.push({
        name: run,
        scheduledAt: entry.run ? Date.parse(entry.run.scheduledAt) : 0,
        phase: st?.phase ?? phaseOf(entry.actor.getSnapshot()),
        ...(st?.startTime ? { startTime: st.startTime } : {}),
        ...(st?.completionTime ? { completionTime: st.completionTime } : {}),
      });
    }
    return out;
  }

  private status(s: Schedule): ScheduledSparkJobStatus {
    const { active, history } = splitRuns(this.runInfos(s.name));
    return scheduleStatus({ ...s, active, history, message: s.violation || s.message });
  }

  /** Plans a schedule now and carries the plan out, one tick at a time per schedule; arms the timer for the next time. */
  private tick(s: Schedule): Promise<void> {
    const next = s.chain.then(() => this.tickNow(s));
    s.chain = next.catch(() => undefined);
    return next;
  }

  private async tickNow(s: Schedule): Promise<void> {
    if (this.stopped || this.schedules.get(s.name) !== s) return;
    const now = this.now();
    const { active, history } = splitRuns(this.runInfos(s.name));
    const view = { name: s.name, spec: s.spec, createdAt: s.createdAt, missedRuns: s.missedRuns, active, history };
    const plan = planSchedule(s.lastScheduleTime === undefined ? view : { ...view, lastScheduleTime: s.lastScheduleTime }, now);
    for (const run of [...plan.stop, ...plan.forget]) this.letGo(run, plan.stop.includes(run) ? 'replaced' : 'history');
    let retryAt: number | undefined;
    // A SparkJob that took the run's name first keeps it (one name space): the time is passed over, and the status says why.
    const holder = plan.start ? this.options.registry.get(plan.start.name) : undefined;
    let taken: string | undefined;
    if (plan.start && holder && !holder.run) {
      taken = `the run of ${new Date(plan.start.scheduledAt).toISOString()} was not started: its name ${plan.start.name} is used by SparkJob ${holder.name} in ${holder.file}; rename that job`;
    } else if (plan.start && s.violation) {
      s.message = `the run of ${new Date(plan.start.scheduledAt).toISOString()} was not started: ${s.violation}`;
    } else if (plan.start) {
      try {
        await this.startRun(s, plan.start.name, plan.start.scheduledAt, false);
      } catch (err) {
        // Not recorded, not started: the same time is tried again soon (fail-stop journal).
        this.log.error({ err: messageOf(err), schedule: s.name, run: plan.start.name }, 'Could not record a run; will try again');
        s.message = `the run ${plan.start.name} could not be recorded: ${messageOf(err)}`;
        retryAt = now + RETRY_MS;
      }
    }
    if (retryAt === undefined) this.applyPlan(s, plan);
    if (taken !== undefined) s.message = taken;
    s.nextScheduleTime = plan.nextScheduleTime;
    await this.save(s);
    this.arm(s, retryAt ?? plan.nextScheduleTime);
  }

  private applyPlan(s: Schedule, plan: SchedulePlan): void {
    // A suspended schedule counts the times it passes over, quietly: suspending is not a problem to report.
    if (plan.skipped > 0 && !s.spec.suspend) {
      const why = plan.message ? `: ${plan.message}` : '';
      void this.options.registry.event(s.name, 'Warning', 'MissedRuns', `${plan.skipped} scheduled run(s) not started${why}`);
      this.log.warn({ schedule: s.name, missed: plan.skipped }, 'Missed scheduled runs');
    }
    if (plan.lastScheduleTime !== undefined) s.lastScheduleTime = plan.lastScheduleTime;
    s.missedRuns = plan.missedRuns;
    if (plan.start || plan.skipped > 0) s.message = plan.start ? undefined : plan.message;
  }

  /** Records the run durably (its journal record names the schedule), then starts it as a job. */
  private async startRun(s: Schedule, name: string, scheduledAt: number, manual: boolean): Promise<void> {
    const spec = s.spec.template;
    const run: RunOrigin = { schedule: s.name, scheduledAt: new Date(scheduledAt).toISOString(), ...(manual ? { manual } : {}), spec };
    const { journal } = this.options;
    void journal.saveRecord({
      name,
      file: s.file,
      status: { phase: 'Pending', conditions: [], submissionAttempts: 0, executionAttempts: 0, message: 'Run recorded; starting' },
      updatedAt: new Date().toISOString(),
      run,
    });
    await journal.durable(name);
    this.runsOf(s.name).add(name);
    // Stopping while the record was written: the next start launches the recorded run.
    if (this.stopped) return;
    this.launch(name, s.file, spec, s.secrets, run);
    if (!manual) s.lastScheduleTime = scheduledAt;
    void this.options.registry.event(s.name, 'Normal', manual ? 'Triggered' : 'RunStarted', `started run ${name}`);
    this.log.info({ schedule: s.name, run: name, manual }, 'Started a scheduled run');
  }

  private launch(name: string, file: string, spec: SparkJobSpec, secrets: string[], run: RunOrigin): void {
    const job: SparkJob = { apiVersion: API_VERSION, kind: KIND, metadata: { name, labels: {}, annotations: {} }, spec };
    this.options.registry.create(name, file, job, this.options.runHash(spec), secrets, run);
  }

  /** Releases a run and forgets it (the registry moves its journal aside once released). */
  private letGo(run: string, why: 'replaced' | 'history' | 'deleted'): void {
    const entry = this.options.registry.get(run);
    if (!entry || this.leaving.has(run)) return;
    this.leaving.add(run);
    this.log.info({ run, why }, 'Releasing a scheduled run');
    if (entry.actor.getSnapshot().status === 'active') entry.actor.send({ type: 'job.delete' });
  }

  private arm(s: Schedule, at: number | undefined): void {
    clearTimeout(s.timer);
    s.timer = undefined;
    if (at === undefined || this.stopped) return;
    const delay = Math.min(Math.max(at - this.now(), 0) + 5, MAX_TIMER_MS);
    s.timer = setTimeout(() => {
      void this.tick(s)
        .then(() => this.options.requeue(s.file))
        .catch((err: unknown) => this.log.error({ err: messageOf(err), schedule: s.name }, 'Schedule tick failed'));
    }, delay);
    s.timer.unref();
  }

  private async save(s: Schedule): Promise<void> {
    const base = { name: s.name, file: s.file, createdAt: new Date(s.createdAt).toISOString(), status: this.status(s) };
    const key = canonicalJson(base);
    if (key === s.saved) return;
    const record: ScheduleRecord = { ...base, updatedAt: new Date().toISOString() };
    this.records.set(s.name, record);
    await writeScheduleRecord(this.options.stateDir, record);
    s.saved = key;
  }

  private async remove(name: string): Promise<void> {
    const s = this.schedules.get(name);
    if (s) clearTimeout(s.timer);
    this.schedules.delete(name);
    const file = s?.file ?? this.records.get(name)?.file;
    if (file !== undefined && this.byFile.get(file) === name) this.byFile.delete(file);
    this.records.delete(name);
    for (const run of this.runsOf(name)) this.letGo(run, 'deleted');
    await removeScheduleRecord(this.options.stateDir, name);
    void this.options.registry.event(name, 'Normal', 'Deleted', 'Manifest removed; its runs are released');
    this.log.info({ schedule: name }, 'Released deleted schedule');
    this.options.nameWaiters?.freed(name);
  }
}
