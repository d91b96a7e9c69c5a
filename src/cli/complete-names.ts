import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { listManifestsSync } from '../manifest/find-manifest-files.js';
import { resolveJobsDir, resolveStateDir } from '../state/state-dir.js';
import { escapeText } from '../escape-text.js';
import { fileKey, NAMES_CACHE_FILE, NAMES_FORMAT, type StoredNames } from './file-key.js';

/** The hidden verb shell completion runs for job names (bin/sparkctl.js routes it here before loading the CLI). */
export const COMPLETE_NAMES_VERB = '__complete-jobs';

/** The global flags' values on a command line (`--jobs X`, `--jobs=X`, `--state-dir …`). */
function globalFlags(args: readonly string[]): { jobs?: string; stateDir?: string } {
  const out: { jobs?: string; stateDir?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(jobs|state-dir)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    const value = m[2] ?? args[++i];
    if (m[1] === 'jobs') out.jobs = value;
    else out.stateDir = value;
  }
  return out;
}

/**
 * Job names for completion from the names the read verbs cached (cli/read-cache.ts), when every
 * manifest in the folder is the file they were read from: a folder listing and an lstat per file,
 * no parsing and none of the CLI's modules. Undefined when the cache is missing or not current:
 * the caller then runs `get -o name`, which parses what changed and refreshes the cache.
 */
export async function cachedJobNames(args: readonly string[]): Promise<string[] | undefined> {
  try {
    const flags = globalFlags(args);
    const jobsDir = resolveJobsDir(flags.jobs);
    const stateDir = resolveStateDir(jobsDir, flags.stateDir);
    const stored = JSON.parse(readFileSync(join(stateDir, NAMES_CACHE_FILE), 'utf8')) as StoredNames;
    const root = realpathSync(jobsDir);
    if (stored.format !== NAMES_FORMAT || stored.root !== root) return undefined;
    const files = listManifestsSync(root);
    const names = new Set<string>();
    for (const file of files) {
      const kept = stored.files[file];
      if (!kept || fileKey(`${root}/${file}`)?.key !== kept[0]) return undefined;
      names.add(kept[1]);
    }
    return [...names].sort();
  } catch {
    return undefined;
  }
}

/** Prints the job names for completion, one per line (escaped like every name shown); falls back to `get -o name`. */
export async function completeNames(args: readonly string[]): Promise<number> {
  const names = await cachedJobNames(args);
  if (names) {
    process.stdout.write(names.map((n) => `${escapeText(n)}\n`).join(''));
    return 0;
  }
  const { main } = await import('./main.js');
  const globals = args.filter((a) => a !== COMPLETE_NAMES_VERB);
  return main([process.argv[0]!, process.argv[1]!, ...globals, 'get', '-o', 'name']);
}
