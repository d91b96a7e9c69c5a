import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instanceId } from '../../../src/main.js';
import { removeInstanceContainers } from '../../support/docker.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The installed program. */
export const BIN = join(ROOT, 'bin', 'sparkctl.js');

/** What one run of the CLI printed and how it exited. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (one build at a time across test processes). */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  const fresh = () => existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'));
  if (fresh()) return;
  const lock = join(tmpdir(), 'sparkctl-e2e-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held too long; remove it if no build runs`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (!fresh()) {
      try {
        // npm run build: tsc, then the dashboard's static files copied into dist/.
        execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
      } catch (err) {
        if (!existsSync(main)) throw err;
        process.stderr.write(`warning: npm run build failed; testing the existing dist/ (${(err as Error).message.split('\n')[0]})\n`);
      }
    }
  } finally {
    rmdirSync(lock);
  }
}

/** The environment every CLI run gets: no colour unless asked, state never in the real home. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SPARKCTL_LOG_LEVEL: 'info', ...extra };
  delete env.FORCE_COLOR;
  if (extra.FORCE_COLOR !== undefined) env.FORCE_COLOR = extra.FORCE_COLOR;
  return env;
}

/** Runs `node bin/sparkctl.js ARGS` to the end. */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running CLI process (`-w`, `-f`, `controller`) whose output can be awaited. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout (or stderr) matches; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, options?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<string>;
  /** Resolves with the exit code once the process ends; rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | null>;
  /** Sends a signal to this process (by its pid). */
  signal(sig: NodeJS.Signals): void;
}

/** Starts `node bin/sparkctl.js ARGS` in the background. */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out.stdout += d), notify()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((out.stderr += d), notify()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => (notify(), resolve(code))));
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitFor: (pattern, { stream = 'stdout', timeoutMs = 30_000 } = {}) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out[stream]);
          if (m) {
            done();
            resolve(m[0]);
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`process exited (${child.exitCode}) before ${stream} matched ${pattern}:\n${out.stdout}\n${out.stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern} on ${stream}:\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    exited: (timeoutMs = 30_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`process ${child.pid} still running after ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]),
    signal: (sig) => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, sig);
    },
  };
}

/** A temp jobs folder and state dir, and the global flags naming them. */
export interface Workspace {
  readonly root: string;
  readonly jobsDir: string;
  readonly stateDir: string;
  /** `--jobs J --state-dir S`. */
  readonly flags: string[];
  /** Writes a file into the jobs folder. */
  write(file: string, text: string): Promise<string>;
  /** Runs the CLI on this workspace. */
  run(args: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** Starts a long-running verb on this workspace. */
  start(args: readonly string[], options?: { env?: NodeJS.ProcessEnv }): CliProcess;
  /** Starts `sparkctl controller` and resolves once it has started. */
  startController(): Promise<CliProcess>;
  /** Stops every process started here (by pid), removes its containers and the folders. */
  close(): Promise<void>;
}

/** Creates a workspace under the system temp folder. */
export async function createWorkspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-e2e-'));
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir);
  const flags = ['--jobs', jobsDir, '--state-dir', stateDir];
  const started: CliProcess[] = [];
  const ws: Workspace = {
    root,
    jobsDir,
    stateDir,
    flags,
    write: async (file, text) => {
      const path = join(jobsDir, file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      return path;
    },
    run: (args, options) => runCli([...flags, ...args], options),
    start: (args, options) => {
      const p = startCli([...flags, ...args], options);
      started.push(p);
      return p;
    },
    startController: async () => {
      const p = ws.start(['controller', '--relist-interval', '1s']);
      await p.waitFor(/Started controller/, { stream: 'stderr' });
      return p;
    },
    close: async () => {
      for (const p of started) {
        p.signal('SIGTERM');
        await p.exited(20_000).catch(() => p.signal('SIGKILL'));
      }
      await removeInstanceContainers(instanceId(stateDir));
      await rm(root, { recursive: true, force: true });
    },
  };
  return ws;
}

/** A SparkJob on the fake Spark image; `extra` lines are appended under spec. */
export function fakeJob(name: string, extra = '', meta = ''): string {
  return `# ${name}: a test job
apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}   # the job's name
${meta}spec:
  image: sparkctl/spark-fake:test
  imagePullPolicy: Never
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  mainClass: org.apache.spark.examples.SparkPi
  arguments: ["10"]
  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
${extra}`;
}
