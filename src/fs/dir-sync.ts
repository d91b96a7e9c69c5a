import { open } from 'node:fs/promises';

/** Fsyncs a directory so a rename inside it survives a crash (one open, fsync and close). */
export async function fsyncDirNow(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

interface Batch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One folder's state: whether an fsync is in flight, and the batch that waits for the next one. */
interface Folder {
  running: boolean;
  next: Batch | undefined;
}

/**
 * Group commit of directory fsyncs, as databases group commits of their log: at most one fsync per
 * folder is in flight; a caller that arrives while one runs joins the next one, which starts when
 * the running one ends and serves everyone who arrived meanwhile. A caller calls `sync(dir)` after
 * its rename finished, and its promise settles only with an fsync that began after that call, so
 * the rename is durable when it resolves (rejects, with the fsync's error, when it may not be).
 * 10,000 status writes into one folder share a few hundred fsyncs instead of 10,000.
 */
export class DirSyncer {
  private readonly folders = new Map<string, Folder>();

  constructor(private readonly fsync: (dir: string) => Promise<void> = fsyncDirNow) {}

  /** Resolves after an fsync of `dir` that started after this call. */
  sync(dir: string): Promise<void> {
    let folder = this.folders.get(dir);
    if (folder === undefined) {
      folder = { running: false, next: undefined };
      this.folders.set(dir, folder);
    }
    folder.next ??= newBatch();
    const { promise } = folder.next;
    if (!folder.running) this.start(dir, folder);
    return promise;
  }

  /** Folders with an fsync in flight or waiting (tests). */
  get pending(): number {
    return this.folders.size;
  }

  private start(dir: string, folder: Folder): void {
    const batch = folder.next!;
    folder.next = undefined;
    folder.running = true;
    let run: Promise<void>;
    try {
      run = this.fsync(dir);
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(batch.resolve, batch.reject).finally(() => {
      folder.running = false;
      if (folder.next !== undefined) this.start(dir, folder);
      else this.folders.delete(dir);
    });
  }
}

/** The process's one syncer: every atomic write of sparkctl shares it. */
export const dirSyncer = new DirSyncer();

/** Fsyncs a directory after a rename in it, sharing the fsync with other writers in the same folder (group commit). */
export function fsyncDir(dir: string): Promise<void> {
  return dirSyncer.sync(dir);
}
