import { lstatSync } from 'node:fs';

/*
 * The key the read cache (cli/read-cache.ts) files its values under, and the names cache that
 * completion reads: in a module of their own so that completion loads nothing else.
 */

/** Names only (file → key and job name), for shell completion without the full cache. */
export const NAMES_CACHE_FILE = 'cli-names.json';

/** The names cache's format (cli/complete-names.ts refuses another). */
export const NAMES_FORMAT = 2;

/**
 * A value read from a file changed less than this long ago is not kept: a second write within
 * the file system's timestamp granularity could leave the key unchanged (git's "racily clean").
 * It also makes the times' precision in the key moot: a value is kept only when its file's change
 * time is at least this old, so any later write gives a change time at least this much later.
 */
const SETTLE_MS = settleMs(process.env.SPARKCTL_CACHE_SETTLE_MS);

/** The settle time in ms: `SPARKCTL_CACHE_SETTLE_MS` when it is a whole number, else 2 s. */
function settleMs(value: string | undefined): number {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : 2000;
}

/** The names cache: the jobs folder and, per manifest, its key and job name. */
export interface StoredNames {
  format: number;
  root: string;
  files: Record<string, [key: string, name: string]>;
}

/**
 * The key of a regular file (or, with `directory`, of a folder) as lstat sees it now, and whether
 * it has settled; undefined when it is missing or not of that kind. A folder's key changes when an
 * entry is created, removed or renamed in it, not when a file in it is written in place.
 */
export function fileKey(path: string, directory = false): { key: string; settled: boolean } | undefined {
  // Synchronous: thousands of lstat calls cost less without a promise and a thread-pool round trip each.
  // Times as float milliseconds (sub-microsecond digits; enough, see SETTLE_MS): a bigint lstat
  // allocates a BigInt per field, and their garbage cost more than the lstat calls at 10,000 files.
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s || (directory ? !s.isDirectory() : !s.isFile())) return undefined;
  return {
    key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`,
    settled: Date.now() - s.ctimeMs > SETTLE_MS,
  };
}
