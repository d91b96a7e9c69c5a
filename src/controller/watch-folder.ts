import { watch, type FSWatcher } from 'chokidar';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Whether a path names a manifest (a visible .yaml or .yml file). */
export function isManifestPath(rel: string): boolean {
  if (!/\.ya?ml$/i.test(rel)) return false;
  return !rel.split(/[\\/]/).some((part) => part.startsWith('.'));
}

/** Lists manifests under the jobs folder (relative paths, sorted); symlinks are not followed. */
export async function listManifests(jobsDir: string, maxDepth = 8): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw err;
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      if (e.isDirectory() && depth < maxDepth) await walk(abs, depth + 1);
      else if (e.isFile() && isManifestPath(e.name)) out.push(relative(jobsDir, abs).split(sep).join('/'));
    }
  };
  await walk(jobsDir, 0);
  return out.sort();
}

/** Watches the jobs folder; every change is only a hint carrying the relative path. */
export function watchFolder(jobsDir: string, onHint: (rel: string) => void, onError: (err: unknown) => void): FSWatcher {
  const watcher = watch(jobsDir, {
    ignoreInitial: true,
    followSymlinks: false,
    depth: 8,
    ignored: (path: string) => {
      const rel = relative(jobsDir, path);
      return rel !== '' && rel.split(sep).some((part) => part.startsWith('.'));
    },
  });
  const hint = (path: string) => {
    const rel = relative(jobsDir, path).split(sep).join('/');
    if (isManifestPath(rel)) onHint(rel);
  };
  watcher.on('add', hint).on('change', hint).on('unlink', hint).on('error', onError);
  return watcher;
}
