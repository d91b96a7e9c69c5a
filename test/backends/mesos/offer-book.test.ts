import { describe, expect, it } from 'vitest';
import { OfferBook } from '../../../src/backends/mesos/offer-book.js';
import { offer } from './fixtures.js';

const want = { cpus: 1, memMiB: 1408, role: '*', constraints: [] };

describe('OfferBook', () => {
  it('holds the first fitting offer for the waiter and declines the rest', async () => {
    const book = new OfferBook();
    const progress: string[] = [];
    const pending = book.wait('j/1', want, 1, new AbortController().signal, (m) => progress.push(m));
    const small = offer({ id: 'O1', cpus: 0.5, mem: 512 });
    const big = offer({ id: 'O2', agent: 'S2' });
    const d = book.onOffers([small, big], 1);
    expect(d.declined.map((o) => o.id.value)).toEqual(['O1']);
    const held = await pending;
    expect(held.offer.id.value).toBe('O2');
    expect(book.holds('j/1', 'O2')).toBe(true);
    expect(book.waitingRoles().size).toBe(0);
    expect(progress[0]).toBe('Waiting for a Mesos offer with cpus 1, mem 1408 MiB, role *; nothing offered yet');
  });

  it('reports what was asked and what was last offered while nothing fits', () => {
    const book = new OfferBook();
    const progress: string[] = [];
    void book.wait('j/1', want, 1, new AbortController().signal, (m) => progress.push(m));
    book.onOffers([offer({ id: 'O1', cpus: 0.5, mem: 512 })], 1);
    expect(progress.at(-1)).toBe('Waiting for a Mesos offer with cpus 1, mem 1408 MiB, role *; last offered: agent-1 (role *, cpus 0.5, mem 512 MiB): cpus 0.5 < 1, mem 512 MiB < 1408 MiB');
  });

  it('forgets a rescinded offer and offers of an older generation', async () => {
    const book = new OfferBook();
    const pending = book.wait('j/1', want, 1, new AbortController().signal);
    book.onOffers([offer({ id: 'O9' })], 1);
    await pending;
    book.onRescind('O9');
    expect(book.holds('j/1', 'O9')).toBe(false);
    const again = book.wait('j/2', want, 1, new AbortController().signal);
    book.onOffers([offer({ id: 'O10' })], 1);
    await again;
    expect(book.take('j/2', 2)).toBeUndefined();
  });

  it('rejects the waiter when its signal aborts', async () => {
    const book = new OfferBook();
    const ac = new AbortController();
    const pending = book.wait('j/1', want, 1, ac.signal);
    ac.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    expect(book.waitingRoles().size).toBe(0);
  });
});
