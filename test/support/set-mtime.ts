import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';

/** A file's modification time in nanoseconds. */
export const mtimeNsOf = async (path: string): Promise<bigint> => (await stat(path, { bigint: true })).mtimeNs;

/**
 * Sets a file's modification time to the nanosecond (utimes through a Date or a number of seconds
 * loses the digits below a microsecond): as if an edit had landed in the same clock tick.
 */
export async function setMtimeNs(path: string, ns: bigint): Promise<void> {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  await promisify(execFile)('touch', ['-m', '-d', `@${sec}.${frac}`, path]);
  if ((await mtimeNsOf(path)) !== ns) throw new Error(`could not set the mtime of ${path} to ${ns} ns`);
}
