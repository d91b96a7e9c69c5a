import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { MesosStoreError } from './errors.js';

/** File in the state dir that keeps framework ids, so a restarted controller fails over to the same framework. */
export const FRAMEWORK_STORE_FILE = 'mesos-frameworks.json';

/** A driver task this framework launched and has not released yet. */
export interface StoredTask {
  readonly taskId: string;
  readonly agentId: string;
  readonly job: string;
  readonly attempt: number;
  readonly specHash: string;
  readonly launchedAt: string;
}

/**
 * A task the job gave up on while its agent could not be reached (TASK_UNREACHABLE, LOST, UNKNOWN,
 * GONE_BY_OPERATOR): it may come back, and is killed as soon as it is seen alive again.
 */
export interface AbandonedTask {
  readonly taskId: string;
  readonly agentId?: string;
  /** The state it had when the job gave up on it. */
  readonly state: string;
  readonly abandonedAt: string;
}

/** How long an abandoned task is remembered: the master's default registry_max_agent_age (2 weeks). */
export const ABANDONED_RETENTION_MS = 14 * 24 * 3600 * 1000;

/** How to reach one master again without a spec at hand (references only, never the secret). */
export interface StoredConnection {
  readonly principal?: string;
  readonly secretRef?: { readonly env: string } | { readonly file: string };
  readonly certsDir?: string;
}

/** One framework: keyed by master URL and principal. */
export interface StoredFramework {
  readonly master: string;
  readonly connection: StoredConnection;
  readonly frameworkId?: string;
  readonly failoverTimeout: number;
  readonly roles: readonly string[];
  readonly tasks: Readonly<Record<string, StoredTask>>;
  /** Tasks given up on that may return; absent in files written before partition awareness. */
  readonly abandoned?: Readonly<Record<string, AbandonedTask>>;
  readonly updatedAt: string;
}

interface StoreFile {
  readonly version: 1;
  readonly frameworks: Record<string, StoredFramework>;
}

/** Persists frameworks (id, failover_timeout, roles, launched tasks) as JSON, written atomically. */
export class FrameworkStore {
  private data: StoreFile;
  readonly file: string;

  constructor(readonly stateDir: string) {
    this.file = path.join(stateDir, FRAMEWORK_STORE_FILE);
    this.data = readStore(this.file);
  }

  /** Every stored framework, by key. */
  all(): Readonly<Record<string, StoredFramework>> {
    return this.data.frameworks;
  }

  get(key: string): StoredFramework | undefined {
    return this.data.frameworks[key];
  }

  /** Applies a change to one framework and writes the file (temp file, fsync, rename, fsync dir). */
  update(key: string, change: (current: StoredFramework | undefined) => StoredFramework): StoredFramework {
    const next = { ...change(this.data.frameworks[key]), updatedAt: new Date().toISOString() };
    this.data = { version: 1, frameworks: { ...this.data.frameworks, [key]: next } };
    writeAtomically(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
    return next;
  }

  /** Moves a framework to a new key (its credential's fingerprint changed); the old key is gone afterwards. */
  move(from: string, to: string): void {
    const fw = this.data.frameworks[from];
    if (!fw || from === to) return;
    const frameworks = { ...this.data.frameworks, [to]: fw };
    delete frameworks[from];
    this.data = { version: 1, frameworks };
    writeAtomically(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }

  /** Records a launched task before the ACCEPT goes out. */
  addTask(key: string, task: StoredTask): void {
    const fw = this.data.frameworks[key];
    if (!fw) return;
    this.update(key, () => ({ ...fw, tasks: { ...fw.tasks, [task.taskId]: task } }));
  }

  /** Moves a task from the launched ones to the abandoned ones in one write (older abandoned entries expire). */
  abandonTask(key: string, task: AbandonedTask, now = Date.now()): void {
    const fw = this.data.frameworks[key];
    if (!fw) return;
    const tasks = { ...fw.tasks };
    delete tasks[task.taskId];
    const abandoned = Object.fromEntries(
      Object.entries(fw.abandoned ?? {}).filter(([, t]) => now - Date.parse(t.abandonedAt) < ABANDONED_RETENTION_MS),
    );
    abandoned[task.taskId] = task;
    this.update(key, () => ({ ...fw, tasks, abandoned }));
  }

  /** Forgets an abandoned task that has ended for good. */
  forgetAbandoned(key: string, taskId: string): void {
    const fw = this.data.frameworks[key];
    if (!fw?.abandoned || !(taskId in fw.abandoned)) return;
    const abandoned = { ...fw.abandoned };
    delete abandoned[taskId];
    this.update(key, () => ({ ...fw, abandoned }));
  }

  /** Forgets a released task. */
  removeTask(key: string, taskId: string): void {
    const fw = this.data.frameworks[key];
    if (!fw || !(taskId in fw.tasks)) return;
    const tasks = { ...fw.tasks };
    delete tasks[taskId];
    this.update(key, () => ({ ...fw, tasks }));
  }
}

function readStore(file: string): StoreFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, frameworks: {} };
    throw e;
  }
  let parsed: Partial<StoreFile>;
  try {
    parsed = JSON.parse(text) as Partial<StoreFile>;
  } catch (cause) {
    throw new MesosStoreError(
      `${file} is not valid JSON; restore it from a backup, or remove it to register a new framework (running tasks of the old one are then not adopted)`,
      { cause },
    );
  }
  return { version: 1, frameworks: parsed.frameworks ?? {} };
}

function writeAtomically(file: string, text: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
