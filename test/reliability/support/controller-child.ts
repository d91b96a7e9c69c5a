import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, 'chaos-controller.ts');

/** A controller process and what it printed on stderr. */
export interface ControllerChild {
  readonly child: ChildProcess;
  stderr(): string;
  /** Sends SIGKILL and resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Sends SIGTERM and resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Starts chaos-controller.ts and resolves once it printed "ready". */
export function startControllerChild(
  jobsDir: string,
  stateDir: string,
  instance: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ControllerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, jobsDir, stateDir, instance], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const handle: ControllerChild = {
    child,
    stderr: () => err,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(handle);
    });
    void exited.then((code) => reject(new Error(`controller exited ${code} before it was ready: ${err}`)));
  });
}
