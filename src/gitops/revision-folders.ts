import { access, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LocalClone } from './local-clone.js';
import { materialiseChanges } from './materialise-changes.js';
import { materialiseRevision, type MaterialisedRevision } from './materialise-revision.js';
import type { SyncStatus } from './sync-status.js';

/** What a sync builds the next revision folder from. */
export interface RevisionFolderInput {
  readonly clone: LocalClone;
  readonly sha: string;
  readonly gitPath: string;
  readonly prune: boolean;
  /** The `revs` folder under the state dir: one folder per applied revision. */
  readonly revsDir: string;
  /** The revision folder the jobs link points at now, if any. */
  readonly view?: string;
  /** The sync status of the revision in use. */
  readonly before?: SyncStatus;
  /** The path (normalised: '.' for the root) the syncer reads now. */
  readonly sourcePath: string;
  readonly log: Logger;
}

/** The folder (under revsDir) a revision folder path belongs to. */
export function revisionFolderOf(revsDir: string, view: string): string {
  return relative(revsDir, view).split(sep)[0]!;
}

/**
 * Builds the folder of `sha` beside the one in use (named `<sha>-b` when `<sha>` is the one in use):
 * from only what changed when the folder in use shows a revision of the same path and prune setting,
 * whole otherwise or when git cannot diff. Returns the folder's name and the name of the one in use.
 */
export async function buildRevisionFolder(
  input: RevisionFolderInput,
): Promise<{ rev: MaterialisedRevision; folderName: string; inUse: string | undefined }> {
  const { view, before, log } = input;
  const inUse = view ? revisionFolderOf(input.revsDir, view) : undefined;
  const folderName = inUse === input.sha ? `${input.sha}-b` : input.sha;
  const whole = {
    clone: input.clone,
    sha: input.sha,
    gitPath: input.gitPath,
    revsDir: input.revsDir,
    folderName,
    prune: input.prune,
    ...(view ? { previousView: view } : {}),
  };
  const previousSha = inUse?.replace(/-b$/, '');
  const incremental =
    view !== undefined &&
    previousSha !== undefined &&
    /^[0-9a-f]{40,64}$/.test(previousSha) &&
    before?.revision === previousSha &&
    before.path === input.sourcePath &&
    before.prune === input.prune &&
    !before.appliedFrom;
  const rev = incremental
    ? await materialiseChanges({
        ...whole,
        previousView: view,
        previousSha,
        previousOrphaned: before.orphaned,
        previousInvalid: before.invalid,
      }).catch((err: unknown) => {
        log.warn(
          { err: messageOf(err), from: previousSha.slice(0, 7) },
          'Could not build the revision from the changes alone; building it whole',
        );
        return materialiseRevision(whole);
      })
    : await materialiseRevision(whole);
  return { rev, folderName, inUse };
}

/** Removes every revision folder but those in `keep` (failures are logged: a leftover folder costs only disk). */
export async function dropOldRevisionFolders(revsDir: string, keep: ReadonlySet<string>, log: Logger): Promise<void> {
  for (const name of await readdir(revsDir).catch(() => [] as string[])) {
    if (keep.has(name)) continue;
    await rm(join(revsDir, name), { recursive: true, force: true }).catch((err: unknown) =>
      log.warn({ err: messageOf(err), folder: name }, 'Could not remove an old revision folder'),
    );
  }
}

/** The orphans still in the revision folder in use (one removed by hand is gone for good). */
export async function orphansStillThere(view: string | undefined, orphans: readonly string[]): Promise<string[]> {
  if (!view) return [...orphans];
  const out: string[] = [];
  for (const file of orphans) {
    const there = await access(join(view, file)).then(
      () => true,
      () => false,
    );
    if (there) out.push(file);
  }
  return out;
}
