import { afterEach, describe, expect, it, vi } from 'vitest';
import { MesosOfferLostError } from '../../../src/backends/mesos/errors.js';
import { OfferBook } from '../../../src/backends/mesos/offer-book.js';
import { offer } from './fixtures.js';

const want = { cpus: 1, memMiB: 1408, role: '*', constraints: [] };

describe('OfferBook', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

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
    expect(progress.at(-1)).toBe(
      'Waiting for a Mesos offer with cpus 1, mem 1408 MiB, role *; last offered: agent-1 (role *, cpus 0.5, mem 512 MiB): cpus 0.5 < 1, mem 512 MiB < 1408 MiB',
    );
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
  it('shares offers among waiters oldest first, each on the offer with the most room left', async () => {
    const book = new OfferBook();
    const small = { cpus: 1, memMiB: 1024, role: '*', constraints: [] };
    const signal = new AbortController().signal;
    const held = ['j1/1', 'j2/1', 'j3/1', 'j4/1'].map((k) => book.wait(k, small, 1, signal));
    const big = book.wait('big/1', { ...small, cpus: 3 }, 1, signal);
    const d = book.onOffers(
      [offer({ id: 'O1', agent: 'S1', cpus: 2, mem: 4096 }), offer({ id: 'O2', agent: 'S2', cpus: 3, mem: 4096 })],
      1,
    );
    expect(d.declined).toEqual([]);
    const got = await Promise.all(held);
    expect(got.map((h) => h.offer.id.value)).toEqual(['O2', 'O1', 'O2', 'O1']);
    expect(book.waitingRoles()).toEqual(new Set(['*']));
    void big;
  });

  it('sends one ACCEPT with every task launched on a shared offer, without the holder that gave its share up', async () => {
    const book = new OfferBook();
    const signal = new AbortController().signal;
    const a = book.wait('a/1', { ...want, cpus: 1 }, 1, signal);
    const b = book.wait('b/1', { ...want, cpus: 1 }, 1, signal);
    const c = book.wait('c/1', { ...want, cpus: 1 }, 1, signal);
    book.onOffers([offer({ id: 'O1', cpus: 3, mem: 8192 })], 1);
    await Promise.all([a, b, c]);
    const sent: string[][] = [];
    const send = async (_o: unknown, tasks: readonly Record<string, unknown>[]) => void sent.push(tasks.map((t) => String(t.name)));
    const la = book.launch('a/1', { name: 'a' }, send);
    expect(book.take('b/1')).toBeUndefined();
    expect(sent).toEqual([]);
    const lc = book.launch('c/1', { name: 'c' }, send);
    await Promise.all([la, lc]);
    expect(sent).toEqual([['a', 'c']]);
    await expect(book.launch('a/1', { name: 'a' }, send)).rejects.toBeInstanceOf(MesosOfferLostError);
  });

  it('hands the offer back to be declined when every holder gave it up, and fails waiting launches when it is rescinded', async () => {
    const book = new OfferBook();
    const signal = new AbortController().signal;
    const two = [book.wait('a/1', { ...want, cpus: 1 }, 1, signal), book.wait('b/1', { ...want, cpus: 1 }, 1, signal)];
    book.onOffers([offer({ id: 'O1', cpus: 2, mem: 8192 })], 1);
    await Promise.all(two);
    expect(book.take('a/1')).toBeUndefined();
    expect(book.take('b/1')?.offer.id.value).toBe('O1');
    const again = [book.wait('c/1', { ...want, cpus: 1 }, 1, signal), book.wait('d/1', { ...want, cpus: 1 }, 1, signal)];
    book.onOffers([offer({ id: 'O2', cpus: 2, mem: 8192 })], 1);
    await Promise.all(again);
    const send = () => Promise.resolve();
    const lc = book.launch('c/1', { name: 'c' }, send);
    book.onRescind('O2');
    await expect(lc).rejects.toBeInstanceOf(MesosOfferLostError);
    expect(book.holds('d/1', 'O2')).toBe(false);
  });
  it('sends the ACCEPT without a holder that has neither launched nor released 5 s after the first launch', async () => {
    vi.useFakeTimers();
    const book = new OfferBook();
    const signal = new AbortController().signal;
    const two = [book.wait('a/1', { ...want, cpus: 1 }, 1, signal), book.wait('b/1', { ...want, cpus: 1 }, 1, signal)];
    book.onOffers([offer({ id: 'O1', cpus: 2, mem: 8192 })], 1);
    await Promise.all(two);
    const sent: string[][] = [];
    const send = async (_o: unknown, tasks: readonly Record<string, unknown>[]) => void sent.push(tasks.map((t) => String(t.name)));
    const la = book.launch('a/1', { name: 'a' }, send);
    await vi.advanceTimersByTimeAsync(4999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await la;
    expect(sent).toEqual([['a']]);
    await expect(book.launch('b/1', { name: 'b' }, send)).rejects.toBeInstanceOf(MesosOfferLostError);
    expect(book.take('b/1')).toBeUndefined();
  });
});
