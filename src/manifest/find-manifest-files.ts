import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Whether a file name is a manifest a jobs folder may hold: `.yaml` or `.yml`, not hidden. */
export function isManifestFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

/** What a list of paths expands to: manifest files, and the paths that do not exist. */
export interface ManifestFiles {
  files: string[];
  missing: string[];
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if ((entry.isFile() || entry.isSymbolicLink()) && isManifestFileName(entry.name)) out.push(path);
  }
}

/**
 * Expands files and folders into manifest files: a file named on its own is taken whatever its
 * extension; folders are searched recursively for `.yaml`/`.yml`, skipping hidden entries.
 */
export async function findManifestFiles(paths: readonly string[]): Promise<ManifestFiles> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path, files);
      else files.push(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(path);
    }
  }
  return { files: [...new Set(files)], missing };
}
