import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, open, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SparkJobStatus } from '../../src/api/status.js';
import { applyStatus } from '../../src/manifest/apply-status.js';
import { parseManifestText } from '../../src/manifest/parse-manifest.js';
import { parseDocumentBounded } from '../../src/manifest/parse-yaml-bounded.js';
import { readStatusFromDoc } from '../../src/manifest/read-status.js';
import { contentHash, writeStatus } from '../../src/manifest/write-status.js';
import { VALID } from './fixtures.js';
import { generatedManifest, generatedStatus, type GeneratedManifest } from './manifest-arbitraries.js';

const RUNNING: SparkJobStatus = {
  phase: 'Running',
  observedSpecHash: '0123456789abcdef',
  conditions: [
    { type: 'Reconciling', status: 'True', reason: 'Running', message: 'driver started', lastTransitionTime: '2025-01-02T03:04:05.000Z' },
  ],
  submissionAttempts: 1,
  executionAttempts: 1,
};
const SUCCEEDED: SparkJobStatus = { ...RUNNING, phase: 'Succeeded', exitCode: 0, conditions: [] };

/** Every byte outside the status block must be what it was. */
function expectOnlyStatusChanged(m: GeneratedManifest, next: string): void {
  if (m.status === undefined) {
    const base = m.text.endsWith('\n') || m.text === '' ? m.text : `${m.text}\n`;
    expect(next.startsWith(base)).toBe(true);
    expect(next.slice(base.length)).toMatch(/^status:/);
  } else {
    expect(next.startsWith(m.prefix)).toBe(true);
    expect(next.endsWith(m.suffix)).toBe(true);
    expect(next.slice(m.prefix.length, next.length - m.suffix.length)).toMatch(/^status:/);
  }
}

