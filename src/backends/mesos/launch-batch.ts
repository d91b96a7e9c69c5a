import { MesosOfferLostError } from './errors.js';
import type { Offer } from './mesos-types.js';

/** A TaskInfo as JSON (see build-task-info.ts). */
export type TaskInfo = Record<string, unknown>;

/** Sends the one ACCEPT of an offer: a LAUNCH with every task given to it (the rest of the offer declined by its filter). */
export type AcceptSender = (offer: Offer, taskInfos: readonly TaskInfo[]) => Promise<void>;

interface Submitted {
  readonly key: string;
  readonly taskInfo: TaskInfo;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * The drivers that share one offer. An offer id can be used once, so their LAUNCHes leave in one
 * ACCEPT: when every holder has launched or withdrawn, or `maxWaitMs` after the first launch
 * (a holder later than that finds the offer gone and asks for resources again).
 */
export class LaunchBatch {
  private readonly pending: Set<string>;
  private readonly submitted: Submitted[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sender: AcceptSender | undefined;
  private closed = false;

  constructor(
    readonly offer: Offer,
    keys: readonly string[],
    private readonly maxWaitMs: number,
    private readonly onClosed: () => void,
  ) {
    this.pending = new Set(keys);
  }

  /** Whether `key` may still launch on this offer. */
  has(key: string): boolean {
    return !this.closed && this.pending.has(key);
  }

  /** Adds a task; resolves once the ACCEPT carrying it was taken by the master. */
  launch(key: string, taskInfo: TaskInfo, send: AcceptSender, signal?: AbortSignal): Promise<void> {
    if (!this.has(key))
      return Promise.reject(new MesosOfferLostError(`the offer ${this.offer.id.value} held for ${key} was used or withdrawn`));
    if (signal?.aborted) {
      this.withdraw(key);
      return Promise.reject(signal.reason);
    }
    this.pending.delete(key);
    this.sender ??= send;
    return new Promise<void>((resolve, reject) => {
      const entry: Submitted = { key, taskInfo, resolve, reject };
      this.submitted.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.closed) return;
          this.submitted.splice(this.submitted.indexOf(entry), 1);
          reject(signal.reason);
          this.settle();
        },
        { once: true },
      );
      this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
      this.settle();
    });
  }

  /** A holder gives its share up; true when nobody launched anything (the caller declines the offer). */
  withdraw(key: string): boolean {
    if (!this.pending.delete(key) || this.closed) return false;
    if (this.pending.size > 0 || this.submitted.length > 0) {
      this.settle();
      return false;
    }
    this.close();
    return true;
  }

  /** The offer is gone (rescinded, stream ended): every waiting launch fails and may be retried. */
  fail(reason: string): void {
    if (this.closed) return;
    this.close();
    for (const s of this.submitted)
      s.reject(new MesosOfferLostError(`the offer ${this.offer.id.value} held for ${s.key} ${reason}; resources will be requested again`));
  }

  private settle(): void {
    if (this.pending.size === 0) this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    this.close();
    const batch = this.submitted;
    if (batch.length === 0 || !this.sender) return;
    this.sender(
      this.offer,
      batch.map((s) => s.taskInfo),
    ).then(
      () => batch.forEach((s) => s.resolve()),
      (e: unknown) => batch.forEach((s) => s.reject(e)),
    );
  }

  private close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.onClosed();
  }
}
