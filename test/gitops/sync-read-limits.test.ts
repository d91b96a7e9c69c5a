import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/read-limits.js';
import { fakeJob } from '../support/controller-harness.js';
import { startGitDaemon, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A manifest over the size cap whose parse took the old sync over a GB: 1.5 MB of nested lists under a status. */
const oversized = (n: number) => `status:\n  phase: Running\n${fakeJob(`big-${n}`)}  sparkConf: {a: ${'['.repeat(1_500_000)}}\n`;
/** Under the size cap, but nested far past the depth limit. */
const deep = (n: number) => `status:\n  phase: Running\n${fakeJob(`deep-${n}`)}  sparkConf: {a: ${'['.repeat(900_000)}}\n`;

describe('git sync read limits', () => {
  let remote: TestRemote | undefined;
  let root: string | undefined;
  let daemon: LoopbackServer | undefined;
  afterAll(async () => {
    await daemon?.close();
    await remote?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('materialises revisions next to an oversized and a too-deep manifest without parsing them, under a 128 MB heap', async () => {
    expect(Buffer.byteLength(oversized(1))).toBeGreaterThan(MAX_MANIFEST_BYTES);
    expect(Buffer.byteLength(deep(1))).toBeLessThan(MAX_MANIFEST_BYTES);
    remote = await createTestRemote();
    root = await mkdtemp(join(tmpdir(), 'sparkctl-sync-limits-'));
    const first = await remote.commit({ 'jobs/big.yaml': oversized(1), 'jobs/deep.yaml': deep(1), 'jobs/a.yaml': fakeJob('a') });
    // Served by git daemon on loopback, as a real remote would be.
    daemon = await startGitDaemon(remote.root);
    const url = `git://127.0.0.1:${daemon.port}/remote.git`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--max-old-space-size=128', join(ROOT, 'test', 'gitops', 'support', 'sync-child.ts'), url, root],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const line = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`sync child gave no status within 60 s:\n${stderr}`)), 60_000).unref(),
        ),
      ]);
      if (line.done) throw new Error(`sync child exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
      return JSON.parse(line.value) as { revision?: string; error?: unknown };
    };
    try {
      expect(await next()).toMatchObject({ revision: first });
      // The next two commits make the sync look at the previous copies (their statuses are carried over).
      const second = await remote.commit({
        'jobs/big.yaml': oversized(2),
        'jobs/deep.yaml': deep(2),
        'jobs/a.yaml': fakeJob('a', '  suspend: true\n'),
      });
      child.stdin.write('sync\n');
      expect(await next()).toMatchObject({ revision: second });
      const third = await remote.commit({ 'jobs/a.yaml': fakeJob('a') });
      child.stdin.write('sync\n');
      const status = await next();
      expect(status).toMatchObject({ revision: third });
      expect(status.error).toBeUndefined();
      // Files over the limits keep git's bytes: nothing was parsed out of them or written into them.
      expect(await readFile(join(root, 'jobs', 'big.yaml'), 'utf8')).toBe(oversized(2));
      expect(await readFile(join(root, 'jobs', 'deep.yaml'), 'utf8')).toBe(deep(2));
      expect(await readFile(join(root, 'jobs', 'a.yaml'), 'utf8')).toBe(fakeJob('a'));
      expect(stderr).not.toMatch(/heap out of memory/);
    } finally {
      child.stdin.end();
      await new Promise((resolve) =>
        child.exitCode === null && child.signalCode === null ? child.once('close', resolve) : resolve(undefined),
      );
    }
  }, 120_000);
});
