import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, rmdir, symlink, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fsyncDir } from '../fs/write-file-atomic.js';
import { JobsPathNotManagedError } from './errors.js';

/** What is at the --jobs path before a git-synced controller takes it over. */
export type JobsPathState = { kind: 'missing' } | { kind: 'empty-folder' } | { kind: 'managed-link'; target: string };

/**
 * Checks that sparkctl may manage the --jobs path as a link: missing, an empty folder, or a link
 * it made earlier (pointing under `revsDir`). Throws JobsPathNotManagedError otherwise.
 */
export async function inspectJobsPath(jobsDir: string, revsDir: string): Promise<JobsPathState> {
  let info;
  try {
    info = await lstat(jobsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  const refuse = (what: string) =>
    new JobsPathNotManagedError(
      `--jobs ${jobsDir} ${what}; with --git, sparkctl manages that path itself as a link to the synced folder. ` +
        'Give --jobs a path that does not exist yet (or an empty folder), or move the existing one away.',
    );
  if (info.isSymbolicLink()) {
    const raw = await readlink(jobsDir);
    const target = isAbsolute(raw) ? raw : resolve(dirname(jobsDir), raw);
    if (target === revsDir || target.startsWith(revsDir + sep)) return { kind: 'managed-link', target };
    throw refuse(`is a link to ${target}, which sparkctl did not make`);
  }
  if (info.isDirectory()) {
    if ((await readdir(jobsDir)).length === 0) return { kind: 'empty-folder' };
    throw refuse('is a folder with files in it');
  }
  throw refuse('is a file');
}

/** Makes the --jobs path ready for its first link: removes an empty folder that stands there. */
export async function clearJobsPath(jobsDir: string, state: JobsPathState): Promise<void> {
  if (state.kind === 'empty-folder') await rmdir(jobsDir);
}

/** Points the --jobs link at `target` atomically: a new link beside it, renamed over the old one. */
export async function flipJobsLink(jobsDir: string, target: string): Promise<void> {
  await mkdir(dirname(jobsDir), { recursive: true });
  const tmp = join(dirname(jobsDir), `.${randomBytes(6).toString('hex')}.tmp-link`);
  await symlink(target, tmp);
  try {
    await rename(tmp, jobsDir);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(jobsDir)).catch(() => undefined);
}
