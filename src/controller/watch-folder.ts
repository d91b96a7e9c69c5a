import { watch, type FSWatcher } from 'node:fs';
import { join, sep } from 'node:path';
import { isManifestPath, listFolders } from '../manifest/find-manifest-files.js';

const toPosix = (rel: string) => rel.split(sep).join('/');

/** A running watch of the jobs folder. */
export interface FolderWatcher {
  /** Re-reads which folders exist, watching new ones and dropping gone ones. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the jobs folder with one inotify watch per folder (not per file), so an event costs
 * O(1) however many manifests there are. Every change is only a hint carrying the relative path
 * and the event's type (`rename`: a name appeared or went, `change`: content or attributes);
 * `onLost` asks for a relist when the kernel could not say which file changed.
 */
export async function watchFolder(
  jobsDir: string,
  onHint: (rel: string, type: string) => void,
  onError: (err: unknown) => void,
  onLost: () => void = () => undefined,
): Promise<FolderWatcher> {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  const scheduleRefresh = () => {
    if (closed || refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void refresh().catch(onError);
    }, 50);
    refreshTimer.unref();
  };
  const add = (relDir: string): boolean => {
    if (watchers.has(relDir)) return false;
    try {
      const w = watch(join(jobsDir, relDir), { persistent: true }, (type, name) => {
        if (name === null) {
          onLost();
          return;
        }
        const rel = relDir === '' ? toPosix(name.toString()) : `${relDir}/${toPosix(name.toString())}`;
        if (isManifestPath(rel)) onHint(rel, type);
        else if (!rel.split('/').some((p) => p.startsWith('.'))) scheduleRefresh(); // maybe a new or removed folder
      });
      w.on('error', () => {
        w.close();
        watchers.delete(relDir);
        scheduleRefresh();
      });
      watchers.set(relDir, w);
      return true;
    } catch (err) {
      if (relDir === '') onError(err);
      return false;
    }
  };
  const refresh = async () => {
    if (closed) return;
    const folders = new Set(await listFolders(jobsDir));
    if (closed) return;
    for (const [relDir, w] of watchers) {
      if (!folders.has(relDir)) {
        w.close();
        watchers.delete(relDir);
        onLost();
      }
    }
    let added = false;
    for (const f of folders) {
      if (add(f) && f !== '') added = true;
    }
    // Manifests may have landed in a new folder before its watch existed.
    if (added) onLost();
  };
  add('');
  const folders = await listFolders(jobsDir);
  for (const f of folders) add(f);
  return {
    refresh,
    close: async () => {
      closed = true;
      clearTimeout(refreshTimer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
