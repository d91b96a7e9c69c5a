import { MesosNotSubscribedError } from './errors.js';
import type { OfferWant } from './match-offer.js';
import { describeOffer, describeWant, matchOffer } from './match-offer.js';
import type { Offer } from './mesos-types.js';

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

/** Matches incoming offers to waiting drivers (first come, first served) and holds the fitting ones. */
export class OfferBook {
  private readonly waiters = new Map<string, Waiter>();
  private readonly held = new Map<string, HeldOffer>();
  private readonly lastOffered = new Map<string, Offer>();

  /** Resolves with an offer fitting `want`, held under `key`; an already held valid offer is returned at once. */
  wait(key: string, want: OfferWant, generation: number, signal: AbortSignal, onProgress?: (message: string) => void): Promise<HeldOffer> {
    const held = this.held.get(key);
    if (held && held.generation === generation) return Promise.resolve(held);
    if (held) this.held.delete(key);
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

  /** Assigns fitting offers to waiters in arrival order; the rest are to be declined. */
  onOffers(offers: readonly Offer[], generation: number): OfferDecision {
    const assigned: HeldOffer[] = [];
    const declined: Offer[] = [];
    for (const offer of offers) {
      let taken = false;
      for (const w of this.waiters.values()) {
        const m = matchOffer(offer, w.want);
        if (m.fits) {
          const held = { key: w.key, offer, generation };
          this.held.set(w.key, held);
          assigned.push(held);
          w.resolve(held);
          taken = true;
          break;
        }
      }
      if (!taken) {
        declined.push(offer);
        this.lastOffered.set(offer.agent_id.value, offer);
      }
    }
    for (const w of this.waiters.values()) w.onProgress?.(this.progressOf(w));
    return { assigned, declined };
  }

  /** Forgets a rescinded offer; a driver holding it will have to ask again. */
  onRescind(offerId: string): void {
    for (const [key, h] of this.held) if (h.offer.id.value === offerId) this.held.delete(key);
    for (const [agent, o] of this.lastOffered) if (o.id.value === offerId) this.lastOffered.delete(agent);
  }

  /** The valid offer held for `key`, removed from the book (to launch on or to decline). */
  take(key: string, generation?: number): HeldOffer | undefined {
    const h = this.held.get(key);
    this.held.delete(key);
    return h && (generation === undefined || h.generation === generation) ? h : undefined;
  }

  /** Whether `offerId` is still held for `key`. */
  holds(key: string, offerId: string): boolean {
    return this.held.get(key)?.offer.id.value === offerId;
  }

  /** Drops every held offer (the stream that carried them ended). */
  clearHeld(): void {
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
