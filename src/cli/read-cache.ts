import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { VERSION } from './version.js';
import { fileKey, NAMES_CACHE_FILE, NAMES_FORMAT, type StoredNames } from './file-key.js';

export { fileKey, NAMES_CACHE_FILE, type StoredNames } from './file-key.js';

/**
 * What the read verbs learned from the jobs folder and the journal on their last run, kept in
 * the state dir so the next run parses only what changed: each manifest's parse under the key of
 * its file (inode, size, modification and change times: any write changes it), and each job's
 * record and first event time under the key of its journal folder (`jobs/NAME/`: the controller
 * replaces the record by rename and creates or removes the events file there, each of which
 * changes the folder's key; appending an event does not, and the first event does not change).
 * A file or folder whose key matches is not read again; anything else is read as before and the
 * cache is rewritten. The cache is a hint: a missing, unreadable, older-format or foreign cache is
 * ignored, and one that cannot be written is not kept.
 */
export const READ_CACHE_FILE = 'cli-read-cache.json';
const FORMAT = 2;

/** How a section's values are kept: see ReadCache.get. */
export interface Packing<T> {
  readonly folder?: boolean;
  readonly pack?: (value: T) => unknown;
  readonly unpack?: (stored: unknown) => T;
}

type Section = 'files' | 'journal';
type Entries = Record<string, [key: string, value: unknown]>;

interface Stored {
  format: number;
  fingerprint: string;
  root: string;
  sections: Record<Section, Entries>;
}

/** Whether a value survives JSON unchanged (finite numbers, no -0, plain objects and arrays only). */
export function jsonExact(value: unknown): boolean {
  let exact = true;
  try {
    JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      const raw = (this as Record<string, unknown>)[key];
      if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0))) exact = false;
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        const proto = Object.getPrototypeOf(raw) as unknown;
        if (proto !== Object.prototype && proto !== null) exact = false;
      }
      if (raw === undefined && Array.isArray(this)) exact = false;
      return v;
    });
  } catch {
    return false;
  }
  return exact;
}

/** Changes to the parser or the schemas change what a file parses to: their module files' times are part of the cache's identity. */
async function parserFingerprint(): Promise<string> {
  const parts = await Promise.all(
    ['../manifest/parse-manifest', '../api/spark-job', '../state/journal-schema', './find-job'].map(async (m) => {
      for (const ext of ['.js', '.ts']) {
        const s = await stat(fileURLToPath(new URL(`${m}${ext}`, import.meta.url))).catch(() => undefined);
        if (s) return `${s.size}:${s.mtimeMs}`;
      }
      return '?';
    }),
  );
  return [VERSION, ...parts].join('|');
}

/** A cache of parsed reads for one state dir and jobs folder; `get` returns a value read now or kept from a run before. */
export class ReadCache {
  private next: Record<Section, Entries> = { files: {}, journal: {} };
  private names: Record<string, [string, string]> = {};
  private changed = false;
  /** Changes seen since the last write (a watch may skip writes). */
  private unsaved = false;
  private savedAt = 0;
  /** The least time between two writes (0 for a single load; a watch passes more). */
  private minSaveIntervalMs = 0;

  private constructor(
    private readonly stateDir: string,
    private readonly root: string,
    private readonly fingerprint: string,
    private kept: Record<Section, Entries>,
    private readonly enabled = true,
  ) {}

  /** Whether this cache can serve loads of a jobs folder (its real path). */
  serves(root: string): boolean {
    return !this.enabled || root === this.root;
  }

  /** No cache: every value is read (the dashboard, inside the controller, reads without one). */
  static none(): ReadCache {
    return new ReadCache('', '', '', { files: {}, journal: {} }, false);
  }

