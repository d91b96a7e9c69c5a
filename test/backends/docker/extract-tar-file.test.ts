import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSingleFile } from '../../../src/backends/docker/extract-tar-file.js';

// Archives made by the system's GNU tar, in the formats the engine's archive endpoint may use.
describe('extractSingleFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-tar-'));
    await writeFile(join(dir, 'result.txt'), 'Pi is roughly 3.14\n');
    await writeFile(join(dir, `${'long-name-'.repeat(15)}.txt`), 'long\n');
    await writeFile(join(dir, 'empty.txt'), '');
    await mkdir(join(dir, 'folder'));
    await symlink('result.txt', join(dir, 'link'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const tar = (format: string, name: string): Buffer => execFileSync('tar', ['-C', dir, `--format=${format}`, '-cf', '-', name]);
  const chunks = async function* (b: Buffer, size = 100) {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  };

  it.each(['ustar', 'pax', 'gnu'])('reads a regular file from a %s archive, in small chunks', async (format) => {
    const { name, data } = await extractSingleFile(chunks(tar(format, 'result.txt')), 1024);
    expect(name).toBe('result.txt');
    expect(data.toString()).toBe('Pi is roughly 3.14\n');
  });

  it.each(['pax', 'gnu'])('reads a file with a name longer than 100 bytes (%s)', async (format) => {
    const long = `${'long-name-'.repeat(15)}.txt`;
    const { name, data } = await extractSingleFile(chunks(tar(format, long)), 1024);
    expect(name).toBe(long);
    expect(data.toString()).toBe('long\n');
  });

  it('reads an empty file', async () => {
    expect((await extractSingleFile(chunks(tar('ustar', 'empty.txt')), 10)).data.length).toBe(0);
  });

  it('refuses a file over the limit, a folder, a link and an empty archive', async () => {
    await expect(extractSingleFile(chunks(tar('ustar', 'result.txt')), 5)).rejects.toThrow(/19 bytes, more than the limit of 5 bytes/);
    await expect(extractSingleFile(chunks(tar('ustar', 'folder')), 1024)).rejects.toThrow(/folder\/ is a directory/);
    await expect(extractSingleFile(chunks(tar('ustar', 'link')), 1024)).rejects.toThrow(/link is a link/);
    await expect(extractSingleFile(chunks(Buffer.alloc(1024)), 1024)).rejects.toThrow(/holds no file/);
  });
});
