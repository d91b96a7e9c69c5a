import { lstat, open, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { DNS1123_LABEL } from '../api/spark-job.js';
import { journalPaths } from '../state/journal-paths.js';

/** One collected output file of one attempt. */
export interface OutputFile {
  readonly attempt: number;
  readonly file: string;
  readonly bytes: number;
}

const ATTEMPT_DIR = /^attempt-(\d+)$/;
/** A job or output name as the schema allows it (the collector names each file after its output): no separators, dots or temp files. */
export const isPlainName = (name: string): boolean => name.length <= 63 && DNS1123_LABEL.test(name);

/** Regular files collected per attempt under `<stateDir>/jobs/NAME/outputs/attempt-N/`, oldest attempt first. */
export async function listOutputs(stateDir: string, name: string): Promise<OutputFile[]> {
  const root = join(journalPaths.job(stateDir, name), 'outputs');
  const dirs = await readdir(root).catch(() => [] as string[]);
  const out: OutputFile[] = [];
  for (const d of dirs) {
    const m = ATTEMPT_DIR.exec(d);
    if (!m) continue;
    const attempt = Number(m[1]);
    for (const f of (await readdir(join(root, d)).catch(() => [] as string[])).sort()) {
      if (!isPlainName(f)) continue;
      const info = await lstat(join(root, d, f)).catch(() => undefined);
      if (info?.isFile()) out.push({ attempt, file: f, bytes: info.size });
    }
  }
  return out.sort((a, b) => a.attempt - b.attempt || a.file.localeCompare(b.file));
}

/**
 * The real path of one collected output, or undefined: the name must be a plain file name, the
 * file a regular file (not a link) whose real path lies inside the job's outputs folder.
 */
export async function resolveOutput(stateDir: string, name: string, attempt: string, file: string): Promise<string | undefined> {
  if (!/^[1-9]\d{0,5}$/.test(attempt) || !isPlainName(file) || !isPlainName(name)) return undefined;
  const dir = journalPaths.outputs(stateDir, name, Number(attempt));
  try {
    const [realDir, info] = await Promise.all([realpath(dir), lstat(join(dir, file))]);
    if (!info.isFile()) return undefined;
    const real = await realpath(join(dir, file));
    return real.startsWith(realDir + sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The last `maxBytes` of a file (from a line start when cut) and the file's size; empty when it does not exist. */
export async function readTail(path: string, maxBytes: number): Promise<{ text: string; size: number; cut: boolean }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return { text: '', size: 0, cut: false };
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, size: start + bytesRead, cut: start > 0 };
  } finally {
    await handle.close();
  }
}
