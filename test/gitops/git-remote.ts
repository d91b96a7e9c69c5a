import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IDENTITY = [
  '-c',
  'user.name=Test Author',
  '-c',
  'user.email=author@example.test',
  '-c',
  'init.defaultBranch=main',
  '-c',
  'commit.gpgsign=false',
];

/** A local bare repository as the remote, and a working clone to commit to it from. */
export interface TestRemote {
  readonly root: string;
  /** The bare repository's path (usable as a --git URL). */
  readonly bare: string;
  /** `file://` URL of the bare repository. */
  readonly url: string;
  /** Writes (string) or deletes (null) files, commits them on the current branch, pushes, and returns the commit id. */
  commit(files: Record<string, string | null>, message?: string, options?: { force?: boolean; branch?: string }): Promise<string>;
  /** Resets the working branch to a commit (to set up a force-push). */
  resetTo(sha: string): Promise<void>;
  /** Creates a tag at HEAD and pushes it. */
  tag(name: string): Promise<void>;
  /** Runs git in the working clone. */
  git(...args: string[]): Promise<string>;
  /** Runs git on the bare repository. */
  gitBare(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Creates an empty bare remote and a working clone on branch main. */
export async function createTestRemote(): Promise<TestRemote> {
  const root = await mkdtemp(join(tmpdir(), 'sparkctl-git-'));
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  await run('git', [...IDENTITY, 'init', '--quiet', '--bare', bare]);
  await run('git', [...IDENTITY, 'init', '--quiet', work]);
  const git = async (...args: string[]) =>
    (await run('git', ['-C', work, ...IDENTITY, ...args], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } })).stdout;
  await git('remote', 'add', 'origin', bare);
  await git('checkout', '--quiet', '-b', 'main');
  return {
    root,
    bare,
    url: `file://${bare}`,
    git,
    gitBare: async (...args) => (await run('git', ['--git-dir', bare, ...args])).stdout,
    async commit(files, message = 'Change jobs', options = {}) {
      for (const [file, text] of Object.entries(files)) {
        const path = join(work, file);
        if (text === null) await git('rm', '--quiet', '--', file);
        else {
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, text);
          await git('add', '--', file);
        }
      }
      await git('commit', '--quiet', '--allow-empty', '-m', message);
      await git('push', '--quiet', ...(options.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${options.branch ?? 'main'}`);
      return (await git('rev-parse', 'HEAD')).trim();
    },
    async resetTo(sha) {
      await git('reset', '--quiet', '--hard', sha);
    },
    async tag(name) {
      await git('tag', '--force', name);
      await git('push', '--quiet', '--force', 'origin', `refs/tags/${name}`);
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}
