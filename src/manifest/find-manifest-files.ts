import { readdir, realpath, stat } from 'node:fs/promises';
import { readdirSync, type Dirent } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** How deep below a jobs folder manifests are found and watched. */
export const MAX_FOLDER_DEPTH = 8;
/** How deep the walker still looks, only to report manifests it will not read. */
const REPORT_DEPTH = 32;

/** Whether a file name is a manifest a jobs folder may hold: `.yaml` or `.yml`, not hidden. */
export function isManifestFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

/** Whether a relative path names a manifest: a visible .yaml or .yml file in visible folders. */
export function isManifestPath(rel: string): boolean {
  return isManifestFileName(rel) && !rel.split(/[\\/]/).some((part) => part.startsWith('.'));
}

const toPosix = (rel: string) => rel.split(sep).join('/');

/** Whether the walk goes into an entry found at `depth`: a visible folder (not a link) above the depth limit. */
const descends = (e: Dirent, depth: number, maxDepth: number) => e.isDirectory() && !e.name.startsWith('.') && depth < maxDepth;

/**
 * The one walk of a jobs folder, shared by everything that looks through one (manifests, folders
 * to watch, temp files to sweep): calls `visit` for every entry of the folder and of its visible
 * subfolders (`depth` 0 for the folder's own entries), descending into a visible folder while
 * `depth < maxDepth`. Links are passed to `visit` but never followed, not even linked folders.
 * An unreadable subfolder is skipped; the folder itself, unreadable, throws when `mustRead`.
 */
export async function walkJobsFolder(
  root: string,
  maxDepth: number,
  visit: (entry: Dirent, abs: string, depth: number) => void | Promise<void>,
  mustRead = true,
): Promise<void> {
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (depth === 0 && mustRead) throw err;
      return;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      await visit(e, abs, depth);
      if (descends(e, depth, maxDepth)) await walk(abs, depth + 1);
    }
  };
  await walk(root, 0);
}

/**
 * Relative paths (POSIX, sorted) of every visible `.yaml`/`.yml` entry that is not a folder, down to
 * `maxDepth`. Links are listed (what an entry may be is decided by readManifestFile, which refuses
 * all but regular files inside the folder). Throws only when the folder itself cannot be read.
 */
export async function listManifests(root: string, maxDepth = MAX_FOLDER_DEPTH, onTooDeep?: (rel: string) => void): Promise<string[]> {
  const out: string[] = [];
  // With onTooDeep the walk goes on below the limit, only to report manifests there.
  await walkJobsFolder(root, onTooDeep ? Math.max(maxDepth, REPORT_DEPTH) : maxDepth, (e, abs, depth) => {
    if (e.isDirectory() || !isManifestFileName(e.name)) return;
    // Past the limit a manifest is never read, only reported (when asked), so nobody thinks it runs.
    if (depth <= maxDepth) out.push(toPosix(relative(root, abs)));
    else onTooDeep?.(toPosix(relative(root, abs)));
  });
  return out.sort();
}

/**
 * listManifests without its onTooDeep report, synchronously and without a promise or a path
 * resolution per entry: a fifth of the time at 1,000 files, for the CLI's reads and shell
 * completion, which wait for the listing anyway. The same walk (test/manifest/find-manifest-files.test.ts).
 */
export function listManifestsSync(root: string, maxDepth = MAX_FOLDER_DEPTH): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw err;
      return;
    }
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (descends(e, depth, maxDepth)) walk(`${dir}/${e.name}`, path, depth + 1);
      else if (!e.isDirectory() && isManifestFileName(e.name)) out.push(path);
    }
  };
  walk(root, '', 0);
  return out.sort();
}

/** Lists the visible folders under a jobs folder (relative, '' for the folder itself); links are not followed. */
export async function listFolders(root: string, maxDepth = MAX_FOLDER_DEPTH): Promise<string[]> {
  const out: string[] = [''];
  if (maxDepth <= 0) return out;
  await walkJobsFolder(
    root,
    maxDepth - 1,
    (e, abs) => {
      if (e.isDirectory() && !e.name.startsWith('.')) out.push(toPosix(relative(root, abs)));
    },
    false,
  );
  return out;
}

/** One manifest to read: `rel` inside the folder `root` (a real path), shown to the user as `path`. */
export interface ManifestPath {
  readonly root: string;
  readonly rel: string;
  readonly path: string;
}

/** What a list of paths expands to: manifests to read, the paths that do not exist, and manifests below the depth limit. */
export interface ManifestFiles {
  files: ManifestPath[];
  missing: string[];
  /** Manifests in a walked folder deeper than MAX_FOLDER_DEPTH folders: the controller would not read them. */
  tooDeep: string[];
}

/**
 * Expands command-line paths into manifests: a file named on its own is taken whatever its
 * extension (and read inside its own folder, so a link is refused there too); folders are
 * walked with listManifests, the controller's walker.
 */
export async function findManifestFiles(paths: readonly string[]): Promise<ManifestFiles> {
  const files: ManifestPath[] = [];
  const missing: string[] = [];
  const tooDeep: string[] = [];
  const seen = new Set<string>();
  const add = (f: ManifestPath) => {
    const key = join(f.root, f.rel);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(f);
  };
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const root = await realpath(path);
        for (const rel of await listManifests(root, MAX_FOLDER_DEPTH, (deep) => tooDeep.push(join(path, deep))))
          add({ root, rel, path: join(path, rel) });
      } else add({ root: await realpath(dirname(path)), rel: basename(path), path });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw err;
      missing.push(path);
    }
  }
  return { files, missing, tooDeep };
}
