import type { ScheduledSparkJob } from '../api/scheduled-spark-job.js';
import type { SparkJob } from '../api/spark-job.js';
import type { SparkJobStatus } from '../api/status.js';
import type { ManifestIssue } from '../manifest/manifest-issue.js';
import type { JobRecord } from '../state/journal-paths.js';
import { looseSecretValues } from '../secrets/redact.js';
import { jsonExact, type Packing } from './read-cache.js';

/**
 * How the read cache keeps manifests and records so that a `get` over thousands of jobs does not
 * build every manifest's object tree: the bulky parts (the manifest as written, the validated job,
 * a record's machine snapshot) are kept as JSON text and parsed only when something reads them
 * (`-o json`, `describe`, `-o wide`). What every listing needs (name, labels, the secret values to
 * mask) is kept beside them as plain values.
 */

/** One manifest as the CLI read it (find-job.ts): valid (with `job`) or not (with `issues`). */
export interface FileEntry {
  /** Whether `name` came from the file itself (not its file name). */
  named?: boolean;
  file: string;
  manifest?: Record<string, unknown>;
  job?: SparkJob;
  issues?: readonly ManifestIssue[];
  name: string;
  mtime?: string;
  /** The `status:` the controller wrote back into the file, shown when the journal has no record. */
  fileStatus?: SparkJobStatus;
  /** The manifest's secret env values (computed once; see entrySecrets). */
  secrets?: readonly string[];
  /** Set when the file is a valid ScheduledSparkJob (not a job: its runs are). */
  schedule?: ScheduledSparkJob;
  /** The manifest's `status:` as written (unchecked), for a schedule. */
  rawStatus?: unknown;
}

/** Defines `key` on `target` as a value parsed from the text `json` gives, on first read (and replaceable by assignment). */
function defineLazy(target: object, key: string, json: () => string): void {
  let parsed: unknown;
  let done = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!done) {
        parsed = JSON.parse(json());
        done = true;
      }
      return parsed;
    },
    set: (value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true }),
  });
}

/** Copies `keys` of `from` onto `to` as they are: a lazy property stays lazy (a spread would parse it). */
export function copyLazy<T extends object>(to: T, from: object, keys: readonly string[]): T {
  for (const k of keys) {
    const d = Object.getOwnPropertyDescriptor(from, k);
    if (d) Object.defineProperty(to, k, d);
  }
  return to;
}

/** A copy of an object whose lazy properties stay lazy. */
export function cloneLazy<T extends object>(from: T): T {
  return Object.defineProperties({}, Object.getOwnPropertyDescriptors(from)) as T;
}

/** Whether an entry's manifest validated (without parsing a lazy job). */
export const isValidEntry = (e: FileEntry): boolean => Object.prototype.hasOwnProperty.call(e, 'job');

/** The secret values of an entry's manifest. */
export const entrySecrets = (e: FileEntry): readonly string[] => e.secrets ?? looseSecretValues(e.manifest);

interface PackedEntry {
  readonly entry: Omit<FileEntry, 'manifest' | 'job'>;
  /** The texts' numbers (ReadCache's second line). */
  readonly manifest?: number;
  readonly job?: number;
}

/** File entries: the manifest and the job as JSON text. */
export const entryPacking: Packing<FileEntry> = {
  pack: (e, put) => {
    if ([e.manifest, e.job, e.issues, e.fileStatus, e.schedule, e.rawStatus].some((v) => !jsonExact(v))) return undefined;
    const { manifest, job, ...rest } = e;
    const packed: PackedEntry = {
      entry: { ...rest, secrets: entrySecrets(e) },
      ...(manifest !== undefined ? { manifest: put(JSON.stringify(manifest)) } : {}),
      ...(job !== undefined ? { job: put(JSON.stringify(job)) } : {}),
    };
    return packed;
  },
  unpack: (stored, text) => {
    const p = stored as PackedEntry;
    const e: FileEntry = { ...p.entry };
    const { manifest, job } = p;
    if (manifest !== undefined) defineLazy(e, 'manifest', () => text(manifest));
    if (job !== undefined) defineLazy(e, 'job', () => text(job));
    return e;
  },
};

