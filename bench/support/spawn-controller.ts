import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** RSS and CPU time a controller process reports about itself. */
export interface ProcessSample {
  readonly rss: number;
  /** The highest RSS the process reached so far (getrusage's maxrss). */
  readonly peakRss: number;
  readonly heapUsed: number;
  /** Microseconds, as process.cpuUsage() gives them. */
  readonly cpu: { user: number; system: number };
}

/** A controller running in a child process (see controller-child.ts). */
export interface ChildController {
  readonly pid: number;
  /**
   * performance.now() when the process was spawned, and when it was up: its modules loaded
   * (under tsx), or its preload ran (compiled: before the modules load).
   */
  readonly spawnedAt: number;
  readonly loaded: Promise<number>;
  /** Asks the process for its RSS and CPU time. */
  sample(): Promise<ProcessSample>;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Options of a child controller. */
export interface SpawnOptions {
  readonly jobsDir: string;
  readonly stateDir: string;
  /** Where its log lines go. */
  readonly logFile: string;
  readonly workers?: number;
  /** When set, the child runs with `node --cpu-prof` and writes its profile here on exit. */
  readonly cpuProfDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * 'compiled' (the default): `node bin/sparkctl.js controller`, what a user runs, from dist/
   * (`npm run build` first); 'tsx': runController from src/ under tsx (SPARKCTL_BENCH_CONTROLLER=tsx).
   */
  readonly mode?: 'compiled' | 'tsx';
}

/** The controller the benchmarks start unless told otherwise: SPARKCTL_BENCH_CONTROLLER=tsx picks the source under tsx. */
export const defaultMode = (): 'compiled' | 'tsx' => (process.env.SPARKCTL_BENCH_CONTROLLER === 'tsx' ? 'tsx' : 'compiled');

/** Starts `sparkctl controller` in a child process: compiled (bin/sparkctl.js, the default) or runController under tsx. */
export function spawnController(options: SpawnOptions): ChildController {
  const mode = options.mode ?? defaultMode();
  const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const workers = String(options.workers ?? 4);
  let script: string;
  let args: string[];
  let execArgv: string[];
  if (mode === 'compiled') {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
      throw new Error('the benchmarks run the compiled controller: run `npm run build` first (or set SPARKCTL_BENCH_CONTROLLER=tsx)');
    script = join(ROOT, 'bin', 'sparkctl.js');
    args = ['controller', '--jobs', options.jobsDir, '--state-dir', options.stateDir, '--workers', workers];
    args.push('--relist-interval', '30s', '--mesos-single-host');
    execArgv = ['--import', pathToFileURL(join(ROOT, 'bench', 'support', 'sample-hook.mjs')).href, ...prof];
  } else {
    script = join(ROOT, 'bench', 'support', 'controller-child.ts');
    args = [options.jobsDir, options.stateDir, workers];
    execArgv = ['--import', 'tsx', ...prof];
  }
  const log = openSync(options.logFile, 'a');
  const spawnedAt = performance.now();
  const child: ChildProcess = fork(script, args, {
    cwd: ROOT,
    execArgv,
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, SPARKCTL_LOG_LEVEL: 'info', ...options.env },
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const loaded = new Promise<number>((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if ((m as { type?: string }).type === 'loaded') {
        child.off('message', onMessage);
        resolve(performance.now());
      }
    };
    child.on('message', onMessage);
    void exited.then((code) => reject(new Error(`the controller process exited (${code}) before it started; see ${options.logFile}`)));
  });
  loaded.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    spawnedAt,
    loaded,
    sample: () =>
      new Promise<ProcessSample>((resolve, reject) => {
        const onMessage = (m: unknown) => {
          if ((m as { type?: string }).type !== 'sample') return;
          child.off('message', onMessage);
          resolve(m as ProcessSample);
        };
        child.on('message', onMessage);
        if (!child.send('sample')) reject(new Error('the controller process is gone'));
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
