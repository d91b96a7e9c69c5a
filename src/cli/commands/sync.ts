import { InvalidArgumentError, type Command } from 'commander';
import { resolveJobsDir, resolveStateDir } from '../../state/state-dir.js';
import { requestControl } from '../../state/control-socket.js';
import { readLiveLock } from '../../state/state-lock.js';
import { messageOf } from '../../errors.js';
import { NoSyncingControllerError, SyncTimeoutError } from '../../gitops/errors.js';
import { GitCredentialsFileError, StatusBranchNotOwnedError } from '../../gitops/errors.js';
import { readGitCredentialsFile } from '../../gitops/git-credentials.js';
import { DEFAULT_SYNC_INTERVAL_MS } from '../../gitops/git-syncer.js';
import { DEFAULT_GIT_TIMEOUT_MS } from '../../gitops/run-git.js';
import type { GitSyncConfig } from '../../gitops/start-git-sync.js';
import { checkStatusBranchOwner, isSyncedBranch } from '../../gitops/status-branch.js';
import { describeSyncStatus, describeSyncStatusDetail, hasSyncProblem, readSyncStatus, type SyncStatus } from '../../gitops/sync-status.js';
import { parseDuration } from '../parse-duration.js';
import { escapeLines } from '../../escape-text.js';
import { cellText } from '../printers/table.js';
import type { SetExit } from './index.js';

/** The controller's git flags as commander hands them over. */
export interface GitFlags {
  git?: string;
  gitRef?: string;
  gitPath?: string;
  interval?: string;
  prune?: boolean;
  statusBranch?: string;
  gitTimeout?: string;
  gitCredentialsFile?: string;
}

/**
 * Checks the controller's --git flags and turns them into a sync config (undefined without --git).
 * A bad flag is a usage error naming it: reported through `command.error` (exit 2) when given, else thrown.
 */
export function gitSyncConfigFromFlags(flags: GitFlags, command?: Command, stateDir?: string): GitSyncConfig | undefined {
  try {
    const config = checkGitFlags(flags);
    if (config && stateDir) checkAtStart(config, stateDir);
    return config;
  } catch (err) {
    if (command && err instanceof InvalidArgumentError) command.error(`error: ${err.message}`, { exitCode: 2, code: err.code });
    throw err;
  }
}

