import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveJobsDir, resolveStateDir } from '../state/state-dir.js';
import { readLiveLock, type LockInfo } from '../state/state-lock.js';
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
  return { jobsDir, stateDir: resolveStateDir(jobsDir, globals.stateDir), out: process.stdout, err: process.stderr, colour: colourEnabled(process.stdout) };
}

/** Fails with a helpful message when the jobs folder is missing. */
export async function requireJobsDir(ctx: CliContext): Promise<void> {
  const info = await stat(ctx.jobsDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new JobsDirError(`jobs folder ${ctx.jobsDir} does not exist: pass --jobs DIR or set $SPARKCTL_JOBS`);
  }
}

/** The live controller of this state dir, or undefined after printing the "may be stale" warning. */
export async function checkController(ctx: CliContext): Promise<LockInfo | undefined> {
  const lock = await readLiveLock(ctx.stateDir);
  if (!lock) ctx.err.write(`warning: no controller is running for ${ctx.jobsDir}; status may be stale\n`);
  return lock;
}

/** Writes text to stdout, resolving once it is flushed (so a following exit loses nothing). */
export function write(ctx: CliContext, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.out.write(text)) resolve();
    else ctx.out.once('drain', () => resolve());
  });
}
