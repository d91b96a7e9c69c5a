import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ControllerLockedError } from '../state/errors.js';
import { readLiveLock } from '../state/state-lock.js';
import { isSparkctlError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SyncFailureReason } from './errors.js';
import { readGitCredentialsFile, splitUrlCredentials, type GitCredentials } from './git-credentials.js';
import { clearJobsPath, flipJobsLink, inspectJobsPath } from './jobs-link.js';
import { LocalClone } from './local-clone.js';
import { redactText, redactUrl } from './redact-url.js';
import { buildRevisionFolder, dropOldRevisionFolders, orphansStillThere, revisionFolderOf } from './revision-folders.js';
import { DEFAULT_GIT_TIMEOUT_MS, type GitContext } from './run-git.js';
import { carriedOverStatus, keptRevision, readSyncStatus, writeSyncStatus, type SyncStatus } from './sync-status.js';

/** What to sync and where: the CLI fills it from --git, --git-ref, --git-path, --interval, --prune. */
export interface GitSyncOptions {
  readonly url: string;
  readonly ref: string;
  /** The folder inside the repository that holds the manifests ('' or '.' for the root). */
  readonly path: string;
  readonly intervalMs: number;
  readonly prune: boolean;
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly logger: Logger;
  /** How long one git command may take (--git-timeout); default DEFAULT_GIT_TIMEOUT_MS. */
  readonly gitTimeoutMs?: number;
  /** --git-credentials-file: `USER:TOKEN` for an HTTP(S) remote, read before every sync (mode checked). */
  readonly credentialsFile?: string;
  /** Called after each status change, e.g. to commit statuses back to a branch; git runs in `context`. */
  readonly afterAttempt?: (status: SyncStatus, context: GitContext) => Promise<Partial<Pick<SyncStatus, 'statusBranch'>> | void>;
  /** Jitter source in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

/** The default interval between fetches, as Flux's GitRepository examples use. */
export const DEFAULT_SYNC_INTERVAL_MS = 60_000;

/**
 * Keeps the jobs folder in step with a git repository: a bare clone under the state dir, one
 * folder per applied revision, and the --jobs path as a link flipped atomically from one
 * revision folder to the next, so the controller never sees a half-updated folder. A failed
 * attempt keeps the current revision in place and is recorded in the sync status.
 */
export class GitSyncer {
  private readonly clone: LocalClone;
  private readonly revsDir: string;
  private readonly jobsDir: string;
  private readonly log: Logger;
  private readonly source: { url: string; ref: string; path: string; prune: boolean };
  private view?: string;
  private lastStatus?: SyncStatus;
  private appliedThisRun = false;
  private fetchedOnce = false;
  private current?: Promise<SyncStatus>;
  private queued?: Promise<SyncStatus>;
  private timer?: NodeJS.Timeout;
  private onApplied: () => void | Promise<void> = () => undefined;
  private stopped = false;
  private started = false;
  private readonly abort = new AbortController();
  /** The git settings every command of this syncer shares (timeout, stop signal, login). */
  readonly context: GitContext;

  constructor(private readonly options: GitSyncOptions) {
    if (options.url.startsWith('-')) throw new TypeError(`--git ${redactUrl(options.url)} is not a repository URL`);
    const stateDir = resolve(options.stateDir);
    const split = splitUrlCredentials(options.url);
    const file = options.credentialsFile;
    // The file is checked now (a bad one refuses the start) and read again before each command (rotation).
    if (file) readGitCredentialsFile(file);
    const credentials = (): GitCredentials | undefined => (file ? readGitCredentialsFile(file) : split.credentials);
    this.context = {
      timeoutMs: options.gitTimeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
      signal: this.abort.signal,
      remote: redactUrl(split.url),
      credentials,
    };
    this.clone = new LocalClone(join(stateDir, 'gitops', 'repo'), split.url, this.context);
    this.revsDir = join(stateDir, 'gitops', 'revs');
    this.jobsDir = resolve(options.jobsDir);
    this.log = options.logger.child({ module: 'gitops' });
    this.source = { url: redactUrl(options.url), ref: options.ref, path: options.path === '' ? '.' : options.path, prune: options.prune };
  }

