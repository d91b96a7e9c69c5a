import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitCommandError } from './errors.js';
import { redactUrl } from './redact-url.js';
import { runGit, type GitContext } from './run-git.js';

const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;
const SHORT_SHA = /^[0-9a-f]{4,64}$/i;

/** Whether a ref names a commit directly (a full SHA-1 or SHA-256 object id). */
export const isFullSha = (ref: string): boolean => FULL_SHA.test(ref);

/**
 * A bare local clone of the remote under the state dir: fetched as a whole (branches and tags,
 * force-updates and deletions followed), so a branch, a tag or a commit all resolve locally.
 */
export class LocalClone {
  constructor(
    readonly dir: string,
    private readonly url: string,
    readonly context: GitContext,
  ) {}

  private git(args: readonly string[], failure: GitCommandError['reason'], env?: Record<string, string>): Promise<string> {
    return runGit(['--git-dir', this.dir, ...args], { failure, context: this.context, ...(env ? { env } : {}) });
  }

  /** Creates the bare repository when missing and points `origin` at the URL. */
  async ensure(): Promise<void> {
    const exists = await access(join(this.dir, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (!exists) await runGit(['init', '--bare', '--quiet', this.dir], { failure: 'CloneFailed', context: this.context });
    await this.git(['config', 'remote.origin.url', this.url], 'CloneFailed');
    await this.git(['config', 'gc.autoDetach', 'false'], 'CloneFailed');
  }

  /** Fetches every branch and tag, following force-pushes and deletions. */
  async fetch(firstTime: boolean): Promise<void> {
    await this.git(
      [
        'fetch',
        '--quiet',
        '--prune',
        '--force',
        '--no-recurse-submodules',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*',
        '+refs/tags/*:refs/tags/*',
      ],
      firstTime ? 'CloneFailed' : 'FetchFailed',
    );
  }

  /** The commit a ref names: a branch, then a tag, then a (short) commit id. */
  async resolve(ref: string): Promise<string> {
    const candidates: string[] = [];
    if (ref.startsWith('refs/heads/')) candidates.push(`refs/remotes/origin/${ref.slice('refs/heads/'.length)}`);
    else if (ref.startsWith('refs/')) candidates.push(ref);
    else candidates.push(`refs/remotes/origin/${ref}`, `refs/tags/${ref}`);
    if (SHORT_SHA.test(ref)) candidates.push(ref);
    for (const c of candidates) {
      const sha = await this.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${c}^{commit}`], 'RefNotFound').catch(() => '');
      if (sha.trim()) return sha.trim();
    }
    const branches = (
      await this.git(['for-each-ref', '--count=10', '--format=%(refname:lstrip=3)', 'refs/remotes/origin'], 'RefNotFound').catch(() => '')
    )
      .split('\n')
      .filter((b) => b && b !== 'HEAD');
    throw new GitCommandError(
      'RefNotFound',
      `--git-ref ${ref} names no branch, tag or commit of ${redactUrl(this.url)}` +
        (branches.length ? ` (branches: ${branches.join(', ')})` : ' (the repository has no branches)') +
        '; fix --git-ref',
    );
  }

  /** Throws PathNotFound unless `path` is a folder in that commit. */
  async checkPath(sha: string, path: string): Promise<void> {
    if (path === '' || path === '.') return;
    const kind = await this.git(['cat-file', '-t', `${sha}:${path}`], 'PathNotFound').catch(() => '');
    if (kind.trim() !== 'tree') {
      throw new GitCommandError(
        'PathNotFound',
        `--git-path ${path} is not a folder in commit ${sha.slice(0, 12)} of ${redactUrl(this.url)}; fix --git-path`,
      );
    }
  }

  /** Writes the files of `path` at commit `sha` under `dest` (symlinks become plain files; the clone's HEAD does not move). */
  async checkout(sha: string, path: string, dest: string): Promise<void> {
    await this.checkoutInto(sha, dest, ['--', path === '' ? '.' : path]);
  }

  /** `git checkout` of commit `sha` into `dest` through a throwaway index, so the clone's own index and HEAD stay as they are. */
  private async checkoutInto(sha: string, dest: string, pathArgs: readonly string[], env: Record<string, string> = {}): Promise<void> {
    const index = `${dest}.index`;
    try {
      await runGit(['--git-dir', this.dir, '--work-tree', dest, '-c', 'core.symlinks=false', 'checkout', '--quiet', sha, ...pathArgs], {
        failure: 'CheckoutFailed',
        context: this.context,
        env: { GIT_INDEX_FILE: index, ...env },
      });
    } finally {
      await rm(index, { force: true });
    }
  }

  /**
   * The files under `path` that differ between two commits (paths relative to `path`): 'D' deleted, 'W' to write (added, modified, type
   * changed).
   */
  async changedFiles(from: string, to: string, path: string): Promise<{ kind: 'D' | 'W'; file: string }[]> {
    const rel = path === '' || path === '.' ? '' : `${path}/`;
    const out = await this.git(
      ['diff', '--name-status', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', from, to, '--', rel || '.'],
      'CheckoutFailed',
      { GIT_LITERAL_PATHSPECS: '1' },
    );
    const parts = out.split('\0');
    const changes: { kind: 'D' | 'W'; file: string }[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const file = parts[i + 1]!;
      if (!file.startsWith(rel)) continue;
      changes.push({ kind: parts[i] === 'D' ? 'D' : 'W', file: file.slice(rel.length) });
    }
    return changes;
  }

  /** Writes only the listed repository paths of commit `sha` under `dest` (symlinks become plain files). */
  async checkoutPaths(sha: string, paths: readonly string[], dest: string): Promise<void> {
    if (paths.length === 0) return;
    const list = `${dest}.paths`;
    await writeFile(list, paths.join('\0'));
    try {
      await this.checkoutInto(sha, dest, [`--pathspec-from-file=${list}`, '--pathspec-file-nul'], { GIT_LITERAL_PATHSPECS: '1' });
    } finally {
      await rm(list, { force: true });
    }
  }

  /** Whether `older` is an ancestor of `newer` (false after a force-push rewrote history). */
  async isAncestor(older: string, newer: string): Promise<boolean> {
    return this.git(['merge-base', '--is-ancestor', older, newer], 'FetchFailed').then(
      () => true,
      () => false,
    );
  }
}
