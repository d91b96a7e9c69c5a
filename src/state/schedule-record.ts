import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { z } from 'zod';
import { ScheduledSparkJobStatusSchema, type ScheduledSparkJobStatus } from '../api/scheduled-spark-job.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { JournalFormatError } from './errors.js';
import { journalPaths } from './journal-paths.js';
import { JOURNAL_VERSION } from './journal-schema.js';

/** What the journal keeps per schedule (`schedules/NAME.json`): when it was first seen, and its last projected status. */
export interface ScheduleRecord {
  readonly name: string;
  /** The schedule's manifest, relative to the jobs folder. */
  readonly file: string;
  /** When the controller first saw the schedule (ISO): nothing before it is ever due. */
  readonly createdAt: string;
  readonly status: ScheduledSparkJobStatus;
  readonly updatedAt: string;
}

const ScheduleRecordSchema = z.object({
  version: z.literal(JOURNAL_VERSION).optional(),
  name: z.string().min(1),
  file: z.string().min(1),
  createdAt: z.string(),
  status: ScheduledSparkJobStatusSchema,
  updatedAt: z.string(),
});

/** Reads one schedule's record; undefined when there is none; JournalFormatError when it is not one. */
export async function readScheduleRecord(stateDir: string, name: string): Promise<ScheduleRecord | undefined> {
  const path = journalPaths.schedule(stateDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JournalFormatError(`${path} is not JSON: the schedule starts afresh`, 'JournalUnreadable', { cause: err });
  }
  const parsed = ScheduleRecordSchema.safeParse(value);
  if (!parsed.success) throw new JournalFormatError(`${path} is not a schedule record: the schedule starts afresh`, 'JournalUnreadable');
  const { version: _version, ...record } = parsed.data;
  return record;
}

/** Reads every schedule record of a state dir; unreadable ones are passed to `onError` and skipped. */
export async function readAllScheduleRecords(stateDir: string, onError?: (name: string, err: unknown) => void): Promise<ScheduleRecord[]> {
  let names: string[];
  try {
    names = await readdir(journalPaths.schedules(stateDir));
  } catch (err) {
    // No folder yet is no schedules; any other error must not read as "none were recorded".
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: ScheduleRecord[] = [];
  for (const file of names.sort()) {
    if (!file.endsWith('.json')) continue;
    const name = file.slice(0, -'.json'.length);
    try {
      const rec = await readScheduleRecord(stateDir, name);
      if (rec) out.push(rec);
    } catch (err) {
      onError?.(name, err);
    }
  }
  return out;
}

/** Saves a schedule's record atomically and durably (a restart plans from it). */
export async function writeScheduleRecord(stateDir: string, record: ScheduleRecord): Promise<void> {
  await mkdir(journalPaths.schedules(stateDir), { recursive: true, mode: 0o700 });
  await writeFileAtomic(journalPaths.schedule(stateDir, record.name), JSON.stringify({ version: JOURNAL_VERSION, ...record }), {
    mode: 0o600,
  });
}

/** Forgets a deleted schedule's record. */
export async function removeScheduleRecord(stateDir: string, name: string): Promise<void> {
  await rm(journalPaths.schedule(stateDir, name), { force: true });
}
