import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalFormatError } from '../../src/state/errors.js';
import { journalPaths } from '../../src/state/journal-paths.js';
import { JOURNAL_VERSION } from '../../src/state/journal-schema.js';
import { Journal } from '../../src/state/journal.js';
import { readAllJobRecords, readJobEvents } from '../../src/state/read-journal.js';

const status = { phase: 'Running', conditions: [], submissionAttempts: 1, executionAttempts: 1 };
const record = (extra: Record<string, unknown> = {}) => ({
  name: 'a',
  file: 'a.yaml',
  snapshot: { status: 'active' },
  status,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('journal files are read through versioned schemas', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  async function withRecord(name: string, value: unknown): Promise<string> {
    dir ??= await mkdtemp(join(tmpdir(), 'sparkctl-journal-'));
    await mkdir(journalPaths.job(dir, name), { recursive: true });
    await writeFile(journalPaths.record(dir, name), JSON.stringify(value));
    return dir;
  }

  it.each([
    ['a record written before versions', record(), true],
    ['a record of this version', record({ version: JOURNAL_VERSION }), true],
    ['a record of an unknown version', record({ version: JOURNAL_VERSION + 1 }), 'JournalVersionUnknown'],
    ['a record whose status is not a status', record({ status: { phase: 'Sideways' } }), 'JournalUnreadable'],
    ['a record without a file', record({ file: undefined }), 'JournalUnreadable'],
  ])('%s', async (_what, value, want) => {
    const stateDir = await withRecord('a', value);
    const errors: unknown[] = [];
    const records = await readAllJobRecords(stateDir, (_name, err) => errors.push(err));
    if (want === true) {
      expect(records.map((r) => r.name)).toEqual(['a']);
      expect(errors).toEqual([]);
    } else {
      expect(records).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(JournalFormatError);
      expect(errors[0]).toMatchObject({ reason: want });
      expect((errors[0] as Error).message).toContain(journalPaths.record(stateDir, 'a'));
    }
  });

  it('the writer stamps the version; events that are not events are skipped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-journal-'));
    const journal = new Journal(dir);
    await journal.init();
    await journal.saveRecord(record() as never);
    expect(JSON.parse(await readFile(journalPaths.record(dir, 'a'), 'utf8'))).toMatchObject({ version: JOURNAL_VERSION, name: 'a' });
    await journal.appendEvent('a', { time: 't', type: 'Normal', reason: 'Added', message: 'm' });
    await writeFile(
      journalPaths.events(dir, 'a'),
      `${await readFile(journalPaths.events(dir, 'a'), 'utf8')}{"time":"t","type":"Loud"}\n{"tim`,
    );
    expect((await readJobEvents(dir, 'a')).map((e) => e.reason)).toEqual(['Added']);
  });
});
