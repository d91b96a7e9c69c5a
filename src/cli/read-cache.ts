import { readFile, realpath, stat } from 'node:fs/promises';
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
 *
 * The file is two lines: the entries, then the bulky texts they refer to by number (a manifest as
 * written, a validated job, a machine snapshot's spec). A run parses the first line; the second is
 * parsed only when something reads one of its texts (`get NAME`, `-o json`, `describe`), and when
 * a changed cache is written back: a plain `get` over 10,000 jobs never builds those strings.
 */
export const READ_CACHE_FILE = 'cli-read-cache.json';
const FORMAT = 3;

/** How a section's values are kept: see ReadCache.get. */
export interface Packing<T> {
  readonly folder?: boolean;
  /** The stored form of a value; `put` keeps a bulky text on the second line and returns its number. */
  readonly pack?: (value: T, put: (text: string) => number) => unknown;
  /** The value back from its stored form; `text` gives a text `pack` put aside (parsing the second line on first use). */
  readonly unpack?: (stored: unknown, text: (ref: number) => string) => T;
}

type Section = 'files' | 'journal';
type Entries = Record<string, [key: string, value: unknown]>;

type Texts = Record<Section, Record<string, string[]>>;

interface Stored {
  format: number;
  fingerprint: string;
  root: string;
  sections: Record<Section, Entries>;
  /** The length in bytes of the second line (the texts): a file cut short does not fit. */
  textsLength: number;
}

/** The texts of one written cache (its second line), parsed on first use. */
class TextStore {
  private parsed: Texts | undefined;
  constructor(
    private readonly raw: Buffer | Texts,
    private readonly file = '',
  ) {}
  of(section: Section, id: string): readonly string[] {
    try {
      this.parsed ??= Buffer.isBuffer(this.raw) ? (JSON.parse(this.raw.toString('utf8')) as Texts) : this.raw;
    } catch {
      // Written whole by rename, with its length checked at load: only an edit by hand gets here.
      throw new Error(`the read cache ${this.file} is damaged: delete it and run the command again`);
    }
    return this.parsed[section]?.[id] ?? [];
  }
}

const noTexts = () => ({ files: {}, journal: {} });

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
  /** The texts of the entries packed this round; entries kept from before have theirs in `texts`. */
  private nextTexts: Texts = noTexts();
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
    private texts: TextStore = new TextStore(noTexts()),
    private readonly enabled = true,
  ) {}

  /** Whether this cache can serve loads of a jobs folder (its real path). */
  serves(root: string): boolean {
    return !this.enabled || root === this.root;
  }

  /** No cache: every value is read. */
  static none(): ReadCache {
    return new ReadCache('', '', '', { files: {}, journal: {} }, undefined, false);
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
      const file = join(stateDir, READ_CACHE_FILE);
      // Bytes: only the first line is decoded now (the second is most of the file).
      const bytes = await readFile(file);
      const lineEnd = bytes.indexOf(0x0a);
      const stored = JSON.parse(bytes.toString('utf8', 0, lineEnd < 0 ? bytes.length : lineEnd)) as Partial<Stored>;
      const texts = bytes.subarray(lineEnd < 0 ? bytes.length : lineEnd + 1);
      const fits =
        stored.format === FORMAT &&
        stored.fingerprint === fingerprint &&
        stored.root === root &&
        stored.sections &&
        stored.textsLength === texts.length;
      if (!fits) return new ReadCache(stateDir, root, fingerprint, empty);
      return new ReadCache(stateDir, root, fingerprint, { ...empty, ...stored.sections }, new TextStore(texts, file));
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
      const texts = this.texts;
      return how.unpack ? how.unpack(kept[1], (ref) => texts.of(section, id)[ref]!) : (kept[1] as T);
    }
    const value = await read();
    if (value !== undefined && found.settled) {
      const texts: string[] = [];
      const stored = how.pack ? how.pack(value, (text) => texts.push(text) - 1) : jsonExact(value) ? value : undefined;
      if (stored !== undefined) {
        this.next[section][id] = [found.key, stored];
        if (texts.length > 0) this.nextTexts[section][id] = texts;
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
    // The texts of this round's entries: new ones, and those of entries kept from before (which
    // parses the texts read from the file: only when something changed).
    const texts = this.changed || dropped ? this.textsOfNext() : undefined;
    if (this.unsaved && Date.now() - this.savedAt >= this.minSaveIntervalMs) {
      await this.save(texts ?? this.textsOfNext());
      this.unsaved = false;
      this.savedAt = Date.now();
    }
    this.kept = this.next;
    if (texts) this.texts = new TextStore(texts);
    this.next = { files: {}, journal: {} };
    this.nextTexts = noTexts();
    this.names = {};
    this.changed = false;
  }

  /** The texts of every entry of this round, new or kept; an entry whose texts cannot be read (a damaged file) is dropped. */
  private textsOfNext(): Texts {
    const out: Texts = noTexts();
    for (const section of Object.keys(this.next) as Section[]) {
      for (const id of Object.keys(this.next[section])) {
        let texts: readonly string[];
        try {
          texts = this.nextTexts[section][id] ?? this.texts.of(section, id);
        } catch {
          delete this.next[section][id];
          continue;
        }
        if (texts.length > 0) out[section][id] = [...texts];
      }
    }
    return out;
  }

  /** Writes the cache when it changed, into an existing state dir only; a failure leaves the old one (or none). */
  private async save(texts: Texts): Promise<void> {
    if (!this.enabled) return;
    const dir = await stat(this.stateDir).catch(() => undefined);
    if (!dir?.isDirectory()) return;
    const textsLine = JSON.stringify(texts);
    const stored: Stored = {
      format: FORMAT,
      fingerprint: this.fingerprint,
      root: this.root,
      sections: this.next,
      textsLength: Buffer.byteLength(textsLine),
    };
    const names: StoredNames = { format: NAMES_FORMAT, root: this.root, files: this.names };
    try {
      await writeFileAtomic(join(this.stateDir, READ_CACHE_FILE), `${JSON.stringify(stored)}\n${textsLine}`, {
        mode: 0o600,
        durable: false,
      });
      await writeFileAtomic(join(this.stateDir, NAMES_CACHE_FILE), JSON.stringify(names), { mode: 0o600, durable: false });
    } catch {
      // A state dir the reader may not write: every run reads the files, as without a cache.
    }
  }
}

/**
 * A read cache kept across the loads of a long-running reader (a watch, the dashboard): opened on
 * first use, and again when the jobs folder's real path changes (a git sync flipped its link);
 * written back at most every `minSaveIntervalMs`.
 */
export class KeptReadCache {
  private cache: ReadCache | undefined;

  constructor(
    private readonly ctx: { readonly jobsDir: string; readonly stateDir: string },
    private readonly minSaveIntervalMs: number,
  ) {}

  /** The cache for the jobs folder as it resolves now. */
  async current(): Promise<ReadCache> {
    const root = await realpath(this.ctx.jobsDir).catch(() => this.ctx.jobsDir);
    if (!this.cache?.serves(root))
      this.cache = await ReadCache.open(this.ctx.stateDir, root, { minSaveIntervalMs: this.minSaveIntervalMs });
    return this.cache;
  }
}
