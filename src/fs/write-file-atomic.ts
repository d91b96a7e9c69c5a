import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from './dir-sync.js';

export { fsyncDir } from './dir-sync.js';

let pool = Buffer.alloc(0);
let used = 0;
/** 12 random hex digits for a temp file's name, drawn from a pool (one random read per 256 names, not one each). */
export function tempSuffix(): string {
  if (used + 6 > pool.length) {
    pool = randomBytes(6 * 256);
    used = 0;
  }
  used += 6;
  return pool.toString('hex', used - 6, used);
}

/** The owner and permission bits a replacement file must carry (those of the file it replaces). */
export interface FileOwnership {
  readonly mode: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** Gives the open temp file (its fstat: `now`) the wanted owner; as a non-root user only what it may (its group), else keeps its own. */
async function keepOwner(handle: FileHandle, now: Stats, uid: number, gid: number): Promise<void> {
  if (now.uid === uid && now.gid === gid) return;
  try {
    await handle.chown(uid, gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await handle.chown(-1, gid).catch(() => undefined);
  }
}

/** A temp file written by writeTempFile: its path, and its fstat once its content was written. */
export interface TempFile {
  readonly path: string;
  /**
   * Device, inode, size and modification time stay what they are here through a rename (chmod,
   * chown and fsync change none of them): how a writer recognises its own file afterwards.
   */
  readonly stats: Stats;
}

/**
 * The mode a temp file is created with before its owner is set: the wanted mode, except that its
 * group may read or write only what everyone may (the temp's group is not yet the wanted one, and
 * a group gets no more than others get from it). 0644, 0600 and 0666 are created as they are,
 * 0640 as 0600; the umask may take more away, which the fstat after the write shows.
 */
export const createMode = (mode: number): number => (mode & 0o707) | (mode & ((mode & 0o007) << 3));

/**
 * Writes data to a new temp file beside `path`, with exactly `keep.mode` (not reduced by the
 * umask) and, when given, `keep.uid`/`keep.gid`; fsynced unless `durable` is false. On any failure
 * (a full disk, a quota) the temp file is removed at once, so nothing is left behind. The file is
 * created with `createMode(keep.mode)`, so until its owner is set no one but its writer may read
 * more of it than everyone may read of the result; the mode is set (fchmod) only when the fstat
 * after the write shows other bits.
 */
export async function writeTempFile(path: string, data: string | Uint8Array, keep: FileOwnership, durable = true): Promise<TempFile> {
  const tmp = join(dirname(path), `.${basename(path)}.${tempSuffix()}.tmp`);
  const want = keep.mode & 0o777;
  const handle = await open(tmp, 'wx', createMode(want));
  let stats: Stats;
  try {
    await handle.writeFile(data);
    stats = await handle.stat();
    if (keep.uid !== undefined && keep.gid !== undefined) await keepOwner(handle, stats, keep.uid, keep.gid);
    if ((stats.mode & 0o777) !== want) await handle.chmod(want);
    if (durable) await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  try {
    await handle.close();
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return { path: tmp, stats };
}

/**
 * Replaces a file atomically: temp file in the same directory, fsync, rename, fsync the directory.
 * Readers see the old or the new content, never a torn file. The new file gets exactly `mode`
 * (default 0644) and, with `owner`, that owner and group.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number; owner?: { uid: number; gid: number }; durable?: boolean } = {},
): Promise<void> {
  const dir = dirname(path);
  const { path: tmp } = await writeTempFile(path, data, { mode: options.mode ?? 0o644, ...options.owner }, options.durable !== false);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (options.durable !== false) await fsyncDir(dir);
}
