import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirSyncer } from '../../src/fs/dir-sync.js';
import { createMode, writeFileAtomic } from '../../src/fs/write-file-atomic.js';

/** A fake fsync the test finishes by hand, recording when each one started (a logical clock). */
function controlledFsync() {
  let clock = 0;
  const started: { dir: string; at: number; finish: (err?: Error) => void }[] = [];
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const fsync = (dir: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      clock += 1;
      const n = (inFlight.get(dir) ?? 0) + 1;
      inFlight.set(dir, n);
      maxInFlight = Math.max(maxInFlight, n);
      started.push({
        dir,
        at: clock,
        finish: (err) => {
          inFlight.set(dir, inFlight.get(dir)! - 1);
          if (err) reject(err);
          else resolve();
        },
      });
    });
  return { fsync, started, tick: () => ++clock, maxInFlight: () => maxInFlight };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((r) => setImmediate(r));
};

describe('DirSyncer (group commit of folder fsyncs)', () => {
  it('a caller that arrives during an fsync waits for the next one, which serves everyone who arrived meanwhile', async () => {
    const c = controlledFsync();
    const syncer = new DirSyncer(c.fsync);
    const done: string[] = [];
    void syncer.sync('/d').then(() => done.push('a'));
    expect(c.started).toHaveLength(1);
    void syncer.sync('/d').then(() => done.push('b'));
    void syncer.sync('/d').then(() => done.push('c'));
    expect(c.started).toHaveLength(1);
    c.started[0]!.finish();
    await flush();
    // a's fsync began before b and c arrived: it does not make their renames durable.
    expect(done).toEqual(['a']);
    expect(c.started).toHaveLength(2);
    c.started[1]!.finish();
    await flush();
    expect(done).toEqual(['a', 'b', 'c']);
    expect(syncer.pending).toBe(0);
  });

  it('never resolves a caller before an fsync that started after its call, one fsync in flight per folder (property)', async () => {
    // Steps: call sync on one of two folders, or finish the oldest running fsync (ok or failing).
    const step = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), dir: fc.constantFrom('/a', '/b') }),
      fc.record({ kind: fc.constant('finish' as const), fail: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const c = controlledFsync();
        const syncer = new DirSyncer(c.fsync);
        const calls: { dir: string; at: number; settled?: { ok: boolean; by: number } }[] = [];
        let finished = 0;
        /** The fsync each settled caller's settlement came from: the one finished last. */
        let lastFinished = -1;
        const finishNext = async (fail: boolean): Promise<void> => {
          if (finished >= c.started.length) return;
          lastFinished = finished;
          c.started[finished]!.finish(fail ? new Error('EIO') : undefined);
          finished += 1;
          await flush();
        };
        for (const s of steps) {
          if (s.kind === 'call') {
            const call: (typeof calls)[number] = { dir: s.dir, at: c.tick() };
            calls.push(call);
            syncer.sync(s.dir).then(
              () => (call.settled = { ok: true, by: lastFinished }),
              () => (call.settled = { ok: false, by: lastFinished }),
            );
          } else await finishNext(s.fail);
        }
        // Drain: finish every fsync still running or started by the draining itself.
        for (let n = 0; finished < c.started.length; n += 1) {
          expect(n).toBeLessThan(100);
          await finishNext(false);
        }
        expect(c.maxInFlight()).toBeLessThanOrEqual(1);
        for (const call of calls) {
          expect(call.settled).toBeDefined();
          const by = c.started[call.settled!.by]!;
          expect(by.dir).toBe(call.dir);
          expect(by.at).toBeGreaterThan(call.at);
        }
        expect(syncer.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every caller of a failed fsync with its error, and the next batch still runs', async () => {
    const c = controlledFsync();
    const syncer = new DirSyncer(c.fsync);
    const a = syncer.sync('/d');
    const b = syncer.sync('/d');
    c.started[0]!.finish(new Error('EIO on fsync'));
    await expect(a).rejects.toThrow('EIO on fsync');
    await flush();
    expect(c.started).toHaveLength(2);
    c.started[1]!.finish(new Error('EIO again'));
    await expect(b).rejects.toThrow('EIO again');
    const d = syncer.sync('/d');
    c.started[2]!.finish();
    await expect(d).resolves.toBeUndefined();
  });

  it('a synchronous throw of the fsync rejects its callers instead of breaking the folder', async () => {
    let calls = 0;
    const syncer = new DirSyncer(() => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return Promise.resolve();
    });
    await expect(syncer.sync('/d')).rejects.toThrow('boom');
    await expect(syncer.sync('/d')).resolves.toBeUndefined();
  });
});

describe('writeFileAtomic with shared folder fsyncs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-dirsync-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('many concurrent writes into one folder all land, with their modes, and leave no temp file', async () => {
    const modes = [0o644, 0o600, 0o640, 0o664, 0o444];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => writeFileAtomic(join(dir, `f${i}.json`), `{"n":${i}}`, { mode: modes[i % modes.length]! })),
    );
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    for (let i = 0; i < 200; i += 1) {
      expect(await readFile(join(dir, `f${i}.json`), 'utf8')).toBe(`{"n":${i}}`);
      expect((await stat(join(dir, `f${i}.json`))).mode & 0o777).toBe(modes[i % modes.length]);
    }
  });

  it('the mode a temp file is created with gives its group no more than others get, and owner and others what they get', () => {
    for (let mode = 0; mode <= 0o777; mode += 1) {
      const created = createMode(mode);
      expect(created & 0o700).toBe(mode & 0o700);
      expect(created & 0o007).toBe(mode & 0o007);
      const group = (created >> 3) & 0o7;
      expect(group & ~(mode & 0o7)).toBe(0);
      expect(group & ~((mode >> 3) & 0o7)).toBe(0);
    }
    expect(createMode(0o644)).toBe(0o644);
    expect(createMode(0o640)).toBe(0o600);
  });
});