  /** The last recorded sync status. */
  get status(): SyncStatus | undefined {
    return this.lastStatus;
  }

  /**
   * Takes over the --jobs path and applies the first revision (what tests and one-shot callers use).
   * When the remote cannot be reached and nothing was synced before, the jobs folder starts empty
   * and later attempts fill it. Throws only when the --jobs path is not sparkctl's to manage.
   */
  async prepare(): Promise<SyncStatus> {
    await this.takeOver();
    return this.syncNow();
  }

  /**
   * Takes over the --jobs path without touching the network, so the controller can start at once
   * on the revision already checked out (or an empty folder on a first start); syncs come after.
   */
  async takeOver(): Promise<SyncStatus> {
    const holder = await readLiveLock(this.options.stateDir);
    if (holder && holder.pid !== process.pid) {
      throw new ControllerLockedError(
        `another controller (pid ${holder.pid}) already runs on ${holder.jobsDir}; stop it before starting one with --git`,
      );
    }
    await mkdir(this.revsDir, { recursive: true, mode: 0o700 });
    const state = await inspectJobsPath(this.jobsDir, this.revsDir);
    if (state.kind === 'managed-link') this.view = state.target;
    else await clearJobsPath(this.jobsDir, state);
    const previous = await readSyncStatus(this.options.stateDir);
    const shown = this.view ? revisionFolderOf(this.revsDir, this.view).replace(/-b$/, '') : undefined;
    this.lastStatus = carriedOverStatus(previous, shown, this.base(new Date().toISOString())) ?? this.lastStatus;
    if (this.view === undefined) {
      const empty = join(this.revsDir, 'empty');
      await mkdir(empty, { recursive: true });
      await flipJobsLink(this.jobsDir, empty);
      this.view = empty;
      this.log.warn({ jobsDir: this.jobsDir }, 'Started with an empty jobs folder until a first sync succeeds');
    }
    // Recorded under this process at once, so `sparkctl sync` finds a syncing controller before the first sync ends.
    const { inProgress: _stale, ...last } = this.lastStatus ?? { ...this.base(new Date(0).toISOString()), orphaned: [], invalid: [] };
    return this.record({ ...last, ...this.source, pid: process.pid, jobsDir: this.jobsDir, gitTimeoutMs: this.context.timeoutMs });
  }

  /**
   * Starts syncing at once in the background, then on the interval (±10% jitter); `onApplied` runs after every new revision (the
   * controller's relist).
   */
  start(onApplied: () => void | Promise<void>): Promise<SyncStatus> {
    this.onApplied = onApplied;
    this.started = true;
    return this.syncNow();
  }

  /** Asks for a sync now (e.g. on SIGHUP); a request during a sync runs once more right after it. */
  requestSync(): void {
    void this.syncNow();
  }

  /** Runs a sync, or joins the one queued behind the running sync, and resolves with its status. */
  syncNow(): Promise<SyncStatus> {
    if (this.stopped && this.lastStatus) return Promise.resolve(this.lastStatus);
    if (!this.current) {
      this.current = this.attempt().finally(() => {
        this.current = undefined;
        this.schedule();
      });
      return this.current;
    }
    this.queued ??= this.current.then(() => {
      this.queued = undefined;
      return this.syncNow();
    });
    return this.queued;
  }

