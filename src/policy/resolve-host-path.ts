import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** Whether an absolute, resolved path is a prefix folder itself or lies under it (whole path components). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  if (!isAbsolute(prefix)) return false;
  const root = resolve(prefix);
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A host path as the engine must receive it: every link followed; `exists` false when its tail is not there yet. */
export type ResolvedHostPath =
  { readonly ok: true; readonly path: string; readonly exists: boolean } | { readonly ok: false; readonly code: string };

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

/**
 * Resolves a host path to its real path (fs.realpath: every link, anywhere in it, followed).
 * A path whose tail does not exist yet resolves through its deepest existing folder; a link to
 * nothing, a loop or an unreadable folder cannot be resolved (`ok: false` with the errno code).
 */
export async function resolveHostPath(path: string): Promise<ResolvedHostPath> {
  const abs = resolve(path);
  try {
    return { ok: true, path: await realpath(abs), exists: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const parent = dirname(abs);
    // A dangling link names a target that may appear later: never guess where it points.
    if (code !== 'ENOENT' || parent === abs || (await exists(abs)))
      return { ok: false, code: code === 'ENOENT' ? 'ENOENT: a link to nothing' : code };
    const up = await resolveHostPath(parent);
    return up.ok ? { ok: true, path: join(up.path, basename(abs)), exists: false } : up;
  }
}
