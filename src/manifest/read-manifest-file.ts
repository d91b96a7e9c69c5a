import { constants } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { MAX_MANIFEST_BYTES, sizeMessage } from './read-limits.js';

/** What reading a manifest path found. */
export type ManifestRead =
  | {
      readonly kind: 'file';
      readonly bytes: Buffer;
      /** Over the size limit: only MAX_MANIFEST_BYTES + 1 bytes were read. */
      readonly truncated: boolean;
      /** The size fstat reported when the file was opened. */
      readonly size: number;
      /** The opened file's real path, as the kernel names it (undefined without /proc). */
      readonly real: string | undefined;
      /** The fstat of the opened file: what identifies this version of it without reading it. */
      readonly key: ReadKey;
      /** Date.now() taken before the fstat: a change after it gets a change time from then on. */
      readonly readAtMs: number;
    }
  | { readonly kind: 'gone' }
  | { readonly kind: 'refused'; readonly reason: string };

/** Device, inode, size, modification and change time of a file: any write, rename over it or chmod changes one. */
export interface ReadKey {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** The ReadKey of a stat result. */
export const readKeyOf = (st: ReadKey): ReadKey => ({ dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });

/** Whether two keys are equal. */
export const sameReadKey = (a: ReadKey, b: ReadKey): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/**
 * Reads at most `limit` bytes from an open file, whatever size fstat claimed (a file may grow, /proc
 * files claim 0). A short read that reached the size fstat gave is the end of the regular file
 * (no second read to see 0 bytes); with no size known it reads until 0 bytes come back.
 */
export async function readBounded(fh: FileHandle, sizeHint: number, limit: number): Promise<Buffer> {
  let buf = Buffer.alloc(Math.min(Math.max(sizeHint, 4096), limit));
  let off = 0;
  for (;;) {
    if (off === buf.length) {
      if (buf.length >= limit) break;
      const grown = Buffer.alloc(Math.min(buf.length * 2, limit));
      buf.copy(grown, 0, 0, off);
      buf = grown;
    }
    const wanted = buf.length - off;
    const { bytesRead } = await fh.read(buf, off, wanted, off);
    if (bytesRead === 0) break;
    off += bytesRead;
    if (bytesRead < wanted && sizeHint > 0 && off >= sizeHint) break;
  }
  return buf.subarray(0, off);
}

/**
 * Reads a manifest the one way sparkctl reads manifests: the last component is opened without
 * following links and without blocking (a FIFO never stalls the reader), it must be a regular
 * file whose real path lies inside `root`, and at most one byte past the size cap is read, so a
 * device, a huge file or a link out of the folder costs nothing. `display` names the file in reasons.
 */
export async function readManifestFile(root: string, rel: string, display: string = rel): Promise<ManifestRead> {
  let fh;
  try {
    fh = await open(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    if (code === 'ELOOP')
      return { kind: 'refused', reason: `${display} is a link; manifests must be regular files inside the jobs folder` };
    if (code === 'ENXIO')
      return { kind: 'refused', reason: `${display} is not a regular file (a socket or FIFO); manifests must be regular files` };
    throw err;
  }
  try {
    const readAtMs = Date.now();
    const st = await fh.stat();
    if (st.isDirectory()) return { kind: 'gone' };
    if (!st.isFile())
      return { kind: 'refused', reason: `${display} is not a regular file (a device, FIFO or socket); manifests must be regular files` };
    const real = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => undefined);
    const inside = root.endsWith(sep) ? root : root + sep;
    if (real !== undefined && !real.startsWith(inside)) {
      return {
        kind: 'refused',
        reason: `${display} resolves outside the jobs folder (through a linked folder); manifests must be regular files inside it`,
      };
    }
    const bytes = await readBounded(fh, st.size, MAX_MANIFEST_BYTES + 1);
    return { kind: 'file', bytes, truncated: bytes.length > MAX_MANIFEST_BYTES, size: st.size, real, key: readKeyOf(st), readAtMs };
  } finally {
    await fh.close();
  }
}

/** Reads a file named on its own (a command-line argument) with the same rules, inside its own folder. */
export async function readNamedManifest(path: string, display: string = path): Promise<ManifestRead> {
  let root: string;
  try {
    root = await realpath(dirname(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    throw err;
  }
  return readManifestFile(root, basename(path), display);
}

/** Why a read cut at the size cap is refused: its size when fstat knew it, else "more than" the cap. */
export function oversizeMessage(read: Extract<ManifestRead, { kind: 'file' }>): string {
  return read.size > MAX_MANIFEST_BYTES ? sizeMessage(read.size) : sizeMessage(read.bytes.length, true);
}
