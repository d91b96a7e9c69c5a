import { constants } from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MAX_MANIFEST_BYTES } from '../manifest/read-limits.js';

/** What reading a manifest path found. */
export type ManifestRead =
  | { readonly kind: 'file'; readonly bytes: Buffer; /** Whether the file is over the size limit (only its start was read). */ readonly truncated: boolean }
  | { readonly kind: 'gone' }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Reads a manifest without following links: the last component is opened with O_NOFOLLOW and
 * the opened file's real path (from /proc/self/fd) must lie inside the jobs folder, so a file
 * swapped for a link, or a folder swapped for one, between listing and reading is never read.
 * Reads at most one byte past the size limit, so a huge file costs no more than that.
 */
export async function readManifest(jobsRoot: string, rel: string): Promise<ManifestRead> {
  let fh;
  try {
    fh = await open(join(jobsRoot, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    if (code === 'ELOOP') return { kind: 'refused', reason: `${rel} is a link; manifests must be regular files inside the jobs folder` };
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return st.isDirectory() ? { kind: 'gone' } : { kind: 'refused', reason: `${rel} is not a regular file` };
    const real = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => undefined);
    const root = jobsRoot.endsWith(sep) ? jobsRoot : jobsRoot + sep;
    if (real !== undefined && !real.startsWith(root)) {
      return { kind: 'refused', reason: `${rel} resolves outside the jobs folder (through a linked folder)` };
    }
    const length = Math.min(st.size, MAX_MANIFEST_BYTES + 1);
    const buf = Buffer.alloc(length);
    let off = 0;
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { kind: 'file', bytes: buf.subarray(0, off), truncated: st.size > MAX_MANIFEST_BYTES };
  } finally {
    await fh.close();
  }
}