describe('applyStatus (property)', () => {
  it('generated manifests are valid', () => {
    fc.assert(
      fc.property(generatedManifest, (m) => {
        const parsed = parseManifestText(m.text, 'job.yaml');
        expect(parsed.ok ? [] : parsed.errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the spec, its hash and every byte outside status; the status reads back', () => {
    fc.assert(
      fc.property(generatedManifest, generatedStatus, (m, status) => {
        const before = parseManifestText(m.text, 'job.yaml');
        const next = applyStatus(m.text, status);
        const after = parseManifestText(next, 'job.yaml');
        if (!before.ok || !after.ok || !before.job || !after.job) throw new Error('a generated manifest did not parse');
        expect(after.specHash).toBe(before.specHash);
        expect(after.job.spec).toEqual(before.job.spec);
        expect(after.job.metadata).toEqual(before.job.metadata);
        expect(readStatusFromDoc(after.doc)).toEqual(status);
        expectOnlyStatusChanged(m, next);
        // Writing the same status again changes nothing; writing another replaces it in place.
        expect(applyStatus(next, status)).toBe(next);
        const again = applyStatus(next, SUCCEEDED);
        const reread = parseManifestText(again, 'job.yaml');
        expect(reread.ok && readStatusFromDoc(reread.doc)).toEqual(SUCCEEDED);
        expectOnlyStatusChanged(m, again);
      }),
      { numRuns: 300 },
    );
  });
});

describe('applyStatus with the parsed document (checks only the block when it goes last)', () => {
  const withDoc = (text: string, status: SparkJobStatus) => {
    const parsed = parseManifestText(text, 'job.yaml');
    if (!parsed.ok) throw new Error('a manifest did not parse');
    return applyStatus(text, status, 'job.yaml', parsed.doc);
  };

  it('gives exactly what the whole-file check gives (property)', () => {
    fc.assert(
      fc.property(generatedManifest, generatedStatus, (m, status) => {
        const next = withDoc(m.text, status);
        expect(next).toBe(applyStatus(m.text, status));
        expect(withDoc(next, SUCCEEDED)).toBe(applyStatus(next, SUCCEEDED));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a status that would not read back as written, as the whole-file check does', () => {
    const doc = parseDocumentBounded(VALID);
    // A condition message with a lone surrogate cannot be written as UTF-8 YAML and read back equal.
    const odd = { ...RUNNING, message: 'bad \ud800 half' } as SparkJobStatus;
    const whole = (() => {
      try {
        return applyStatus(VALID, odd, 'job.yaml');
      } catch (err) {
        return String(err);
      }
    })();
    const fast = (() => {
      try {
        return applyStatus(VALID, odd, 'job.yaml', doc);
      } catch (err) {
        return String(err);
      }
    })();
    expect(fast).toBe(whole);
  });
});

describe('writeStatus', () => {
  let dir: string;
  let n = 0;
  const file = async (text: string) => {
    n += 1;
    const path = join(dir, `job-${n}.yaml`);
    await writeFile(path, text);
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-status-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const tempFiles = async () => (await readdir(dir)).filter((f) => f.endsWith('.tmp'));

  it('writes generated manifests on disk with the same guarantees (property)', async () => {
    await fc.assert(
      fc.asyncProperty(generatedManifest, generatedStatus, async (m, status) => {
        const path = await file(m.text);
        const result = await writeStatus(path, status);
        const next = await readFile(path, 'utf8');
        expect(result).toMatchObject({ written: true, reason: 'written', contentHash: contentHash(next) });
        expect(next).toBe(applyStatus(m.text, status));
        expectOnlyStatusChanged(m, next);
        await unlink(path);
      }),
      { numRuns: 60 },
    );
    expect(await tempFiles()).toEqual([]);
  });

  it('appends a status block to a manifest without one, adding the missing newline', async () => {
    const path = await file(VALID.trimEnd());
    await writeStatus(path, RUNNING);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(`${VALID.trimEnd()}\nstatus:\n  phase: Running\n`)).toBe(true);
  });

  it('reports an unchanged status without writing', async () => {
    const path = await file(VALID);
    const first = await writeStatus(path, RUNNING);
    const second = await writeStatus(path, RUNNING);
    expect(second).toEqual({ written: false, reason: 'unchanged', contentHash: first.contentHash, attempts: 1 });
  });

  it('re-applies on the newer content when the file changes between read and rename (property)', async () => {
    await fc.assert(
      fc.asyncProperty(generatedManifest, generatedStatus, fc.constantFrom('# edited by a user\n', ''), async (m, status, lead) => {
        const path = await file(m.text);
        let userText = '';
        const result = await writeStatus(path, status, {
          beforeRename: async ({ attempt }) => {
            if (attempt > 1) return;
            // The user saves a newer spec while the controller is writing.
            userText =
              lead + m.text.replace('spark-examples_2.12-3.5.3.jar', 'newer.jar').replace('local:///app.jar', 'local:///newer.jar');
            await writeFile(path, userText);
          },
        });
        const text = await readFile(path, 'utf8');
        expect(result.attempts).toBe(2);
        expect(text).toBe(applyStatus(userText, status));
        expect(text).toContain('newer.jar');
        await unlink(path);
      }),
      { numRuns: 40 },
    );
    expect(await tempFiles()).toEqual([]);
  });

  it('keeps an edit saved in place in the instant between the last check and the rename', async () => {
    const path = await file(VALID);
    const userText = `${VALID}# saved by an editor that writes in place\n`;
    const result = await writeStatus(path, RUNNING, {
      beforeSwap: async ({ attempt }) => {
        if (attempt === 1) await writeFile(path, userText);
      },
    });
    expect(result.attempts).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(applyStatus(userText, RUNNING));
    expect(await tempFiles()).toEqual([]);
  });

  it('keeps an edit an editor renamed into place in the instant between the last check and the rename', async () => {
    const path = await file(VALID);
    const userText = `${VALID}# saved by an editor that writes a copy and renames it over\n`;
    const result = await writeStatus(path, RUNNING, {
      beforeSwap: async ({ attempt }) => {
        if (attempt !== 1) return;
        await writeFile(`${path}.editor~`, userText);
        await rename(`${path}.editor~`, path);
      },
    });
    expect(result.attempts).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(applyStatus(userText, RUNNING));
    expect(await tempFiles()).toEqual([]);
  });

  it('gives up with a retryable error when the file keeps changing, keeping the last edit', async () => {
    const path = await file(VALID);
    let edits = 0;
    const writing = writeStatus(path, RUNNING, {
      maxAttempts: 3,
      beforeRename: async () => {
        edits += 1;
        await writeFile(path, `${VALID}# edit ${edits}\n`);
      },
    });
    await expect(writing).rejects.toMatchObject({ code: 'SPARKCTL_STATUS_WRITE_FAILED', errorClass: 'retryable' });
    expect(await readFile(path, 'utf8')).toBe(`${VALID}# edit 3\n`);
    expect(await tempFiles()).toEqual([]);
  });

  it('does nothing when the file is deleted before or during the write', async () => {
    expect(await writeStatus(join(dir, 'never.yaml'), RUNNING)).toEqual({
      written: false,
      reason: 'missing',
      contentHash: null,
      attempts: 0,
    });
    const path = await file(VALID);
    const result = await writeStatus(path, RUNNING, { beforeRename: () => unlink(path) });
    expect(result).toMatchObject({ written: false, reason: 'missing' });
    expect(await tempFiles()).toEqual([]);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes only over the version the caller expects', async () => {
    const path = await file(VALID);
    const result = await writeStatus(path, RUNNING, { expectedHash: contentHash('something else') });
    expect(result).toEqual({ written: false, reason: 'conflict', contentHash: contentHash(VALID), attempts: 1 });
    expect(await readFile(path, 'utf8')).toBe(VALID);
    const ok = await writeStatus(path, RUNNING, { expectedHash: contentHash(VALID) });
    expect(ok.written).toBe(true);
  });

  it('keeps the file mode and writes through a symlink without replacing it', async () => {
    const path = await file(VALID);
    await chmod(path, 0o640);
    const link = join(dir, 'link.yaml');
    await symlink(path, link);
    await writeStatus(link, RUNNING);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readFile(path, 'utf8')).toContain('phase: Running');
    expect(await readlink(link)).toBe(path);
  });

  it('refuses a manifest that is not valid YAML, leaving it untouched', async () => {
    const path = await file(`${VALID}  arguments: [1,\n`);
    await expect(writeStatus(path, RUNNING)).rejects.toMatchObject({ code: 'SPARKCTL_STATUS_WRITE_FAILED' });
    expect(await readFile(path, 'utf8')).toBe(`${VALID}  arguments: [1,\n`);
  });

  it('refuses when an alias outside status points into it', async () => {
    const text = `${VALID}status: &s {phase: Pending}\nextra: *s\n`;
    expect(() => applyStatus(text, RUNNING)).toThrow(/without changing other content/);
  });

  it('rewrites a status whose message ends in line breaks without touching what follows', () => {
    const status = { ...RUNNING, message: 'last line\n\n' };
    const once = applyStatus(VALID.trimEnd(), status);
    expect(applyStatus(once, status)).toBe(once);
    const followed = `${once}\n# after status\n`;
    const twice = applyStatus(followed, SUCCEEDED);
    expect(twice.endsWith('\n# after status\n')).toBe(true);
  });

  it('keeps CRLF line endings', () => {
    const crlf = VALID.replace(/\n/g, '\r\n');
    const next = applyStatus(`${crlf}status: {}\r\n`, RUNNING);
    expect(next.startsWith(crlf)).toBe(true);
    expect(next.slice(crlf.length)).not.toMatch(/[^\r]\n/);
  });
});

describe('writeStatus I/O failures', () => {
  it('fail with a coded, retryable error naming the file, and leave the file and no temp file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sparkctl-io-'));
    const path = join(dir, 'job.yaml');
    await writeFile(path, VALID);
    try {
      const failing = writeStatus(path, RUNNING, {
        beforeRename: () => {
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        },
      });
      await expect(failing).rejects.toMatchObject({
        code: 'SPARKCTL_STATUS_WRITE_FAILED',
        errorClass: 'retryable',
        message: expect.stringContaining(`${path} (ENOSPC)`) as unknown,
      });
      expect(await readFile(path, 'utf8')).toBe(VALID);
      expect(await readdir(dir)).toEqual(['job.yaml']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('writeStatus keeps what the file was', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-meta-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps owner, group and mode (nobody:nogroup 0664), also under umask 077', async () => {
    const path = join(dir, 'owned.yaml');
    await writeFile(path, VALID);
    await chown(path, 65534, 65534);
    await chmod(path, 0o664);
    const umask = process.umask(0o077);
    try {
      expect((await writeStatus(path, RUNNING)).written).toBe(true);
    } finally {
      process.umask(umask);
    }
    const after = await stat(path);
    expect({ uid: after.uid, gid: after.gid, mode: after.mode & 0o777 }).toEqual({ uid: 65534, gid: 65534, mode: 0o664 });
    const parsed = parseManifestText(await readFile(path, 'utf8'), 'owned.yaml');
    expect(parsed.ok && readStatusFromDoc(parsed.doc)).toEqual(RUNNING);
  });

  it('keeps a UTF-8 byte order mark, and reports the hash of the bytes on disk', async () => {
    const path = join(dir, 'bom.yaml');
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    await writeFile(path, Buffer.concat([bom, Buffer.from(VALID)]));
    const result = await writeStatus(path, RUNNING);
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 3)).toEqual(bom);
    expect(bytes.subarray(3).toString('utf8')).toBe(applyStatus(VALID, RUNNING));
    expect(result.contentHash).toBe(contentHash(bytes));
    expect((await writeStatus(path, RUNNING)).reason).toBe('unchanged');
  });
});

describe('writeStatus on a full file system (a 64 KiB tmpfs)', () => {
  it('fails with ENOSPC, leaves no temp file, and writes once space is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sparkctl-full-'));
    await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', dir]);
    try {
      const path = join(dir, 'job.yaml');
      await writeFile(path, VALID);
      const filler = await open(join(dir, 'filler'), 'w');
      const block = Buffer.alloc(4096, 1);
      await expect(
        (async () => {
          for (;;) await filler.write(block);
        })(),
      ).rejects.toMatchObject({ code: 'ENOSPC' });
      await filler.close();
      await expect(writeStatus(path, RUNNING)).rejects.toMatchObject({
        code: 'SPARKCTL_STATUS_WRITE_FAILED',
        message: expect.stringContaining(`${path} (ENOSPC)`) as unknown,
      });
      expect((await readdir(dir)).sort()).toEqual(['filler', 'job.yaml']);
      expect(await readFile(path, 'utf8')).toBe(VALID);

      await unlink(join(dir, 'filler'));
      expect((await writeStatus(path, RUNNING)).written).toBe(true);
      expect(await readdir(dir)).toEqual(['job.yaml']);
    } finally {
      await promisify(execFile)('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('applyStatus on a manifest written as one flow mapping (JSON)', () => {
  it('writes status in flow style, in place or before the closing brace (property)', () => {
    fc.assert(
      fc.property(generatedManifest, generatedStatus, fc.boolean(), fc.constantFrom(0, 2), (m, status, withStatus, indent) => {
        const before = parseManifestText(m.text, 'job.yaml');
        if (!before.ok || !before.job) throw new Error('a generated manifest did not parse');
        const { status: _ignored, ...job } = before.job;
        const json = JSON.stringify(job, null, indent);
        const marker = '"status": {"phase": "Pending"}';
        const text = withStatus ? `${json.slice(0, -1)}, ${marker}}\n` : `${json}\n`;
        const next = applyStatus(text, status);
        const cut = withStatus ? text.indexOf(marker) + '"status": '.length : json.length - 1;
        const tail = withStatus ? text.slice(text.indexOf(marker) + marker.length) : text.slice(cut);
        expect(next.startsWith(text.slice(0, cut))).toBe(true);
        expect(next.endsWith(tail)).toBe(true);
        const after = parseManifestText(next, 'job.json.yaml');
        expect(after.ok && after.specHash).toBe(before.specHash);
        expect(after.ok && readStatusFromDoc(after.doc)).toEqual(status);
      }),
      { numRuns: 200 },
    );
  });
});
