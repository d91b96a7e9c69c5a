import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The parts of a manifest's written-back status the benchmarks look at. */
export interface FileStatus {
  readonly phase?: string;
  readonly observedSpecHash?: string;
}

/** Reads phase and observedSpecHash from the top-level `status:` block of a manifest's text. */
export function readStatusFields(text: string): FileStatus {
  const start = /^status:[ \t]*\r?\n/m.exec(text);
  if (!start) return {};
  const block = /^(?:[ \t]+.*(?:\r?\n|$)|[ \t]*\r?\n)*/.exec(text.slice(start.index + start[0].length))?.[0] ?? '';
  const field = (name: string) => new RegExp(`^[ \\t]+${name}:[ \\t]*["']?([\\w-]+)`, 'm').exec(block)?.[1];
  const phase = field('phase');
  const observedSpecHash = field('observedSpecHash');
  return { ...(phase ? { phase } : {}), ...(observedSpecHash ? { observedSpecHash } : {}) };
}

/** When a status matched, and what it was. */
export interface StatusSeen {
  /** performance.now() at the file event that revealed the status. */
  readonly at: number;
  readonly status: FileStatus;
}

interface Waiter {
  readonly until: (s: FileStatus) => boolean;
  readonly resolve: (seen: StatusSeen) => void;
}

/**
 * Watches a jobs folder (one inotify watch on the directory) and resolves waiters when a
 * manifest's status matches, with the time of the file event that revealed it. A slow re-check
 * catches an event the kernel dropped; such catches are counted, since their time is coarse.
 */
export class StatusWatch {
  /** How many matches were found by the slow re-check rather than by a file event. */
  missedEvents = 0;
  private readonly watcher: FSWatcher;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly reading = new Map<string, boolean>();
  private readonly safety: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    recheckMs = 1000,
  ) {
    this.watcher = watch(dir, (_event, filename) => {
      if (filename && !filename.startsWith('.') && this.waiters.has(filename)) void this.check(filename, performance.now(), false);
    });
    this.safety = setInterval(() => void this.recheckAll(), recheckMs);
    this.safety.unref();
  }

  /**
   * Resolves at the event that showed `until` true of the file's status. `checkNow: false` skips
   * the first read (for many files known not to match yet: thousands of reads at once exhaust
   * file descriptors and steal CPU from the process measured).
   */
  waitFor(file: string, until: (s: FileStatus) => boolean, timeoutMs = 120_000, checkNow = true): Promise<StatusSeen> {
    return new Promise<StatusSeen>((resolve, reject) => {
      const set = this.waiters.get(file) ?? new Set<Waiter>();
      this.waiters.set(file, set);
      const timer = setTimeout(() => {
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(file);
        reject(new Error(`no matching status in ${join(this.dir, file)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        until,
        resolve: (seen) => {
          clearTimeout(timer);
          resolve(seen);
        },
      };
      set.add(waiter);
      if (checkNow) void this.check(file, performance.now(), false);
    });
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.safety);
    this.watcher.close();
  }

  private rechecking = false;

  /** The slow re-check: every waited-for file, 16 reads at a time, one sweep at a time. */
  private async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      const files = [...this.waiters.keys()];
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < files.length; i = next++) await this.check(files[i]!, performance.now(), true);
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      this.rechecking = false;
    }
  }

  private async check(file: string, at: number, bySafety: boolean): Promise<void> {
    if (this.reading.has(file)) {
      // A read is under way: look again once it ends, so a write during the read is not missed.
      if (!bySafety) this.reading.set(file, true);
      return;
    }
    this.reading.set(file, false);
    let status: FileStatus = {};
    try {
      status = readStatusFields(await readFile(join(this.dir, file), 'utf8'));
    } catch {
      // Not there yet, or replaced under the read: a later event says so.
    }
    const again = this.reading.get(file) === true;
    this.reading.delete(file);
    const set = this.waiters.get(file);
    // A file event came during a re-check's read: let that event's own read decide, with its time.
    if (set && !(bySafety && again)) {
      for (const w of [...set]) {
        if (!w.until(status)) continue;
        set.delete(w);
        if (bySafety) this.missedEvents += 1;
        w.resolve({ at, status });
      }
      if (set.size === 0) this.waiters.delete(file);
    }
    if (again && this.waiters.has(file)) void this.check(file, performance.now(), false);
  }
}
