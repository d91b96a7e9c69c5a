import { realpath } from 'node:fs/promises';

/**
 * The jobs folder's real path, resolved once and again on each relist (a git sync flips the
 * folder's link and then relists), not on every reconcile: libc's realpath reads every component
 * of the path with a readlink. Containment is still checked per file, on the opened descriptor
 * (readManifestFile); a file found outside a cached root makes the reconcile resolve it again.
 */
export class JobsRoot {
  private cached?: Promise<string>;

  constructor(private readonly jobsDir: string) {}

  /** The real path last resolved (resolving it when there is none). */
  current(): Promise<string> {
    return this.cached ?? this.refresh();
  }

  /** Resolves the real path again; a failure (the folder is gone) is not cached. */
  refresh(): Promise<string> {
    const resolving = realpath(this.jobsDir);
    this.cached = resolving;
    resolving.catch(() => {
      if (this.cached === resolving) this.cached = undefined;
    });
    return resolving;
  }
}
