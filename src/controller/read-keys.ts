import { lstat } from 'node:fs/promises';
import { readKeyOf, sameReadKey, type ManifestRead, type ReadKey } from '../manifest/read-manifest-file.js';

/**
 * How far a read must come after a file's last modification or change time for its key to be
 * trusted (the racily-clean rule). A write lands with the file system's clock at its timestamp
 * granularity (a clock tick on Linux, 1–2 s on some file systems): a second write in the same tick
 * as the one before the read could leave every field of the key as it was. A read whose fstat came
 * more than this after both times rules that out, as any later write gets a later change time.
 */
export const RACY_MARGIN_MS = 2_000;

interface Known extends ReadKey {
  /** The content hash of the bytes read with this key. */
  readonly hash: string;
}

/**
 * What lets a relist skip reading files that did not change: the key (device, inode, size,
 * mtime, ctime) of each file's last reconciled read, and which queued files only a relist asked
 * for. A relist's reconcile of a file whose lstat gives exactly that key, whose last reconciled
 * content is still that read's and whose job's status is unchanged needs no read. A file whose
 * key was taken within RACY_MARGIN_MS of its own modification or change time is not recorded: it
 * is read again on the next relist. Any watch event for a file makes its next reconcile a read,
 * whatever the relist said.
 */
export class ReadKeys {
  private readonly known = new Map<string, Known>();
  private readonly relisted = new Set<string>();

  /** After a read: remembers its key when the racily-clean rule allows, else forgets the file's. */
  record(file: string, read: Extract<ManifestRead, { kind: 'file' }>, hash: string): void {
    const { key, readAtMs } = read;
    if (readAtMs - Math.max(key.mtimeMs, key.ctimeMs) > RACY_MARGIN_MS) this.known.set(file, { ...readKeyOf(key), hash });
    else this.known.delete(file);
  }

  /** A relist queued the file. */
  markRelisted(file: string): void {
    this.relisted.add(file);
  }

  /** A watch event for the file: its next reconcile reads it. */
  event(file: string): void {
    this.relisted.delete(file);
  }

  /**
   * For a reconcile about to read `file` (at `abs`): the content hash it holds when only a relist
   * asked for it and lstat finds the key of its last reconciled read, whose content is `seen`
   * (the content last reconciled); undefined when it must be read. Consumes the relist's mark.
   */
  async unchanged(file: string, abs: string, seen: string | undefined): Promise<string | undefined> {
    if (!this.relisted.delete(file)) return undefined;
    const known = this.known.get(file);
    if (known === undefined || known.hash !== seen) return undefined;
    const st = await lstat(abs).catch(() => undefined);
    // A watch event during the lstat queues the file again, and that reconcile reads it.
    return st !== undefined && st.isFile() && sameReadKey(st, known) ? known.hash : undefined;
  }

  /** Files with a recorded key (tests). */
  get size(): number {
    return this.known.size;
  }
}
