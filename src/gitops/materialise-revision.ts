import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { listManifests } from '../controller/watch-folder.js';
import { applyStatus } from '../manifest/apply-status.js';
import { MAX_ALIAS_COUNT, parseManifestBytes, YAML_PARSE_OPTIONS } from '../manifest/parse-manifest.js';
import { readStatusFromDoc } from '../manifest/read-status.js';
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

/** Reads and parses one manifest of a revision folder (undefined when it does not parse); the one place materialisation reads a manifest. */
export const loadDoc = async (path: string) => {
  try {
    return parseDocument(await readFile(path, 'utf8'), YAML_PARSE_OPTIONS);
  } catch {
    return undefined;
  }
};

/** Whether a manifest removed from git is kept even under --prune (annotated `sparkctl.io/prune: "false"`). */
export function keepsOnPrune(doc: ReturnType<typeof parseDocument> | undefined): boolean {
  try {
    const js = doc?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { metadata?: { annotations?: Record<string, unknown> } } | null | undefined;
    return String(js?.metadata?.annotations?.[PRUNE_ANNOTATION]) === 'false';
  } catch {
    return false;
  }
}

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
    const fromGit = await listManifests(view);
    const previous = input.previousView ? await listManifests(input.previousView).catch(() => [] as string[]) : [];
    const inGit = new Set(fromGit);
    const orphaned: string[] = [];
    for (const file of previous) {
      const prevPath = join(input.previousView!, file);
      if (inGit.has(file)) {
        const status = await loadDoc(prevPath).then((d) => (d ? readStatusFromDoc(d) : undefined));
        if (!status) continue;
        const target = join(view, file);
        try {
          await writeFile(target, applyStatus(await readFile(target, 'utf8'), status, file));
        } catch {
          // A file whose layout cannot take a status keeps git's bytes; the controller reports it.
        }
      } else if (!input.prune || keepsOnPrune(await loadDoc(prevPath))) {
        await mkdir(dirname(join(view, file)), { recursive: true });
        await copyFile(prevPath, join(view, file));
        orphaned.push(file);
      }
    }
    const invalid: string[] = [];
    for (const file of await listManifests(view)) {
      if (!parseManifestBytes(await readFile(join(view, file)), file).ok) invalid.push(file);
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
