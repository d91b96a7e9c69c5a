import type { Reservation } from '../ports.js';

/** CPU and memory of a host, or of one demand on it. */
export interface Resources {
  readonly cpus: number;
  readonly memMiB: number;
}

interface Waiter {
  readonly key: string;
  readonly milli: number;
  readonly memMiB: number;
  readonly onProgress?: (message: string) => void;
  readonly grant: (r: Reservation) => void;
}

/** Formats a CPU count the way status messages show it: "1 CPU", "2 CPUs", "0.5 CPUs". */
export function formatCpus(cpus: number): string {
  const n = Math.round(cpus * 1000) / 1000;
  return `${n} ${n === 1 ? 'CPU' : 'CPUs'}`;
}

/** Formats a demand or a capacity as "2 CPUs / 1408 MiB". */
export function formatResources(r: Resources): string {
  return `${formatCpus(r.cpus)} / ${Math.round(r.memMiB)} MiB`;
}

/**
 * The CPU and memory held by driver containers on this host. Requests are served first come,
 * first served: a large request at the head is not overtaken by smaller ones behind it, so it
 * cannot starve. CPUs are counted in thousandths to avoid floating-point drift.
 */
export class ResourceLedger {
  private capacityMilli = 0;
  private capacityMemMiB = 0;
  private readonly held = new Map<string, Reservation>();
  private readonly queue: Waiter[] = [];

  constructor(capacity?: Resources) {
    if (capacity) this.setCapacity(capacity);
  }

  /** Sets the host's capacity (learnt from the engine or given in options) and serves waiters that now fit. */
  setCapacity(capacity: Resources): void {
    this.capacityMilli = Math.round(capacity.cpus * 1000);
    this.capacityMemMiB = capacity.memMiB;
    this.serve();
  }

  /** The host's capacity. */
  get capacity(): Resources {
    return { cpus: this.capacityMilli / 1000, memMiB: this.capacityMemMiB };
  }

  /** What is held now, summed. */
  get used(): Resources {
    let milli = 0;
    let mem = 0;
    for (const r of this.held.values()) {
      milli += Math.round(r.cpus * 1000);
      mem += r.memMiB;
    }
    return { cpus: milli / 1000, memMiB: mem };
  }

  /** What is free now (never below zero, even after reclaiming more than fits). */
  get free(): Resources {
    const used = this.used;
    return {
      cpus: Math.max(0, this.capacityMilli - Math.round(used.cpus * 1000)) / 1000,
      memMiB: Math.max(0, this.capacityMemMiB - used.memMiB),
    };
  }

  /** The keys of the reservations held, and of the requests waiting, in order. */
  snapshot(): { held: string[]; waiting: string[] } {
    return { held: [...this.held.keys()], waiting: this.queue.map((w) => w.key) };
  }

  /** Whether a demand could ever fit on this host (when it is empty). */
  fitsHost(demand: Resources): boolean {
    return Math.round(demand.cpus * 1000) <= this.capacityMilli && demand.memMiB <= this.capacityMemMiB;
  }

  /**
   * Holds `demand` under `key`, waiting in line while the host is full; rejects with the signal's
   * reason when it aborts. Reserving a key that is already held returns that reservation.
   */
  reserve(key: string, demand: Resources, io: { signal: AbortSignal; onProgress?: (message: string) => void }): Promise<Reservation> {
    const existing = this.held.get(key);
    if (existing) return Promise.resolve(existing);
    if (io.signal.aborted) return Promise.reject(io.signal.reason as unknown);
    return new Promise<Reservation>((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(io.signal.reason);
        this.serve();
      };
      const waiter: Waiter = {
        key,
        milli: Math.round(demand.cpus * 1000),
        memMiB: demand.memMiB,
        onProgress: io.onProgress,
        grant: (r) => {
          io.signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
      };
      io.signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.serve();
      if (this.queue.includes(waiter)) this.report(waiter);
    });
  }

  /** Counts a reservation found in a restored snapshot again; it is held even if the host looks full. */
  reclaim(reservation: Reservation): void {
    this.held.set(reservation.key, reservation);
  }

  /** Frees a reservation and serves the waiters that now fit. Releasing an unknown key does nothing. */
  release(key: string): void {
    if (!this.held.delete(key)) return;
    this.serve();
    // Only the head of the line can start next; telling every waiter about every release would
    // rewrite each waiting job's status once per release (quadratic in a burst).
    const head = this.queue[0];
    if (head) this.report(head);
  }

  /** Whether `key` is held. */
  holds(key: string): boolean {
    return this.held.has(key);
  }

  private fits(w: Waiter): boolean {
    const used = this.used;
    return Math.round(used.cpus * 1000) + w.milli <= this.capacityMilli && used.memMiB + w.memMiB <= this.capacityMemMiB;
  }

  private serve(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const existing = this.held.get(head.key);
      if (existing) {
        this.queue.shift();
        head.grant(existing);
        continue;
      }
      if (this.capacityMilli === 0 || !this.fits(head)) return;
      this.queue.shift();
      const r: Reservation = { key: head.key, cpus: head.milli / 1000, memMiB: head.memMiB };
      this.held.set(head.key, r);
      head.grant(r);
    }
  }

  private report(w: Waiter): void {
    const ahead = this.queue.indexOf(w);
    const queued = ahead > 0 ? ` (${ahead} ahead in line)` : '';
    w.onProgress?.(
      `waiting for ${formatResources({ cpus: w.milli / 1000, memMiB: w.memMiB })}; free: ${formatResources(this.free)}${queued}`,
    );
  }
}
