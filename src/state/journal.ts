import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import { fsyncDir, writeFileAtomic } from '../fs/write-file-atomic.js';
import { JournalUnavailableError } from './errors.js';
import { journalPaths, type JobEventRecord, type JobRecord } from './journal-paths.js';
import { JOURNAL_VERSION } from './journal-schema.js';

/** The controller's writer side of the journal; writes are serialised per job. */
export class Journal {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The newest record waiting to be written, per job. */
  private readonly newest = new Map<string, { record: JobRecord; durable: boolean }>();
  private readonly pendingSaves = new Map<string, Promise<void>>();
  private readonly madeDirs = new Set<string>();
  /** Job folders created by this run whose entry in jobs/ is not fsynced yet (the first durable record does it). */
  private readonly unsyncedDirs = new Set<string>();
  /** Per job: events waiting for their write, appended together (one call for `Added` then `Suspended`). */
  private readonly eventBatches = new Map<string, { events: JobEventRecord[]; done?: Promise<void> }>();
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
    const made = await mkdir(journalPaths.job(this.stateDir, name), { mode: 0o700 }).then(
      () => true,
      async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        if (err.code !== 'ENOENT') throw err;
        await mkdir(journalPaths.job(this.stateDir, name), { recursive: true, mode: 0o700 });
        return true;
      },
    );
    if (made) this.unsyncedDirs.add(name);
    this.madeDirs.add(name);
  }

  /**
   * Writes a record through a temp file and a rename, so a reader sees the old or the new one.
   * Durable: the file and its folder are fsynced (and jobs/ once after the folder was made).
   * Not durable (a job that never started): a crash may lose it or leave it empty; the restart
   * then says so and the manifest brings the job back as it was (RELIABILITY.md).
   */
  private async writeRecord(name: string, text: string, durable: boolean): Promise<void> {
    await writeFileAtomic(journalPaths.record(this.stateDir, name), text, { mode: 0o600, durable });
    if (durable && this.unsyncedDirs.has(name)) {
      await fsyncDir(journalPaths.jobs(this.stateDir));
      this.unsyncedDirs.delete(name);
    }
  }

  /** Whether a job's newest record is known not to be on disk (its save failed). */
  failed(name: string): boolean {
    return this.failedSaves.has(name);
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
   * while one is being written collapse into one write of the newest record (durable when any of
   * them asked for it). `durable: false` only for a job that never started (writeRecord).
   */
  saveRecord(record: JobRecord, options: { durable?: boolean } = {}): Promise<void> {
    const scheduled = this.newest.get(record.name);
    const durable = options.durable !== false || (scheduled?.durable ?? false);
    this.newest.set(record.name, { record, durable });
    // Events queued after this record are written after it.
    this.eventBatches.delete(record.name);
    const pending = this.pendingSaves.get(record.name);
    if (scheduled && pending) return pending;
    const save = this.serial(record.name, async () => {
      const next = this.newest.get(record.name);
      this.newest.delete(record.name);
      if (!next) return;
      const rec = next.record;
      try {
        await this.ensureJobDir(rec.name);
        await this.writeRecord(rec.name, JSON.stringify({ version: JOURNAL_VERSION, ...rec }), next.durable);
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

  /** Appends one event to a job's history; events queued together (before their write starts) go in one append. */
  appendEvent(name: string, event: JobEventRecord): Promise<void> {
    const waiting = this.eventBatches.get(name);
    if (waiting?.done) {
      waiting.events.push(event);
      return waiting.done;
    }
    const batch: { events: JobEventRecord[]; done?: Promise<void> } = { events: [event] };
    this.eventBatches.set(name, batch);
    batch.done = this.serial(name, async () => {
      if (this.eventBatches.get(name) === batch) this.eventBatches.delete(name);
      await this.ensureJobDir(name);
      const text = batch.events.map((e) => `${JSON.stringify(e)}\n`).join('');
      await appendFile(journalPaths.events(this.stateDir, name), text, { mode: 0o600 });
    });
    return batch.done;
  }

  /** Moves a deleted job's journal aside (kept for `events` and `logs` until pruned), so a new job of that name starts clean. */
  removeJob(name: string): Promise<void> {
    this.eventBatches.delete(name);
    return this.serial(name, async () => {
      this.madeDirs.delete(name);
      this.unsyncedDirs.delete(name);
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
    this.eventBatches.delete(name);
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
