import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Document } from 'yaml';
import { applyStatus } from '../manifest/apply-status.js';
import { listManifests } from '../manifest/find-manifest-files.js';
import { MAX_ALIAS_COUNT, parseManifestRead } from '../manifest/parse-manifest.js';
import { parseDocumentBounded } from '../manifest/parse-yaml-bounded.js';
import { readManifestFile } from '../manifest/read-manifest-file.js';
import { decodeManifest } from '../manifest/read-limits.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
import { GitCommandError } from './errors.js';
import type { LocalClone } from './local-clone.js';

/** An annotation that keeps a manifest removed from git even under --prune (as Argo CD's `Prune=false`). */
export const PRUNE_ANNOTATION = 'sparkctl.io/prune';

/** What to build: one commit's folder, beside the folder the controller sees now. */
export interface MaterialiseInput {
  readonly clone: LocalClone;
  readonly sha: string;
  readonly gitPath: string;
  readonly revsDir: string;
  /** The folder the jobs link points at now, if any: statuses and orphans come from it. */
  readonly previousView?: string;
  /** Name of the revision folder to create under revsDir (must not be the one in use). */
  readonly folderName: string;
  readonly prune: boolean;
}

/** A revision folder ready to be linked: `view` is what the jobs link should point at. */
export interface MaterialisedRevision {
  readonly dir: string;
  readonly view: string;
  readonly orphaned: string[];
  readonly invalid: string[];
  /** How many files were written from git (all of them, or only the changed ones). */
  readonly written: number;
}

/** A manifest's bytes and text, read with the controller's rules (regular file inside `root`, size cap); undefined otherwise. */
async function loadText(root: string, file: string): Promise<{ bytes: Buffer; text: string } | undefined> {
  const read = await readManifestFile(root, file).catch(() => undefined);
  if (read?.kind !== 'file' || read.truncated) return undefined;
  const decoded = decodeManifest(file, read.bytes);
  return 'issue' in decoded ? undefined : { bytes: read.bytes, text: decoded.text };
}

/**
 * The parsed document of a manifest, only when it is within the read limits (checked before parsing); the one place materialisation parses
 * a manifest.
 */
export const loadDoc = async (root: string, file: string): Promise<Document | undefined> => {
  const loaded = await loadText(root, file);
  return loaded === undefined ? undefined : parseDocumentBounded(loaded.text);
};

/** A manifest's metadata.name, best effort (the job's identity across moves). */
export function nameOf(doc: Document | undefined): string | undefined {
  try {
    const js = doc?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { metadata?: { name?: unknown } } | null | undefined;
    return typeof js?.metadata?.name === 'string' ? js.metadata.name : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a manifest removed from git is kept even under --prune (annotated `sparkctl.io/prune: "false"`). */
export function keepsOnPrune(doc: Document | undefined): boolean {
  try {
    const js = doc?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { metadata?: { annotations?: Record<string, unknown> } } | null | undefined;
    return String(js?.metadata?.annotations?.[PRUNE_ANNOTATION]) === 'false';
  } catch {
    return false;
  }
}

/** Writes into the revision folder being built, never through a link git checked out there. */
const writeNoFollow = (path: string, data: string | Uint8Array) =>
  writeFile(path, data, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });

/**
 * Builds the folder of one commit off to the side, ready for an atomic link flip: the files
 * from git, each carrying the status its previous version had (so a reader never sees a job
 * lose its status), plus the manifests removed from git that are kept (no --prune, or the
 * prune annotation), copied from the previous folder and reported as orphaned.
 */
export async function materialiseRevision(input: MaterialiseInput): Promise<MaterialisedRevision> {
  const build = join(input.revsDir, `.build-${randomBytes(6).toString('hex')}`);
  await mkdir(build, { recursive: true, mode: 0o755 });
  try {
    await input.clone.checkout(input.sha, input.gitPath, build);
    const rel = input.gitPath === '' || input.gitPath === '.' ? '' : input.gitPath;
    const view = join(build, rel);
    await mkdir(view, { recursive: true });
    const viewRoot = await realpath(view);
    const buildRoot = await realpath(build);
    if (viewRoot !== buildRoot && !viewRoot.startsWith(`${buildRoot}${sep}`)) {
      throw new GitCommandError(
        'PathNotFound',
        `--git-path ${input.gitPath} is a link out of the repository in commit ${input.sha}; it must be a folder`,
      );
    }
    const fromGit = await listManifests(viewRoot);
    const previousRoot = input.previousView ? await realpath(input.previousView).catch(() => undefined) : undefined;
    const previous = previousRoot ? await listManifests(previousRoot).catch(() => [] as string[]) : [];
    const inGit = new Set(fromGit);
    // A job's identity is its metadata.name: a manifest moved to another path (git mv) is the
    // same job, never an orphan beside a duplicate.
    const fileOfName = new Map<string, string>();
    for (const file of fromGit) {
      const name = nameOf(await loadDoc(viewRoot, file));
      if (name !== undefined && !fileOfName.has(name)) fileOfName.set(name, file);
    }
    // Previous copies are read and parsed only within the read limits: a huge or deep file keeps git's bytes.
    const carryStatus = async (prevDoc: Document | undefined, file: string) => {
      const status = prevDoc ? readStatusFromDoc(prevDoc) : undefined;
      if (!status) return;
      const target = await loadText(viewRoot, file);
      if (!target) return;
      try {
        await writeNoFollow(join(viewRoot, file), applyStatus(target.text, status, file));
      } catch {
        // A file whose layout cannot take a status keeps git's bytes; the controller reports it.
      }
    };
    const orphaned: string[] = [];
    for (const file of previous) {
      const prevDoc = await loadDoc(previousRoot!, file);
      if (inGit.has(file)) {
        await carryStatus(prevDoc, file);
        continue;
      }
      const movedTo = fileOfName.get(nameOf(prevDoc) ?? '');
      if (movedTo !== undefined) {
        if (!previous.includes(movedTo)) await carryStatus(prevDoc, movedTo);
      } else if (!input.prune || keepsOnPrune(prevDoc)) {
        // Only a regular file is carried over (an oversized one byte for byte, unread), never what a link points at.
        const kept = await readManifestFile(previousRoot!, file).catch(() => undefined);
        if (kept?.kind !== 'file') continue;
        await mkdir(dirname(join(viewRoot, file)), { recursive: true });
        if (kept.truncated) await copyFile(join(previousRoot!, file), join(viewRoot, file), constants.COPYFILE_EXCL);
        else await writeNoFollow(join(viewRoot, file), kept.bytes);
        orphaned.push(file);
      }
    }
    const invalid: string[] = [];
    for (const file of await listManifests(viewRoot)) {
      const read = await readManifestFile(viewRoot, file).catch(() => undefined);
      if (read?.kind !== 'file' || !parseManifestRead(read, file).ok) invalid.push(file);
    }
    const dir = join(input.revsDir, input.folderName);
    await rm(dir, { recursive: true, force: true });
    await rename(build, dir);
    return { dir, view: join(dir, rel), orphaned, invalid, written: fromGit.length };
  } catch (err) {
    await rm(build, { recursive: true, force: true });
    throw err;
  }
}
