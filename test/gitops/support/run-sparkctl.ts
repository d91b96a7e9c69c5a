import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLiveLock } from '../../../src/state/state-lock.js';

/** The repository root (the CLI runs from source there). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The CLI entry run from source with tsx. */
export const CLI = join(ROOT, 'test', 'gitops', 'support', 'sparkctl.ts');

/** The outcome of one CLI run. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sparkctl ARGS…` from source and resolves with its exit code and output. */
export function sparkctl(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPARKCTL_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A controller started from source; `log()` is its stderr so far. */
export interface ControllerRun {
  readonly child: ChildProcess;
  log(): string;
}

/** Starts `sparkctl ARGS… controller FLAGS…` and resolves once it holds the state dir's lock (it supervises jobs). */
export async function startController(where: string[], stateDir: string, flags: string[], timeoutMs = 30_000): Promise<ControllerRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...where, 'controller', ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SPARKCTL_LOG_LEVEL: 'warn' },
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while ((await readLiveLock(stateDir))?.pid !== child.pid) {
    if (Date.now() > deadline || child.exitCode !== null) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`controller did not start within ${timeoutMs}ms: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, log: () => log };
}

/** Sends SIGTERM and resolves with how long the controller took to exit. */
export async function stopController(run: ControllerRun): Promise<number> {
  if (run.child.exitCode !== null) return 0;
  const exited = new Promise((r) => run.child.once('exit', r));
  const at = Date.now();
  run.child.kill('SIGTERM');
  await exited;
  return Date.now() - at;
}