/** A record and the secret values of the spec in its snapshot. */
export interface RecordEntry {
  readonly record: JobRecord;
  readonly secrets: readonly string[];
}

/** The secret values of the spec a record's snapshot holds. */
export const recordSecrets = (record: JobRecord | undefined): readonly string[] =>
  looseSecretValues({ spec: (record?.snapshot as { context?: { spec?: unknown } } | undefined)?.context?.spec });

/**
 * A value as JSON text (a number: a text put on the cache's second line, for a long one), or (for an
 * object, `depth` levels down) an object of such values: `{ t: { key: … } }`.
 */
type PackedTree = string | number | { readonly t: Record<string, PackedTree> };

/** Texts shorter than this stay in the entry (an attempt number, a state name). */
const INLINE_TEXT = 64;

function packTree(value: unknown, depth: number, put: (text: string) => number): PackedTree {
  if (depth === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length < INLINE_TEXT ? text : put(text);
  }
  const t: Record<string, PackedTree> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) t[k] = packTree(v, depth - 1, put);
  return { t };
}

/** The lazy form of a packed leaf: its JSON text, from the entry or the cache's second line. */
const leafText = (leaf: string | number, text: (ref: number) => string) => (typeof leaf === 'string' ? () => leaf : () => text(leaf));

function unpackTree(packed: { readonly t: Record<string, PackedTree> }, text: (ref: number) => string): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(packed.t)) {
    if (typeof v === 'object') out[k] = unpackTree(v, text);
    else defineLazy(out, k, leafText(v, text));
  }
  return out;
}

interface PackedRecord {
  readonly record: Omit<JobRecord, 'snapshot'>;
  /** Two levels of lazy keys: `get` reads `snapshot.context.attempt` of every job, not the spec beside it. */
  readonly snapshot?: PackedTree;
  readonly secrets: readonly string[];
}

/** Records: the machine snapshot as JSON text. */
export const recordPacking: Packing<RecordEntry> = {
  pack: ({ record, secrets }, put) => {
    if (!jsonExact(record)) return undefined;
    const { snapshot, ...rest } = record;
    const packed: PackedRecord = { record: rest, secrets, ...(snapshot !== undefined ? { snapshot: packTree(snapshot, 2, put) } : {}) };
    return packed;
  },
  unpack: (stored, text) => {
    const p = stored as PackedRecord;
    const record = { ...p.record } as JobRecord;
    if (typeof p.snapshot === 'object') (record as { snapshot?: unknown }).snapshot = unpackTree(p.snapshot, text);
    else if (p.snapshot !== undefined) defineLazy(record, 'snapshot', leafText(p.snapshot, text));
    return { record, secrets: p.secrets };
  },
};

/**
 * What the CLI reads from a job's journal folder: its record and its first event's time. `sure`
 * is false when a file was there but gave nothing (an events file still empty or torn, a record
 * that does not parse): such a read is used once and not kept.
 */
export interface JournalEntry {
  readonly record?: RecordEntry;
  readonly created?: string;
  readonly sure: boolean;
}

interface PackedJournal {
  readonly r?: unknown;
  readonly c?: string;
}

/** A journal folder's reads, under the folder's key: the record as recordPacking keeps it, and the first event time. */
export const journalPacking: Packing<JournalEntry> = {
  folder: true,
  pack: ({ record, created, sure }, put) => {
    if (!sure) return undefined;
    const r = record ? recordPacking.pack!(record, put) : undefined;
    if (record && r === undefined) return undefined;
    const packed: PackedJournal = { ...(r !== undefined ? { r } : {}), ...(created !== undefined ? { c: created } : {}) };
    return packed;
  },
  unpack: (stored, text) => {
    const p = stored as PackedJournal;
    return {
      ...(p.r !== undefined ? { record: recordPacking.unpack!(p.r, text) } : {}),
      ...(p.c !== undefined ? { created: p.c } : {}),
      sure: true,
    };
  },
};
