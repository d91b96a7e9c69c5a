import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

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
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.') && depth < (options.maxDepth ?? 8)) await walk(abs, depth + 1);
      else if (e.isFile() && TEMP_NAME.test(e.name)) {
        const st = await lstat(abs).catch(() => undefined);
        if (
          st?.isFile() &&
          now - st.mtimeMs >= minAge &&
          (await unlink(abs).then(
            () => true,
            () => false,
          ))
        )
          removed.push(abs);
      }
    }
  };
  await walk(jobsDir, 0);
  return removed;
}