  /** Stops the interval, kills any git command in flight (its whole process group) and waits for the sync to wind up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.queued?.catch(() => undefined);
    await this.current?.catch(() => undefined);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.started || this.stopped) return;
    const jitter = 0.9 + 0.2 * (this.options.random ?? Math.random)();
    this.timer = setTimeout(() => this.requestSync(), Math.round(this.options.intervalMs * jitter));
    this.timer.unref();
  }

  private async attempt(): Promise<SyncStatus> {
    const lastAttemptAt = new Date().toISOString();
    const before = this.lastStatus;
    let next: SyncStatus;
    try {
      if (!this.fetchedOnce) await this.clone.ensure();
      await this.clone.fetch(!this.fetchedOnce && before?.revision === undefined);
      this.fetchedOnce = true;
      const sha = await this.clone.resolve(this.options.ref);
      await this.clone.checkPath(sha, this.options.path);
      if (sha === before?.revision && this.appliedThisRun) {
        next = {
          ...this.base(lastAttemptAt),
          revision: sha,
          shortRevision: sha.slice(0, 7),
          syncedAt: before.syncedAt ?? lastAttemptAt,
          orphaned: await orphansStillThere(this.view, before.orphaned),
          invalid: before.invalid,
          ...(before.historyRewritten ? { historyRewritten: before.historyRewritten } : {}),
        };
      } else {
        next = await this.apply(sha, lastAttemptAt, before);
      }
    } catch (err) {
      const reason: SyncFailureReason | 'SyncFailed' = isSparkctlError(err) ? (err.reason as SyncFailureReason) : 'SyncFailed';
      const message = redactText(messageOf(err));
      next = {
        ...this.base(lastAttemptAt),
        ...keptRevision(before, lastAttemptAt),
        orphaned: await orphansStillThere(this.view, before?.orphaned ?? []),
        invalid: before?.invalid ?? [],
        error: { reason, message },
      };
      this.log.error(
        { reason, error: message, url: this.source.url, ref: this.source.ref, kept: before?.shortRevision },
        'Sync failed; kept the current revision',
      );
    }
    if (before?.statusBranch) next = { ...next, statusBranch: before.statusBranch };
    if (!this.options.afterAttempt) return this.record(next);
    // Recorded twice: at once (the jobs folder is current), then with the status branch's outcome;
    // `inProgress` tells `sparkctl sync --wait` the attempt is not over yet.
    next = await this.record({ ...next, inProgress: true });
    try {
      const extra = await this.options.afterAttempt(next, this.context);
      if (extra) next = { ...next, ...extra };
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'Status commit-back failed');
    }
    const { inProgress: _done, ...finished } = next;
    return this.record(finished);
  }

  private base(
    lastAttemptAt: string,
  ): Pick<SyncStatus, 'url' | 'ref' | 'path' | 'prune' | 'lastAttemptAt' | 'pid' | 'jobsDir' | 'gitTimeoutMs'> {
    return { ...this.source, lastAttemptAt, pid: process.pid, jobsDir: this.jobsDir, gitTimeoutMs: this.context.timeoutMs };
  }

  private async record(status: SyncStatus): Promise<SyncStatus> {
    this.lastStatus = status;
    try {
      await writeSyncStatus(this.options.stateDir, status);
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'Could not write the sync status');
    }
    return status;
  }

  /** Builds the revision folder, flips the link, tells the controller, and drops folders no longer needed. */
  private async apply(sha: string, at: string, before: SyncStatus | undefined): Promise<SyncStatus> {
    const { rev, folderName, inUse } = await buildRevisionFolder({
      clone: this.clone,
      sha,
      gitPath: this.options.path,
      prune: this.options.prune,
      revsDir: this.revsDir,
      ...(this.view ? { view: this.view } : {}),
      ...(before ? { before } : {}),
      sourcePath: this.source.path,
      log: this.log,
    });
    await flipJobsLink(this.jobsDir, rev.view);
    this.view = rev.view;
    this.appliedThisRun = true;
    const old = before?.revision;
    const rewritten = old !== undefined && old !== sha && !(await this.clone.isAncestor(old, sha));
    this.log.info(
      {
        revision: sha.slice(0, 7),
        url: this.source.url,
        ref: this.source.ref,
        written: rev.written,
        orphaned: rev.orphaned.length,
        invalid: rev.invalid.length,
        ...(rewritten ? { historyRewrittenFrom: old.slice(0, 7) } : {}),
      },
      rewritten ? 'Synced a revision that rewrote history' : 'Synced revision',
    );
    try {
      await this.onApplied();
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'Could not relist the jobs folder after a sync');
    }
    await dropOldRevisionFolders(this.revsDir, new Set([folderName, inUse].filter((n): n is string => n !== undefined)), this.log);
    return {
      ...this.base(at),
      revision: sha,
      shortRevision: sha.slice(0, 7),
      syncedAt: new Date().toISOString(),
      orphaned: rev.orphaned,
      invalid: rev.invalid,
      ...(rewritten ? { historyRewritten: { from: old } } : {}),
    };
  }
}
