import { readFile, readdir } from 'node:fs/promises';
import { journalPaths, type JobEventRecord, type JobRecord } from './journal-paths.js';

// The journal's zod schemas load on the first record or event read: a CLI run served from its read
// cache reads none and never loads zod.
const schemas = () => import('./journal-schema.js');

/** Reads one job's record; undefined when there is none. */
export async function readJobRecord(stateDir: string, name: string): Promise<JobRecord | undefined> {
  try {
    const path = journalPaths.record(stateDir, name);
    const text = await readFile(path, 'utf8');
    return (await schemas()).parseJobRecord(text, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads every job record in a state dir (skipping unreadable ones, which are reported; so are job folders without a record). */
export async function readAllJobRecords(
  stateDir: string,
  onError?: (name: string, err: unknown) => void,
  onMissing?: (name: string) => void,
): Promise<JobRecord[]> {
  let names: string[];
  try {
    names = await readdir(journalPaths.jobs(stateDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: JobRecord[] = [];
  for (const name of names.sort()) {
    try {
      const rec = await readJobRecord(stateDir, name);
      if (rec) out.push(rec);
      else onMissing?.(name);
    } catch (err) {
      onError?.(name, err);
    }
  }
  return out;
}

/** Reads a job's events, oldest first. */
export async function readJobEvents(stateDir: string, name: string): Promise<JobEventRecord[]> {
  let text: string;
  try {
    text = await readFile(journalPaths.events(stateDir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const { parseJobEvent } = await schemas();
  const out: JobEventRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    // A torn last line after a crash (or a malformed one) is skipped.
    const event = parseJobEvent(line);
    if (event) out.push(event);
  }
  return out;
}
