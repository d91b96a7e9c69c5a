import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isManifestPath } from '../manifest/find-manifest-files.js';
import { applyStatus } from '../manifest/apply-status.js';
import { parseManifestRead } from '../manifest/parse-manifest.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
import { keepsOnPrune, loadDoc, nameOf, type MaterialiseInput, type MaterialisedRevision } from './materialise-revision.js';

const run = promisify(execFile);

/** What the incremental build starts from: the folder in use, the commit it shows and what was reported for it. */
export interface ChangesInput extends MaterialiseInput {
  readonly previousView: string;
  readonly previousSha: string;
  readonly previousOrphaned: readonly string[];
  readonly previousInvalid: readonly string[];
}

/**
 * Builds the folder of a commit from the folder in use plus only what git says changed between
 * the two commits (a copy, then the changed files written, the deleted ones removed or kept as
 * orphans): a one-line change in 10,000 manifests reads and parses one file, not 10,000. The
 * result is the same folder materialiseRevision would build. Throws when git cannot diff (the
 * caller then builds it whole).
 */
export async function materialiseChanges(input: ChangesInput): Promise<MaterialisedRevision> {
  const rel = input.gitPath === '' || input.gitPath === '.' ? '' : input.gitPath;
  const changes = await input.clone.changedFiles(input.previousSha, input.sha, input.gitPath);
  const build = join(input.revsDir, `.build-${randomBytes(6).toString('hex')}`);
  const view = join(build, rel);
  try {
    await mkdir(join(view, '..'), { recursive: true, mode: 0o755 });
    // Unchanged files are hard links to the folder in use: the bytes the controller wrote (statuses)
    // at no copy cost. Safe because every writer of the jobs folder replaces a file (temp + rename)
    // and the changed files below are removed and written anew, never written through a link.
    await run('cp', ['-al', '--', input.previousView, view]);
    await removeStaleTemporaries(view);
    const orphaned = new Set(input.previousOrphaned);
    const invalid = new Set(input.previousInvalid);
    const toWrite: string[] = [];
    const carried = new Map<string, NonNullable<ReturnType<typeof readStatusFromDoc>>>();
    const deleted: string[] = [];
    for (const { kind, file } of changes) {
      const target = join(view, file);
      const manifest = isManifestPath(file);
      if (kind === 'W') {
        const before = manifest ? await loadDoc(view, file) : undefined;
        const status = before ? readStatusFromDoc(before) : undefined;
        if (status) carried.set(file, status);
        toWrite.push(rel ? `${rel}/${file}` : file);
        orphaned.delete(file);
        await rm(target, { recursive: true, force: true });
      } else {
        deleted.push(file);
      }
    }
    await input.clone.checkoutPaths(input.sha, toWrite, build);
    const written = toWrite.map((path) => (rel ? path.slice(rel.length + 1) : path)).filter(isManifestPath);
    // A job's identity is its metadata.name: a manifest deleted here whose name a written one
    // carries was moved (git mv); it is no orphan and its status goes with it.
    const fileOfName = new Map<string, string>();
    for (const file of written) {
      const name = nameOf(await loadDoc(view, file));
      if (name !== undefined && !fileOfName.has(name)) fileOfName.set(name, file);
    }
    for (const file of deleted) {
      const target = join(view, file);
      const prevDoc = isManifestPath(file) && (await exists(target)) ? await loadDoc(view, file) : undefined;
      const movedTo = fileOfName.get(nameOf(prevDoc) ?? '');
      if (movedTo !== undefined) {
        const status = prevDoc ? readStatusFromDoc(prevDoc) : undefined;
        if (status && !carried.has(movedTo)) carried.set(movedTo, status);
      } else if (isManifestPath(file) && (await exists(target)) && (!input.prune || keepsOnPrune(prevDoc))) {
        orphaned.add(file);
        continue;
      }
      await rm(target, { force: true });
      orphaned.delete(file);
      invalid.delete(file);
    }
    for (const file of written) {
      const target = join(view, file);
      const status = carried.get(file);
      const read = await readManifestFile(view, file).catch(() => undefined);
      if (status && read?.kind === 'file' && !read.truncated) {
        try {
          await writeFile(target, applyStatus(read.bytes.toString('utf8'), status, file));
        } catch {
          // A file whose layout cannot take a status keeps git's bytes; the controller reports it.
        }
      }
      const after = await readManifestFile(view, file).catch(() => undefined);
      if (after?.kind === 'file' && parseManifestRead(after, file).ok) invalid.delete(file);
      else invalid.add(file);
    }
    const dir = join(input.revsDir, input.folderName);
    await rm(dir, { recursive: true, force: true });
    await rename(build, dir);
    const present = async (files: Set<string>) =>
      (await Promise.all([...files].map(async (f) => ((await exists(join(dir, rel, f))) ? f : undefined))))
        .filter((f): f is string => f !== undefined)
        .sort();
    return { dir, view: join(dir, rel), orphaned: await present(orphaned), invalid: await present(invalid), written: toWrite.length };
  } catch (err) {
    await rm(build, { recursive: true, force: true });
    throw err;
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Drops the temporary files of status writes that were in flight in the folder copied. */
async function removeStaleTemporaries(view: string): Promise<void> {
  await run('find', [view, '-name', '.*.tmp', '-type', 'f', '-delete']).catch(() => undefined);
}
