import { execFile } from 'node:child_process';
import { GitCommandError, type SyncFailureReason } from './errors.js';
import { redactText } from './redact-url.js';

/** How long one git command may take before it is killed (a hung remote must not stall syncs forever). */
export const GIT_TIMEOUT_MS = 120_000;

/** Options of one git run. */
export interface RunGitOptions {
  /** The reason recorded when this command fails (auth failures are recognised on their own). */
  readonly failure: SyncFailureReason;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

const AUTH_FAILURE = /authentication failed|could not read (username|password)|terminal prompts disabled|permission denied \(publickey|returned error: 40[13]|access denied|invalid credentials/i;

/**
 * Runs the system git with an argv (never a shell), no stdin and no terminal prompts; credentials
 * come from git's own configuration. Resolves with stdout; rejects with a GitCommandError whose
 * message is git's stderr with every URL's userinfo hidden.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') {
          reject(new GitCommandError('GitUnavailable', 'git is not installed or not on PATH: install git to use --git', { cause: err }));
          return;
        }
        const said = redactText(stderr.trim() || e.message).split('\n').slice(-6).join('\n');
        const why = e.killed ? `git ${args[0] ?? ''} timed out after ${Math.round((options.timeoutMs ?? GIT_TIMEOUT_MS) / 1000)}s` : said;
        const reason: SyncFailureReason = AUTH_FAILURE.test(said) ? 'AuthFailed' : options.failure;
        reject(new GitCommandError(reason, why, { cause: new Error(redactText(e.message)) }));
      },
    );
    child.stdin?.end();
  });
}
