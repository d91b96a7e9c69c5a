import type { Dirent } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { MAX_FOLDER_DEPTH, walkJobsFolder } from '../manifest/find-manifest-files.js';

// The names writeStatus and writeFileAtomic give their temp files: `.<file>.<12 hex>.tmp`.
const TEMP_NAME = /^\..+\.ya?ml\.[0-9a-f]{12}\.tmp$/i;

/**
 * Removes temp files a killed writer left in the jobs folder (a crash between writing the temp
 * file and renaming it). Only regular files with the atomic writers' naming pattern, older than
 * `minAgeMs` (so a CLI verb writing right now is not disturbed), are removed; returns their names.
 */
export async function sweepTempFiles(
  jobsDir: string,
  options: { minAgeMs?: number; maxDepth?: number; now?: number } = {},
): Promise<string[]> {
  const minAge = options.minAgeMs ?? 5_000;
  const now = options.now ?? Date.now();
  const removed: string[] = [];
  // The manifests' walk (visible folders, links never followed); temp files are hidden files, so it passes them on.
  const visit = async (e: Dirent, abs: string): Promise<void> => {
    if (!e.isFile() || !TEMP_NAME.test(e.name)) return;
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile() || now - st.mtimeMs < minAge) return;
    try {
      await unlink(abs);
      removed.push(abs);
    } catch {
      // Removed meanwhile (or not removable): nothing to report.
    }
  };
  await walkJobsFolder(jobsDir, options.maxDepth ?? MAX_FOLDER_DEPTH, visit, false);
  return removed;
}
