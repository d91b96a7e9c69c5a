import { lstat, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

/**
 * Why a manifest path must not be read, or undefined when it is a regular entry inside the jobs
 * folder. Links are refused (reading or writing status through one would touch a file outside
 * the folder), and so are paths whose folder resolves outside the jobs folder (a linked folder).
 * The jobs folder itself may be a link (a git-synced folder is one).
 */
export async function linkedManifestReason(jobsDir: string, rel: string): Promise<string | undefined> {
  const abs = join(jobsDir, rel);
  let st;
  try {
    st = await lstat(abs);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return `${rel} is a link; manifests must be regular files inside the jobs folder`;
  try {
    const [root, dir] = await Promise.all([realpath(jobsDir), realpath(dirname(abs))]);
    if (dir !== root && !dir.startsWith(root.endsWith(sep) ? root : root + sep)) return `${rel} resolves outside the jobs folder (through a linked folder)`;
  } catch {
    return undefined;
  }
  return undefined;
}
