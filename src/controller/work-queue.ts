import { backoffDelay, type Backoff } from '../backoff.js';

/**
 * A keyed work queue: a key added many times before it is processed runs once; one key is
 * never processed by two workers at once; a key re-added while processing runs again after.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
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

  /** Marks a key as needing work. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
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
    return this.queue.length;
  }

  /** Keys queued or being processed (delayed keys do not count). */
  get busy(): number {
    return this.queue.length + this.processing.size;
  }

  /** Whether nothing is queued, processing or scheduled. */
  get idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0 && this.timers.size === 0;
  }

  /** Resolves when the queue is idle (nothing queued or processing; delayed keys do not count). */
  whenDrained(): Promise<void> {
    if (this.queue.length === 0 && this.processing.size === 0) return Promise.resolve();
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
    this.wake(true);
  }

  private async next(): Promise<string | undefined> {
    while (!this.shuttingDown) {
      const key = this.queue.shift();
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
    if (this.queue.length === 0 && this.processing.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private wake(all = false): void {
    const w = all ? this.waiters : this.waiters.splice(0, this.queue.length);
    if (all) this.waiters = [];
    for (const f of w) f();
  }
}