function checkGitFlags(flags: GitFlags): GitSyncConfig | undefined {
  if (!flags.git) {
    const stray =
      (['gitRef', 'gitPath', 'interval', 'statusBranch', 'gitTimeout', 'gitCredentialsFile'] as const).find(
        (k) => flags[k] !== undefined,
      ) ?? (flags.prune ? 'prune' : undefined);
    if (stray) throw new InvalidArgumentError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --git URL`);
    return undefined;
  }
  if (flags.git.startsWith('-')) throw new InvalidArgumentError(`--git takes a repository URL or path, got '${flags.git}'`);
  const ref = flags.gitRef ?? 'main';
  if (!ref || ref.startsWith('-') || /\s/.test(ref))
    throw new InvalidArgumentError(`--git-ref takes a branch, tag or commit, got '${ref}'`);
  const path = (flags.gitPath ?? '.').replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
  if (path.startsWith('/') || path.split('/').includes('..') || path.startsWith('-')) {
    throw new InvalidArgumentError(`--git-path takes a folder inside the repository (relative, no '..'), got '${flags.gitPath ?? ''}'`);
  }
  const intervalMs = flags.interval === undefined ? DEFAULT_SYNC_INTERVAL_MS : parseDuration(flags.interval, '--interval');
  if (intervalMs < 100) throw new InvalidArgumentError(`--interval must be at least 100ms, got '${flags.interval ?? ''}'`);
  if (
    flags.statusBranch !== undefined &&
    (isSyncedBranch(flags.statusBranch, ref) || !/^[A-Za-z0-9._/-]+$/.test(flags.statusBranch) || flags.statusBranch.startsWith('-'))
  ) {
    throw new InvalidArgumentError(
      `--status-branch must be a branch name other than the synced --git-ref ${ref}, got '${flags.statusBranch}'`,
    );
  }
  const gitTimeoutMs = flags.gitTimeout === undefined ? DEFAULT_GIT_TIMEOUT_MS : parseDuration(flags.gitTimeout, '--git-timeout');
  if (gitTimeoutMs < 1000) throw new InvalidArgumentError(`--git-timeout must be at least 1s, got '${flags.gitTimeout ?? ''}'`);
  return {
    url: flags.git,
    ref,
    path,
    intervalMs,
    prune: flags.prune ?? false,
    ...(flags.statusBranch ? { statusBranch: flags.statusBranch } : {}),
    ...(flags.gitTimeout !== undefined ? { gitTimeoutMs } : {}),
    ...(flags.gitCredentialsFile !== undefined ? { credentialsFile: flags.gitCredentialsFile } : {}),
  };
}

/** Checks made once the state dir is known: a usable credentials file, and a status branch that is sparkctl's. */
function checkAtStart(config: GitSyncConfig, stateDir: string): void {
  try {
    if (config.credentialsFile !== undefined) readGitCredentialsFile(config.credentialsFile);
    if (config.statusBranch) checkStatusBranchOwner(stateDir, config.statusBranch);
  } catch (err) {
    if (err instanceof GitCredentialsFileError || err instanceof StatusBranchNotOwnedError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** How long `sync --wait` waits by default: longer than the controller's git timeout, so a hung remote is reported, not a wait timeout. */
export function defaultWaitMs(gitTimeoutMs: number | undefined): number {
  return Math.max(90_000, 2 * (gitTimeoutMs ?? DEFAULT_GIT_TIMEOUT_MS) + 15_000);
}

/** Options of requestSync. */
export interface RequestSyncOptions {
  readonly wait: boolean;
  /** Default: defaultWaitMs of the controller's git timeout. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/**
 * Asks the controller running on a state dir to sync from git now, over its control socket (never
 * a signal by pid: a pid can be reused); with `wait`, resolves with the status of a sync that
 * started after the request.
 */
export async function requestSync(
  stateDir: string,
  jobsDir: string,
  options: RequestSyncOptions,
): Promise<{ pid: number; status?: SyncStatus }> {
  const lock = await readLiveLock(stateDir);
  if (!lock)
    throw new NoSyncingControllerError(
      `no controller is running for ${jobsDir} (state dir ${stateDir}); start one with: sparkctl --jobs ${jobsDir} controller --git URL`,
    );
  const before = await readSyncStatus(stateDir);
  if (!before || before.pid !== lock.pid) {
    throw new NoSyncingControllerError(
      `the controller (pid ${lock.pid}) on ${jobsDir} does not sync from git; restart it with --git URL to use sparkctl sync`,
    );
  }
  const requestedAt = Date.now();
  const reply = await requestControl(stateDir, { op: 'sync' });
  if (reply === 'none')
    throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) on ${jobsDir} stopped before it got the request`);
  if (typeof reply === 'string')
    throw new SyncTimeoutError(`the controller (pid ${lock.pid}) did not answer on its control socket in ${stateDir}; see its log`);
  if (!reply.ok) throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) refused the sync request: ${reply.error}`);
  if (!options.wait) return { pid: lock.pid };
  const timeoutMs = options.timeoutMs ?? defaultWaitMs(before.gitTimeoutMs);
  const deadline = requestedAt + timeoutMs;
  while (Date.now() < deadline) {
    const status = await readSyncStatus(stateDir);
    if (status && status.pid === lock.pid && Date.parse(status.lastAttemptAt) >= requestedAt && !status.inProgress)
      return { pid: lock.pid, status };
    if (!(await readLiveLock(stateDir)))
      throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) stopped before the sync finished`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
  throw new SyncTimeoutError(
    `the controller (pid ${lock.pid}) did not report a sync within ${Math.round(timeoutMs / 1000)}s; see its log, or raise --timeout`,
  );
}

/** `sparkctl sync [--wait] [--timeout D] [--status]`: asks the running controller to sync from git now, or shows the last sync in full. */
export function registerSync(program: Command, setExit: SetExit): void {
  program
    .command('sync')
    .description('Ask the running controller to sync the jobs folder from git now')
    .option('--wait', 'wait for that sync and print its result; exit 1 when it failed or the status branch push failed', false)
    .option('--timeout <duration>', "how long --wait waits (default: longer than the controller's --git-timeout)")
    .option('--status', "print the last sync in full (git's whole message) without asking for a sync; exit 1 when it had a problem", false)
    .addHelpText('after', '\nExamples:\n  sparkctl sync\n  sparkctl --jobs ./jobs sync --wait --timeout 2m\n  sparkctl sync --status\n')
    .action(async (opts: { wait: boolean; timeout?: string; status: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ jobs?: string; stateDir?: string }>();
      const jobsDir = resolveJobsDir(globals.jobs);
      const stateDir = resolveStateDir(jobsDir, globals.stateDir);
      const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout, '--timeout');
      try {
        if (opts.status) {
          const status = await readSyncStatus(stateDir);
          if (!status) throw new NoSyncingControllerError(`${jobsDir} has never been synced from git (no sync status in ${stateDir})`);
          process.stdout.write(`${escapeLines(describeSyncStatusDetail(status))}\n`);
          setExit(hasSyncProblem(status) ? 1 : 0);
          return;
        }
        const { pid, status } = await requestSync(stateDir, jobsDir, {
          wait: opts.wait,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
        if (!status) {
          process.stdout.write(`Asked the controller (pid ${pid}) to sync now\n`);
          setExit(0);
          return;
        }
        process.stdout.write(`${cellText(describeSyncStatus(status))}\n`);
        setExit(hasSyncProblem(status) ? 1 : 0);
      } catch (err) {
        process.stderr.write(`Error: ${escapeLines(messageOf(err))}\n`);
        setExit(1);
      }
    });
}
