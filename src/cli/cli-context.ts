import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveJobsDir, resolveStateDir } from '../state/state-dir.js';
import { readLiveLock, type LockInfo } from '../state/state-lock.js';
import { findOtherController } from './find-other-controller.js';
import { JobsDirError } from './errors.js';
import { colourEnabled } from './printers/colour.js';

/** What every verb works on: the folders, the output streams and whether to colour. */
export interface CliContext {
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly colour: boolean;
}

/** Resolves the global `--jobs` and `--state-dir` flags the same way for every verb. */
export function cliContext(command: Command): CliContext {
  const globals = command.optsWithGlobals<{ jobs?: string; stateDir?: string }>();
  const jobsDir = resolveJobsDir(globals.jobs);
  return {
    jobsDir,
    stateDir: resolveStateDir(jobsDir, globals.stateDir),
    out: process.stdout,
    err: process.stderr,
    colour: colourEnabled(process.stdout),
  };
}

/** Fails with a helpful message when the jobs folder is missing. */
export async function requireJobsDir(ctx: CliContext): Promise<void> {
  const info = await stat(ctx.jobsDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new JobsDirError(`jobs folder ${ctx.jobsDir} does not exist: pass --jobs DIR or set $SPARKCTL_JOBS`);
  }
}

/**
 * The live controller of this state dir, or undefined after printing the "may be stale" warning,
 * which names the state dir in use and, when a controller for this jobs folder runs with another
 * state dir under the default root, the `--state-dir` to pass.
 */
export async function checkController(ctx: CliContext): Promise<LockInfo | undefined> {
  const lock = await readLiveLock(ctx.stateDir);
  if (lock) return lock;
  ctx.err.write(
    `warning: no controller is running for ${ctx.jobsDir} (state dir ${ctx.stateDir}); status may be stale: it comes from that journal, else from the manifests' status:\n`,
  );
  const other = await findOtherController(ctx);
  if (other)
    ctx.err.write(
      `warning: a controller (pid ${other.lock.pid}) runs for ${ctx.jobsDir} with state dir ${other.stateDir}: pass --state-dir ${other.stateDir} (or set SPARKCTL_STATE_DIR)\n`,
    );
  return undefined;
}

/** Writes text to stdout, resolving once it is flushed (so a following exit loses nothing). */
export function write(ctx: Pick<CliContext, 'out'>, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.out.write(text)) resolve();
    else ctx.out.once('drain', () => resolve());
  });
}