  /** Loads the cache kept for a jobs folder (its real path) in a state dir; empty when there is none or it does not fit. */
  static async open(stateDir: string, root: string, options: { minSaveIntervalMs?: number } = {}): Promise<ReadCache> {
    const cache = await ReadCache.load(stateDir, root);
    cache.minSaveIntervalMs = options.minSaveIntervalMs ?? 0;
    return cache;
  }

  private static async load(stateDir: string, root: string): Promise<ReadCache> {
    const fingerprint = await parserFingerprint();
    const empty = { files: {}, journal: {} };
    try {
      const stored = JSON.parse(await readFile(join(stateDir, READ_CACHE_FILE), 'utf8')) as Partial<Stored>;
      const fits = stored.format === FORMAT && stored.fingerprint === fingerprint && stored.root === root && stored.sections;
      return new ReadCache(stateDir, root, fingerprint, fits ? { ...empty, ...stored.sections } : empty);
    } catch {
      return new ReadCache(stateDir, root, fingerprint, empty);
    }
  }

  /**
   * The value `read` gives for the file at `path`, or the one kept for `id` when the file is unchanged.
   * Undefined, without reading, when the file is missing or not a regular file. `folder`: `path` is
   * a folder and the value comes from files in it that are only ever replaced by rename, created or
   * removed (never rewritten in place): the folder's key stands for them all. `pack` turns a value
   * into what is stored (undefined: not kept), `unpack` turns it back.
   */
  async get<T>(
    section: Section,
    id: string,
    path: string,
    read: () => Promise<T | undefined>,
    how: Packing<T> = {},
  ): Promise<T | undefined> {
    if (!this.enabled) return read();
    const found = fileKey(path, how.folder);
    if (!found) return undefined;
    const kept = this.kept[section][id];
    if (kept && kept[0] === found.key) {
      this.next[section][id] = kept;
      return how.unpack ? how.unpack(kept[1]) : (kept[1] as T);
    }
    const value = await read();
    if (value !== undefined && found.settled) {
      const stored = how.pack ? how.pack(value) : jsonExact(value) ? value : undefined;
      if (stored !== undefined) {
        this.next[section][id] = [found.key, stored];
        this.changed = true;
      }
    }
    return value;
  }

  /** Notes a manifest's job name for the names cache (completion). */
  noteName(file: string, name: string): void {
    const entry = this.next.files[file];
    if (entry) this.names[file] = [entry[0], name];
  }

  /**
   * Writes the cache when it changed (at most once per `minSaveIntervalMs`: a watch's next round
   * writes what a skipped one changed), then starts the next round from what this one saw.
   */
  async saveAndRoll(): Promise<void> {
    const dropped = (Object.keys(this.kept) as Section[]).some(
      (s) => Object.keys(this.kept[s]).length !== Object.keys(this.next[s]).length,
    );
    this.unsaved ||= this.changed || dropped;
    if (this.unsaved && Date.now() - this.savedAt >= this.minSaveIntervalMs) {
      await this.save();
      this.unsaved = false;
      this.savedAt = Date.now();
    }
    this.kept = this.next;
    this.next = { files: {}, journal: {} };
    this.names = {};
    this.changed = false;
  }

  /** Writes the cache when it changed, into an existing state dir only; a failure leaves the old one (or none). */
  private async save(): Promise<void> {
    if (!this.enabled) return;
    const dir = await stat(this.stateDir).catch(() => undefined);
    if (!dir?.isDirectory()) return;
    const stored: Stored = { format: FORMAT, fingerprint: this.fingerprint, root: this.root, sections: this.next };
    const names: StoredNames = { format: NAMES_FORMAT, root: this.root, files: this.names };
    try {
      await writeFileAtomic(join(this.stateDir, READ_CACHE_FILE), JSON.stringify(stored), { mode: 0o600, durable: false });
      await writeFileAtomic(join(this.stateDir, NAMES_CACHE_FILE), JSON.stringify(names), { mode: 0o600, durable: false });
    } catch {
      // A state dir the reader may not write: every run reads the files, as without a cache.
    }
  }
}
