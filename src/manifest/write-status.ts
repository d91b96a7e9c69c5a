import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Document } from 'yaml';
import type { SparkJobStatus } from '../api/status.js';
import { applyStatus } from './apply-status.js';
import { fsyncDir, tempSuffix, writeTempFile } from '../fs/write-file-atomic.js';
import { StatusWriteError } from './errors.js';
import { decodeManifest, MAX_MANIFEST_BYTES, sizeMessage } from './read-limits.js';
import { oversizeMessage, readBounded, readManifestFile } from './read-manifest-file.js';

/** sha256 (hex) of a file's exact content: how a writer recognises its own write. */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** What identifies one version of a file without reading it: a rename keeps all four, an edit or another file changes one. */
export interface FileKey {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The key of a stat result. */
export const fileKeyOf = (st: FileKey): FileKey => ({ dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });

/** Whether two keys name the same version of a file. */
export const sameFileKey = (a: FileKey, b: FileKey): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** What writeStatus did. `contentHash` is the hash of the file as it is now (null when it is gone). */
export interface WriteStatusResult {
  written: boolean;
  reason: 'written' | 'unchanged' | 'missing' | 'conflict';
  contentHash: string | null;
  attempts: number;
}

/** Options of writeStatus; `beforeRename` lets tests change the file between the read and the rename. */
export interface WriteStatusOptions {
  /** Write only if the file is still this version (its contentHash); otherwise report `conflict`. */
  expectedHash?: string;
  /** How often to re-read and re-apply when the file keeps changing underneath (default 5). */
  maxAttempts?: number;
  beforeRename?: (info: { path: string; tempPath: string; attempt: number }) => void | Promise<void>;
  /** A folder (its real path) the file must resolve inside; a file that resolves elsewhere is refused. */
  within?: string;
  /**
   * The file's real path when the caller knows it (a read whose descriptor resolved to the very
   * path it opened): not resolved again. Still checked against `within`.
   */
  resolved?: string;
  /**
   * The content the caller already parsed (its contentHash and document, and the bytes it read):
   * reused, not parsed again, while the file still holds it. With `bytes` and an `expectedHash`
   * equal to `hash`, the first attempt does not read the file again: the check just before the
   * rename (the hard link's content) finds any change since.
   */
  parsed?: { readonly hash: string; readonly doc: Document; readonly bytes?: Uint8Array };
  /** Called after the last check, right before the rename: lets tests land an edit in that instant. */
  beforeSwap?: (info: { path: string; attempt: number }) => void | Promise<void>;
  /**
   * Called synchronously right before the rename that puts the new content in place, with the key
   * and contentHash the file will have: a caller can recognise its own write by the watch event it
   * causes (the event cannot arrive before this call).
   */
  onSwap?: (key: FileKey, contentHash: string) => void;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const hasBom = (bytes: Uint8Array): boolean => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Whether a path is this inode right now (false when it is gone). */
async function isInode(path: string, st: Stats): Promise<boolean> {
  const now = await stat(path).catch(() => undefined);
  return now !== undefined && now.ino === st.ino && now.dev === st.dev;
}

/** Opens the hard link just made (no link followed, never blocking); undefined when it is gone. */
async function openLink(path: string): Promise<{ fh: FileHandle; st: Stats } | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new StatusWriteError(`refused to write status: ${path} is not a regular file`);
    return { fh, st };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The content of an open manifest from its start, within the size cap. */
async function readLinked(fh: FileHandle, sizeHint: number, path: string): Promise<Buffer> {
  const bytes = await readBounded(fh, sizeHint, MAX_MANIFEST_BYTES + 1);
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new StatusWriteError(`refused to write status into ${path}: ${sizeMessage(bytes.length, true)}`);
  return bytes;
}

/** The file's bytes read with the manifest reader's rules (regular file, no link, size cap); undefined when it is gone. */
async function readIfPresent(path: string): Promise<Buffer | undefined> {
  const read = await readManifestFile(dirname(path), basename(path), path);
  if (read.kind === 'gone') return undefined;
  if (read.kind === 'refused') throw new StatusWriteError(`refused to write status: ${read.reason}`);
  if (read.truncated) throw new StatusWriteError(`refused to write status into ${path}: ${oversizeMessage(read)}`);
  return read.bytes;
}

/**
 * Replaces only the top-level `status:` block of a manifest, atomically (temp file in the same
 * directory, fsync, rename, fsync the directory). If the file changes between the read and the
 * rename, the status is applied again on the new content, so a user's newer edit is never lost.
 */
export async function writeStatus(path: string, status: SparkJobStatus, opts: WriteStatusOptions = {}): Promise<WriteStatusResult> {
  try {
    return await writeStatusOnce(path, status, opts);
  } catch (err) {
    if (err instanceof StatusWriteError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StatusWriteError(
      `cannot write status into ${path} (${code}): the manifest and its folder must be writable by the controller`,
      { cause: err },
    );
  }
}

async function writeStatusOnce(path: string, status: SparkJobStatus, opts: WriteStatusOptions): Promise<WriteStatusResult> {
  const maxAttempts = opts.maxAttempts ?? 5;
  let target: string;
  try {
    target = opts.resolved ?? (await realpath(path));
  } catch (err) {
    if (isMissing(err)) return { written: false, reason: 'missing', contentHash: null, attempts: 0 };
    throw new StatusWriteError(`cannot write status into ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (opts.within !== undefined) {
    const root = opts.within.endsWith(sep) ? opts.within : opts.within + sep;
    if (!target.startsWith(root)) {
      throw new StatusWriteError(
        `refused to write status into ${path}: it resolves to ${target}, outside ${opts.within}; manifests must be regular files inside the jobs folder`,
      );
    }
  }
  const known = opts.parsed?.bytes !== undefined && opts.expectedHash === opts.parsed.hash ? opts.parsed : undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const bytes = attempt === 1 && known ? known.bytes : await readIfPresent(target);
    if (bytes === undefined) return { written: false, reason: 'missing', contentHash: null, attempts: attempt };
    const readHash = attempt === 1 && known ? known.hash : contentHash(bytes);
    if (opts.expectedHash !== undefined && readHash !== opts.expectedHash) {
      return { written: false, reason: 'conflict', contentHash: readHash, attempts: attempt };
    }
    const decoded = decodeManifest(path, bytes);
    if ('issue' in decoded) throw new StatusWriteError(`cannot write status into ${path}: ${decoded.issue.message}`);
    const next = applyStatus(decoded.text, status, path, opts.parsed?.hash === readHash ? opts.parsed.doc : undefined);
    if (next === decoded.text) return { written: false, reason: 'unchanged', contentHash: readHash, attempts: attempt };

    const written = hasBom(bytes) ? Buffer.concat([UTF8_BOM, Buffer.from(next, 'utf8')]) : Buffer.from(next, 'utf8');
    const writtenHash = contentHash(written);
    // A hard link to the file as it is now: an edit that lands on it after the check below (an
    // editor writing in place) is still seen there, and put back, after the rename.
    const basePath = join(dirname(target), `.${basename(target)}.${tempSuffix()}.tmp`);
    let renamed = false;
    let linked = false;
    let base: { fh: FileHandle; st: Stats } | undefined;
    let tempPath: string | undefined;
    try {
      try {
        await link(target, basePath);
        linked = true;
      } catch (err) {
        if (isMissing(err)) return { written: false, reason: 'missing', contentHash: null, attempts: attempt };
        // A file system without hard links: fall back to comparing just before the rename.
      }
      // The hard link is opened once: its fstat gives the owner and mode to keep, its content is
      // read before the rename and again after it on the same descriptor.
      base = linked ? await openLink(basePath) : undefined;
      if (linked && base === undefined) return { written: false, reason: 'missing', contentHash: null, attempts: attempt };
      // The replacement keeps the manifest's owner, group, mode and UTF-8 byte order mark.
      const { mode, uid, gid } = base?.st ?? (await stat(target));
      const temp = await writeTempFile(target, written, { mode, uid, gid });
      tempPath = temp.path;
      await opts.beforeRename?.({ path: target, tempPath, attempt });
      const current = base ? await readLinked(base.fh, base.st.size, path) : await readIfPresent(target);
      if (current === undefined) return { written: false, reason: 'missing', contentHash: null, attempts: attempt };
      if (contentHash(current) !== readHash) continue;
      await opts.beforeSwap?.({ path: target, attempt });
      // An editor that renamed a new file into place since the link made `target` another inode:
      // replacing it would destroy that edit, so look again. This leaves only the microseconds
      // between this stat and the rename (POSIX has no compare-and-rename).
      if (base && !(await isInode(target, base.st))) continue;
      opts.onSwap?.(fileKeyOf(temp.stats), writtenHash);
      await rename(tempPath, target);
      renamed = true;
      if (linked && base) {
        const replaced = await readLinked(base.fh, base.st.size, path);
        if (contentHash(replaced) !== readHash) {
          // The user saved in the instant before the rename: restore their content, then apply again on it.
          await rename(basePath, target);
          linked = false;
          continue;
        }
      }
    } finally {
      await base?.fh.close().catch(() => undefined);
      if (!renamed && tempPath !== undefined) await unlink(tempPath).catch(() => undefined);
      if (linked) await unlink(basePath).catch(() => undefined);
    }
    await fsyncDir(dirname(target));
    return { written: true, reason: 'written', contentHash: writtenHash, attempts: attempt };
  }
  throw new StatusWriteError(`status of ${path} not written: the file changed during each of ${maxAttempts} attempts; retry later`);
}
