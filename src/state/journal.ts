import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { JournalUnavailableError } from './errors.js';
import { journalPaths, type JobEventRecord, type JobRecord } from './journal-paths.js';
import { JOURNAL_VERSION } from './journal-schema.js';

/** The controller's writer side of the journal; writes are serialised per job. */
export class Journal {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The newest record waiting to be written, per job. */
  private readonly newest = new Map<string, JobRecord>();
  private readonly pendingSaves = new Map<string, Promise<void>>();
  private readonly madeDirs = new Set<string>();
  /** Per job: the error of its newest record save, while that record is not on disk. */
  private readonly failedSaves = new Map<string, unknown>();

  constructor(readonly stateDir: string) {}

  /** Creates the state dir, private to the controller's user. */
  async init(): Promise<void> {
    await mkdir(journalPaths.jobs(this.stateDir), { recursive: true, mode: 0o700 });
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
  }

  /** Creates a job's folder once per controller run (removeJob forgets it). */
  private async ensureJobDir(name: string): Promise<void> {
    if (this.madeDirs.has(name)) return;
    // One mkdir (jobs/ exists since init): a recursive one stats its way down first.
    await mkdir(journalPaths.job(this.stateDir, name), { mode: 0o700 }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      if (err.code !== 'ENOENT') throw err;
      await mkdir(journalPaths.job(this.stateDir, name), { recursive: true, mode: 0o700 });
    });
    this.madeDirs.add(name);
  }

  /** Runs `fn` after every earlier write of the same job. */
  private serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(name, tail);
    void tail.then(() => {
      if (this.chains.get(name) === tail) this.chains.delete(name);
    });
    return next;
  }

  /**
   * Saves a job's record atomically (snapshot and projected status together). Saves that pile up
   * while one is being written collapse into one write of the newest record.
   */
  saveRecord(record: JobRecord): Promise<void> {
    const scheduled = this.newest.has(record.name);
    this.newest.set(record.name, record);
    const pending = this.pendingSaves.get(record.name);
    if (scheduled && pending) return pending;
    const save = this.serial(record.name, async () => {
      const rec = this.newest.get(record.name);
      this.newest.delete(record.name);
      if (!rec) return;
      try {
        await this.ensureJobDir(rec.name);
        await writeFileAtomic(journalPaths.record(this.stateDir, rec.name), JSON.stringify({ version: JOURNAL_VERSION, ...rec }), {
          mode: 0o600,
        });
        this.failedSaves.delete(rec.name);
      } catch (err) {
        this.failedSaves.set(rec.name, err);
        throw err;
      }
    });
    this.pendingSaves.set(record.name, save);
    void save.then(
      () => this.pendingSaves.get(record.name) === save && this.pendingSaves.delete(record.name),
      () => this.pendingSaves.get(record.name) === save && this.pendingSaves.delete(record.name),
    );
    return save;
  }

  /**
   * Waits for a job's pending writes and throws JournalUnavailableError when its newest record is
   * not on disk. Called before anything that destroys evidence (removing a driver, releasing a
   * reservation): a restart must find what was collected, never an older state that runs the job again.
   */
  async durable(name: string): Promise<void> {
    await this.chains.get(name);
    const err = this.failedSaves.get(name);
    if (err !== undefined) {
      throw new JournalUnavailableError(
        `the journal in ${this.stateDir} could not record job ${name} (${messageOf(err)}); the driver and its results are kept until the state dir can be written (free space or fix the disk)`,
        { cause: err },
      );
    }
  }

  /** Why the journal cannot be written right now (a job whose newest record is not on disk), or undefined. */
  problem(): string | undefined {
    for (const [name, err] of this.failedSaves) return `journal record of job ${name} not written: ${messageOf(err)}`;
    return undefined;
  }

  /** Appends one event to a job's history. */
  appendEvent(name: string, event: JobEventRecord): Promise<void> {
    return this.serial(name, async () => {
      await this.ensureJobDir(name);
      await appendFile(journalPaths.events(this.stateDir, name), `${JSON.stringify(event)}\n`, { mode: 0o600 });
    });
  }

  /** Moves a deleted job's journal aside (kept for `events` and `logs` until pruned), so a new job of that name starts clean. */
  removeJob(name: string): Promise<void> {
    return this.serial(name, async () => {
      this.madeDirs.delete(name);
      this.failedSaves.delete(name);
      const from = journalPaths.job(this.stateDir, name);
      const to = join(journalPaths.tombstones(this.stateDir), `${name}-${Date.now()}`);
      await mkdir(journalPaths.tombstones(this.stateDir), { recursive: true, mode: 0o700 });
      await rename(from, to).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') await rm(from, { recursive: true, force: true });
      });
    });
  }

  /** Forgets a job's driver logs, collected outputs and events (timeToLiveSeconds passed); the record stays. */
  forgetHistory(name: string): Promise<void> {
    return this.serial(name, async () => {
      const dir = journalPaths.job(this.stateDir, name);
      await rm(join(dir, 'logs'), { recursive: true, force: true });
      await rm(join(dir, 'outputs'), { recursive: true, force: true });
      await rm(journalPaths.events(this.stateDir, name), { force: true });
    });
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Path of an attempt's driver log. */
  logPath(name: string, attempt: number): string {
    return journalPaths.log(this.stateDir, name, attempt);
  }

  /** Folder for an attempt's collected outputs. */
  outputsDir(name: string, attempt: number): string {
    return journalPaths.outputs(this.stateDir, name, attempt);
  }

  /** Folder for cached results of a spec hash. */
  cacheDir(specHash: string): string {
    return journalPaths.cache(this.stateDir, specHash);
  }

  /** Whether a path exists. */
  static async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }
}
