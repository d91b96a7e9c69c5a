import { backoffDelay, type Backoff } from '../backoff.js';

/**
 * A keyed work queue: a key added many times before it is processed runs once; one key is
 * never processed by two workers at once; a key re-added while processing runs again after.
 * Keys added in the background (a relist's) wait behind every other key, so an edit is not
 * queued behind a relist of the whole folder; adding a background key again normally moves it up.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  /** Background keys in order; an entry whose key is no longer in `inLater` was moved up or taken, and is skipped. */
  private readonly later: string[] = [];
  private readonly inLater = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(
    private readonly backoff: Backoff = { initialMs: 50, maxMs: 5 * 60_000, jitter: 0.2 },
    private readonly random: () => number = Math.random,
  ) {}

  /** Marks a key as needing work; `background` keys go after every other queued key. */
  add(key: string, options: { background?: boolean } = {}): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      if (!options.background && this.inLater.delete(key)) {
        this.queue.push(key);
        this.wake();
      }
      return;
    }
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    if (options.background) {
      this.later.push(key);
      this.inLater.add(key);
    } else this.queue.push(key);
    this.wake();
  }

  /** Adds a key after a delay (a later call with a shorter delay wins). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(0, ms),
    );
    t.unref?.();
    this.timers.set(key, t);
  }

  /** Re-adds a key after its next backoff delay (exponential with ±20% jitter). */
  addRateLimited(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = backoffDelay(n - 1, this.backoff, this.random);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets a key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many keys wait for a worker. */
  get depth(): number {
    return this.queue.length + this.inLater.size;
  }

  /** Keys queued or being processed (delayed keys do not count). */
  get busy(): number {
    return this.depth + this.processing.size;
  }

  /** Whether nothing is queued, processing or scheduled. */
  get idle(): boolean {
    return this.depth === 0 && this.processing.size === 0 && this.timers.size === 0;
  }

  /** Resolves when the queue is idle (nothing queued or processing; delayed keys do not count). */
  whenDrained(): Promise<void> {
    if (this.depth === 0 && this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs `workers` loops calling `handler` for each key until shutDown(); `settled` runs once the key is no longer processing. */
  async run(workers: number, handler: (key: string) => Promise<void>, settled?: (key: string) => void): Promise<void> {
    const loop = async () => {
      for (;;) {
        const key = await this.next();
        if (key === undefined) return;
        try {
          await handler(key);
        } finally {
          this.done(key);
          settled?.(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
  }

  /** Stops taking work; running handlers finish. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.later.length = 0;
    this.inLater.clear();
    this.wake(true);
  }

  private async next(): Promise<string | undefined> {
    while (!this.shuttingDown) {
      let key = this.queue.shift();
      if (key === undefined) {
        // Entries of keys moved up (or taken) since are skipped.
        do key = this.later.shift();
        while (key !== undefined && !this.inLater.has(key));
        if (key !== undefined) this.inLater.delete(key);
      }
      if (key !== undefined) {
        this.dirty.delete(key);
        this.processing.add(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.wake();
    }
    if (this.depth === 0 && this.processing.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private wake(all = false): void {
    const w = all ? this.waiters : this.waiters.splice(0, this.depth);
    if (all) this.waiters = [];
    for (const f of w) f();
  }
}
