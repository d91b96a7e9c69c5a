import { lstat } from 'node:fs/promises';
import { sameFileKey, type FileKey } from '../manifest/write-status.js';

/** One status write of the controller's own, as the file holds it right after the rename. */
interface OwnWrite {
  readonly key: FileKey;
  readonly hash: string;
  /** Its own watch event (the rename) arrived, and nothing else since. */
  armed: boolean;
}

/**
 * The status writes the controller made itself, so the watch event each one causes costs one
 * lstat instead of a read. A write is recognised only when both hold: the watcher reported exactly
 * one event for the file since the rename was about to happen (the rename's own), and lstat finds
 * the key (device, inode, size, mtime) the written file had. Any other event for the file (an
 * in-place save is a `change`, an editor's rename a second `rename`) forgets the write, so every
 * other change is read, even one landing in the same clock tick with the same size, which the key
 * alone could not tell apart. Each write is recognised once; a lost watch forgets them all.
 */
export class OwnWrites {
  private readonly writes = new Map<string, OwnWrite>();

  /** Right before the rename: the file will hold this key and content hash. */
  expect(file: string, key: FileKey, hash: string): void {
    this.writes.set(file, { key, hash, armed: false });
  }

  /** The write did not happen (a conflict, an error): read the file as usual. */
  forget(file: string): void {
    this.writes.delete(file);
  }

  /** Every event may have been lost (an overflow, a new watcher): read every file as usual. */
  clear(): void {
    this.writes.clear();
  }

  /** A watch event for the file: the first `rename` after expect() is the write's own; anything else is another change. */
  event(file: string, type: string): void {
    const write = this.writes.get(file);
    if (write === undefined) return;
    if (type === 'rename' && !write.armed) write.armed = true;
    else this.writes.delete(file);
  }

  /**
   * The content hash of the controller's own write when the file at `abs` is still exactly it; undefined
   * when it must be read. Consumes the write either way.
   */
  async recognise(file: string, abs: string): Promise<string | undefined> {
    const write = this.writes.get(file);
    if (write === undefined || !write.armed) return undefined;
    const st = await lstat(abs).catch(() => undefined);
    // An event that arrived during the lstat forgot the write (or another write replaced it).
    if (this.writes.get(file) !== write) return undefined;
    this.writes.delete(file);
    return st !== undefined && st.isFile() && sameFileKey(st, write.key) ? write.hash : undefined;
  }

  /** How many writes wait for their event (tests). */
  get size(): number {
    return this.writes.size;
  }
}
