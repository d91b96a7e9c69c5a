import { MesosNotSubscribedError, MesosOfferLostError } from './errors.js';
import type { AcceptSender, TaskInfo } from './launch-batch.js';
import { LaunchBatch } from './launch-batch.js';
import type { OfferWant } from './match-offer.js';
import { describeOffer, describeWant, matchOffer, offeredScalar } from './match-offer.js';
import type { Offer } from './mesos-types.js';

/**
 * How long the first launch on a shared offer waits for the other holders before the ACCEPT leaves without them
 * (a safety net: holders launch or release within milliseconds of each other; a later one asks for resources again).
 */
const SHARED_OFFER_WAIT_MS = 5000;

/** An offer set aside for one attempt until it is launched on or released. */
export interface HeldOffer {
  readonly key: string;
  readonly offer: Offer;
  /** The subscription generation the offer came from; offers die with their stream. */
  readonly generation: number;
}

interface Waiter {
  readonly key: string;
  readonly want: OfferWant;
  readonly onProgress?: (message: string) => void;
  readonly resolve: (held: HeldOffer) => void;
  readonly reject: (e: unknown) => void;
}

/** What to do with one batch of offers. */
export interface OfferDecision {
  readonly assigned: readonly HeldOffer[];
  readonly declined: readonly Offer[];
}

/**
 * Matches incoming offers to waiting drivers in order of waiting time: each takes its share of the
 * fitting offer with the most room left (spreading drivers over agents), so one offer can carry
 * several drivers, launched together in one ACCEPT (see LaunchBatch).
 */
export class OfferBook {
  private readonly waiters = new Map<string, Waiter>();
  private readonly held = new Map<string, HeldOffer>();
  private readonly batches = new Map<string, LaunchBatch>();
  private readonly lastOffered = new Map<string, Offer>();

  /** Resolves with an offer fitting `want`, held under `key`; an already held valid offer is returned at once. */
  wait(key: string, want: OfferWant, generation: number, signal: AbortSignal, onProgress?: (message: string) => void): Promise<HeldOffer> {
    const held = this.held.get(key);
    if (held && held.generation === generation && this.batches.get(held.offer.id.value)?.has(key)) return Promise.resolve(held);
    if (held) this.take(key);
    this.waiters.get(key)?.reject(new MesosNotSubscribedError(`a newer request for ${key} replaced this one`));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (this.waiters.get(key) === waiter) this.waiters.delete(key);
      };
      const waiter: Waiter = {
        key,
        want,
        onProgress,
        resolve: (h) => {
          done();
          resolve(h);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      const onAbort = (): void => waiter.reject(signal.reason);
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(key, waiter);
      onProgress?.(this.progressOf(waiter));
    });
  }

  /** Roles some driver is waiting an offer for. */
  waitingRoles(): Set<string> {
    return new Set([...this.waiters.values()].map((w) => w.want.role));
  }

  /** Gives each waiter, oldest first, a share of the roomiest offer it fits; offers nobody fits are to be declined. */
  onOffers(offers: readonly Offer[], generation: number): OfferDecision {
    const room = offers.map((offer) => ({ offer, taken: { cpus: 0, memMiB: 0 }, keys: [] as string[] }));
    const left = (r: (typeof room)[number]): number => offeredScalar(r.offer, 'cpus') - r.taken.cpus;
    const placed: Waiter[] = [];
    for (const w of this.waiters.values()) {
      let best: (typeof room)[number] | undefined;
      for (const r of room) if (matchOffer(r.offer, w.want, r.taken).fits && (!best || left(r) > left(best))) best = r;
      if (!best) continue;
      best.taken = { cpus: best.taken.cpus + w.want.cpus, memMiB: best.taken.memMiB + w.want.memMiB };
      best.keys.push(w.key);
      placed.push(w);
    }
    const assigned: HeldOffer[] = [];
    const declined: Offer[] = [];
    for (const r of room) {
      if (r.keys.length === 0) {
        declined.push(r.offer);
        this.lastOffered.set(r.offer.agent_id.value, r.offer);
        continue;
      }
      const id = r.offer.id.value;
      this.batches.set(
        id,
        new LaunchBatch(r.offer, r.keys, SHARED_OFFER_WAIT_MS, () => this.batches.get(id)?.offer === r.offer && this.batches.delete(id)),
      );
      for (const key of r.keys) {
        const held = { key, offer: r.offer, generation };
        this.held.set(key, held);
        assigned.push(held);
      }
    }
    for (const w of placed) w.resolve(this.held.get(w.key)!);
    for (const w of this.waiters.values()) w.onProgress?.(this.progressOf(w));
    return { assigned, declined };
  }

  /** Forgets a rescinded offer; the drivers holding it will have to ask again. */
  onRescind(offerId: string): void {
    this.batches.get(offerId)?.fail('was rescinded');
    for (const [key, h] of this.held) if (h.offer.id.value === offerId) this.held.delete(key);
    for (const [agent, o] of this.lastOffered) if (o.id.value === offerId) this.lastOffered.delete(agent);
  }

  /** The valid offer held for `key` (to build its task from), left in the book. */
  peek(key: string, generation: number): HeldOffer | undefined {
    const h = this.held.get(key);
    return h && h.generation === generation && this.batches.get(h.offer.id.value)?.has(key) ? h : undefined;
  }

  /**
   * Launches `key`'s task on its held offer, together with the other drivers sharing it; rejects with MesosOfferLostError if the offer is
   * gone.
   */
  launch(key: string, taskInfo: TaskInfo, send: AcceptSender, signal?: AbortSignal): Promise<void> {
    const h = this.held.get(key);
    this.held.delete(key);
    const batch = h && this.batches.get(h.offer.id.value);
    if (!batch) return Promise.reject(new MesosOfferLostError(`no offer is held for ${key} any more`));
    return batch.launch(key, taskInfo, send, signal);
  }

  /** Gives up `key`'s share; returns the offer only when nobody else holds or used it (then the caller declines it). */
  take(key: string, generation?: number): HeldOffer | undefined {
    const h = this.held.get(key);
    this.held.delete(key);
    if (!h) return undefined;
    const batch = this.batches.get(h.offer.id.value);
    const whole = batch?.withdraw(key) ?? false;
    return whole && (generation === undefined || h.generation === generation) ? h : undefined;
  }

  /** Whether `offerId` is still held for `key`. */
  holds(key: string, offerId: string): boolean {
    return this.held.get(key)?.offer.id.value === offerId && this.batches.get(offerId)?.has(key) === true;
  }

  /** Drops every held offer (the stream that carried them ended). */
  clearHeld(): void {
    for (const b of [...this.batches.values()]) b.fail('died with the subscription');
    this.batches.clear();
    this.held.clear();
    this.lastOffered.clear();
  }

  /** A message saying what `key` asked for and what was last offered. */
  progress(key: string): string | undefined {
    const w = this.waiters.get(key);
    return w ? this.progressOf(w) : undefined;
  }

  private progressOf(w: Waiter): string {
    const asked = `Waiting for a Mesos offer with ${describeWant(w.want)}`;
    if (this.lastOffered.size === 0) return `${asked}; nothing offered yet`;
    const offered = [...this.lastOffered.values()].map((o) => {
      const m = matchOffer(o, w.want);
      return `${describeOffer(o)}: ${m.fits ? 'fits' : m.reasons.join(', ')}`;
    });
    return `${asked}; last offered: ${offered.join(' | ')}`;
  }
}
