import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs the CLI in-process and returns its exit code and what it wrote to stderr. */
async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    err += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write);
  try {
    return { code: await main(['node', 'sparkctl', ...args]), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

// --exit-when-idle over an empty folder: a controller that wrongly starts exits 0 at once instead of 2.
describe('controller policy flags that would grant more than meant are usage errors (exit 2)', () => {
  let root: string;
  let base: string[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-flags-'));
    await mkdir(join(root, 'jobs'));
    base = ['--jobs', join(root, 'jobs'), '--state-dir', join(root, 'state'), 'controller', '--exit-when-idle'];
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['an empty prefix (an unset variable)', '', /--allow-host-path was given an empty prefix .*give an absolute folder/],
    ['a relative prefix', 'rel/dir', /--allow-host-path rel\/dir is relative; give an absolute folder \(for example \$PWD\/rel\/dir\)/],
    ['a dot', '.', /--allow-host-path \. is relative/],
  ])('refuses %s', async (_what, prefix, message) => {
    const { code, err } = await cli(...base, '--allow-host-path', prefix);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('refuses a prefix that cannot be resolved, and a --allow-secret-env that is not a variable name', async () => {
    const missing = await cli(...base, '--allow-host-path', join(root, 'no-such-folder'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--allow-host-path .*no-such-folder cannot be resolved \(ENOENT\); create the folder/);
    const env = await cli(...base, '--allow-secret-env', 'NOT-A-NAME');
    expect(env.code).toBe(2);
    expect(env.err).toContain('--allow-secret-env "NOT-A-NAME" is not an environment variable name');
  });

  it('accepts absolute, existing prefixes and variable names', async () => {
    const { code } = await cli(...base, '--allow-host-path', root, '--allow-secret-env', 'MESOS_SECRET');
    expect(code).toBe(0);
  });

  it('the real program exits 2 for --allow-host-path ""', async () => {
    const bin = resolve('bin/sparkctl.js');
    const res = await promisify(execFile)(process.execPath, [bin, ...base, '--allow-host-path', ''], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--allow-host-path');
  });
});
