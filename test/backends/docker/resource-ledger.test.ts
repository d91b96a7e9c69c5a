import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResourceLedger, formatCpus } from '../../../src/backends/docker/resource-ledger.js';

const io = (signal: AbortSignal = new AbortController().signal) => ({ signal });

describe('ResourceLedger', () => {
  it('serves first come, first served: a small request does not overtake a large one', async () => {
    const ledger = new ResourceLedger({ cpus: 4, memMiB: 4096 });
    await ledger.reserve('a', { cpus: 3, memMiB: 100 }, io());
    const order: string[] = [];
    const big = ledger.reserve('big', { cpus: 4, memMiB: 100 }, io()).then(() => order.push('big'));
    const small = ledger.reserve('small', { cpus: 1, memMiB: 100 }, io()).then(() => order.push('small'));
    expect(ledger.snapshot().waiting).toEqual(['big', 'small']);
    ledger.release('a');
    await big;
    expect(ledger.snapshot().waiting).toEqual(['small']);
    ledger.release('big');
    await small;
    expect(order).toEqual(['big', 'small']);
  });

  it('says once why each waiter waits, and after a release tells only the head of the line', async () => {
    const ledger = new ResourceLedger({ cpus: 2, memMiB: 4096 });
    await ledger.reserve('a', { cpus: 1, memMiB: 100 }, io());
    await ledger.reserve('b', { cpus: 1, memMiB: 100 }, io());
    const notes = new Map<string, string[]>();
    const waitFor = (key: string) => {
      notes.set(key, []);
      return ledger.reserve(
        key,
        { cpus: 2, memMiB: 100 },
        { signal: new AbortController().signal, onProgress: (m) => notes.get(key)!.push(m) },
      );
    };
    void waitFor('w1');
    void waitFor('w2');
    void waitFor('w3');
    ledger.release('a');
    expect(notes.get('w1')).toEqual([
      'waiting for 2 CPUs / 100 MiB; free: 0 CPUs / 3896 MiB',
      'waiting for 2 CPUs / 100 MiB; free: 1 CPU / 3996 MiB',
    ]);
    expect(notes.get('w2')).toHaveLength(1);
    expect(notes.get('w3')).toHaveLength(1);
  });

  it('returns the held reservation when a key is reserved twice', async () => {
    const ledger = new ResourceLedger({ cpus: 1, memMiB: 1024 });
    const a = await ledger.reserve('job/1', { cpus: 1, memMiB: 512 }, io());
    const b = await ledger.reserve('job/1', { cpus: 1, memMiB: 512 }, io());
    expect(b).toBe(a);
    expect(ledger.used).toEqual({ cpus: 1, memMiB: 512 });
  });

  it('rejects at once with an already aborted signal', async () => {
    const ledger = new ResourceLedger({ cpus: 1, memMiB: 1024 });
    await expect(ledger.reserve('x', { cpus: 1, memMiB: 1 }, io(AbortSignal.abort(new Error('gone'))))).rejects.toThrow('gone');
    expect(ledger.snapshot()).toEqual({ held: [], waiting: [] });
  });

  it('formats CPU counts for status messages', () => {
    expect([formatCpus(1), formatCpus(2), formatCpus(0.5), formatCpus(0.1 + 0.2)]).toEqual(['1 CPU', '2 CPUs', '0.5 CPUs', '0.3 CPUs']);
  });

  it('never holds more than its capacity, whatever the order of reserves, releases and aborts', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        cpus: fc.integer({ min: 1, max: 8 }).map((n) => n / 4),
        mem: fc.integer({ min: 1, max: 2048 }),
      }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const ledger = new ResourceLedger({ cpus: 2, memMiB: 2048 });
        const controllers = new Map<string, AbortController>();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'reserve') {
            const key = `k${n++}`;
            const ac = new AbortController();
            controllers.set(key, ac);
            ledger.reserve(key, { cpus: o.cpus, memMiB: o.mem }, io(ac.signal)).catch(() => undefined);
          } else {
            const { held, waiting } = ledger.snapshot();
            const list = o.kind === 'release' ? held : waiting;
            const key = list[o.pick % Math.max(1, list.length)];
            if (key !== undefined) {
              if (o.kind === 'release') ledger.release(key);
              else controllers.get(key)!.abort();
            }
          }
          await Promise.resolve();
          expect(ledger.used.cpus).toBeLessThanOrEqual(2);
          expect(ledger.used.memMiB).toBeLessThanOrEqual(2048);
        }
        for (const [, ac] of controllers) ac.abort();
        for (const key of ledger.snapshot().held) ledger.release(key);
        expect(ledger.snapshot()).toEqual({ held: [], waiting: [] });
      }),
      { numRuns: 200 },
    );
  });
});
