import { InvalidArgumentError, type Command } from 'commander';
import { resolveJobsDir, resolveStateDir } from '../../controller/state-dir.js';
import { requestControl } from '../../controller/control-socket.js';
import { readLiveLock } from '../../controller/state-lock.js';
import { messageOf } from '../../errors.js';
import { NoSyncingControllerError, SyncTimeoutError } from '../../gitops/errors.js';
import { DEFAULT_SYNC_INTERVAL_MS } from '../../gitops/git-syncer.js';
import type { GitSyncConfig } from '../../gitops/start-git-sync.js';
import { isSyncedBranch } from '../../gitops/status-branch.js';
import { describeSyncStatus, readSyncStatus, type SyncStatus } from '../../gitops/sync-status.js';
import { parseDuration } from '../parse-duration.js';
import { escapeLines } from '../printers/escape-text.js';
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
}

/**
 * Checks the controller's --git flags and turns them into a sync config (undefined without --git).
 * A bad flag is a usage error naming it: reported through `command.error` (exit 2) when given, else thrown.
 */
export function gitSyncConfigFromFlags(flags: GitFlags, command?: Command): GitSyncConfig | undefined {
  try {
    return checkGitFlags(flags);
  } catch (err) {
    if (command && err instanceof InvalidArgumentError) command.error(`error: ${err.message}`, { exitCode: 2, code: err.code });
    throw err;
  }
}

function checkGitFlags(flags: GitFlags): GitSyncConfig | undefined {
  if (!flags.git) {
    const stray = (['gitRef', 'gitPath', 'interval', 'statusBranch'] as const).find((k) => flags[k] !== undefined) ?? (flags.prune ? 'prune' : undefined);
    if (stray) throw new InvalidArgumentError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --git URL`);
    return undefined;
  }
  if (flags.git.startsWith('-')) throw new InvalidArgumentError(`--git takes a repository URL or path, got '${flags.git}'`);
  const ref = flags.gitRef ?? 'main';
  if (!ref || ref.startsWith('-') || /\s/.test(ref)) throw new InvalidArgumentError(`--git-ref takes a branch, tag or commit, got '${ref}'`);
  const path = (flags.gitPath ?? '.').replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
  if (path.startsWith('/') || path.split('/').includes('..') || path.startsWith('-')) {
    throw new InvalidArgumentError(`--git-path takes a folder inside the repository (relative, no '..'), got '${flags.gitPath ?? ''}'`);
  }
  const intervalMs = flags.interval === undefined ? DEFAULT_SYNC_INTERVAL_MS : parseDuration(flags.interval, '--interval');
  if (intervalMs < 100) throw new InvalidArgumentError(`--interval must be at least 100ms, got '${flags.interval ?? ''}'`);
  if (flags.statusBranch !== undefined && (isSyncedBranch(flags.statusBranch, ref) || !/^[A-Za-z0-9._/-]+$/.test(flags.statusBranch) || flags.statusBranch.startsWith('-'))) {
    throw new InvalidArgumentError(`--status-branch must be a branch name other than the synced --git-ref ${ref}, got '${flags.statusBranch}'`);
  }
  return { url: flags.git, ref, path, intervalMs, prune: flags.prune ?? false, ...(flags.statusBranch ? { statusBranch: flags.statusBranch } : {}) };
}

/** Options of requestSync. */
export interface RequestSyncOptions {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollMs?: number;
}

/**
 * Asks the controller running on a state dir to sync from git now, over its control socket (never
 * a signal by pid: a pid can be reused); with `wait`, resolves with the status of a sync that
 * started after the request.
 */
export async function requestSync(stateDir: string, jobsDir: string, options: RequestSyncOptions): Promise<{ pid: number; status?: SyncStatus }> {
  const lock = await readLiveLock(stateDir);
  if (!lock) throw new NoSyncingControllerError(`no controller is running for ${jobsDir} (state dir ${stateDir}); start one with: sparkctl --jobs ${jobsDir} controller --git URL`);
  const before = await readSyncStatus(stateDir);
  if (!before || before.pid !== lock.pid) {
    throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) on ${jobsDir} does not sync from git; restart it with --git URL to use sparkctl sync`);
  }
  const requestedAt = Date.now();
  const reply = await requestControl(stateDir, { op: 'sync' });
  if (reply === 'none') throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) on ${jobsDir} stopped before it got the request`);
  if (typeof reply === 'string') throw new SyncTimeoutError(`the controller (pid ${lock.pid}) did not answer on its control socket in ${stateDir}; see its log`);
  if (!reply.ok) throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) refused the sync request: ${reply.error}`);
  if (!options.wait) return { pid: lock.pid };
  const deadline = requestedAt + options.timeoutMs;
  while (Date.now() < deadline) {
    const status = await readSyncStatus(stateDir);
    if (status && status.pid === lock.pid && Date.parse(status.lastAttemptAt) >= requestedAt) return { pid: lock.pid, status };
    if (!(await readLiveLock(stateDir))) throw new NoSyncingControllerError(`the controller (pid ${lock.pid}) stopped before the sync finished`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
  throw new SyncTimeoutError(`the controller (pid ${lock.pid}) did not report a sync within ${Math.round(options.timeoutMs / 1000)}s; see its log, or raise --timeout`);
}

/** `sparkctl sync [--wait] [--timeout 60s]`: asks the running controller to sync from git now. */
export function registerSync(program: Command, setExit: SetExit): void {
  program
    .command('sync')
    .description('Ask the running controller to sync the jobs folder from git now')
    .option('--wait', 'wait for that sync and print its result; exit 1 when it failed', false)
    .option('--timeout <duration>', 'how long --wait waits', '60s')
    .addHelpText('after', '\nExamples:\n  sparkctl sync\n  sparkctl --jobs ./jobs sync --wait --timeout 2m\n')
    .action(async (opts: { wait: boolean; timeout: string }, command: Command) => {
      const globals = command.optsWithGlobals<{ jobs?: string; stateDir?: string }>();
      const jobsDir = resolveJobsDir(globals.jobs);
      const stateDir = resolveStateDir(jobsDir, globals.stateDir);
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      try {
        const { pid, status } = await requestSync(stateDir, jobsDir, { wait: opts.wait, timeoutMs });
        if (!status) {
          process.stdout.write(`Asked the controller (pid ${pid}) to sync now\n`);
          setExit(0);
          return;
        }
        process.stdout.write(`${cellText(describeSyncStatus(status))}\n`);
        setExit(status.error ? 1 : 0);
      } catch (err) {
        process.stderr.write(`Error: ${escapeLines(messageOf(err))}\n`);
        setExit(1);
      }
    });
}
