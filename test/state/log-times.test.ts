import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineStamper, rfc3339Nano } from '../../src/cli/log-times-view.js';
import { LogTimesWriter, logTimesPath, readLogTimes, timeAt } from '../../src/state/log-times.js';

describe('driver log arrival times', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records one mark per chunk and keeps the first time of bytes a re-attach streams again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'log-times-'));
    const log = join(dir, 'attempt-1.log');
    const first = await LogTimesWriter.open(log);
    await first.record('a\nb', 1000);
    await first.record('\n', 2000);
    const again = await LogTimesWriter.open(log);
    await again.record('a\nb\n', 5000);
    await again.record('é\n', 6000);
    expect(await readFile(logTimesPath(log), 'utf8')).toBe('3 1000\n4 2000\n7 6000\n');
    await writeFile(log, 'a\nb\né\nlate\n');
    const times = await readLogTimes(log);
    expect([0, 2, 3, 4, 7].map((o) => timeAt(times, o))).toEqual([1000, 1000, 2000, 6000, times.fallbackMs]);
  });

  it('stamps every line start, also across reads that split a line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'log-times-'));
    const log = join(dir, 'attempt-1.log');
    await writeFile(logTimesPath(log), '2 1000\n9 2000\n');
    const stamper = new LineStamper(log);
    await stamper.refresh();
    const text = Buffer.from('a\nbbb\nccc\n');
    const out = stamper.stamp(text.subarray(0, 4), 0) + stamper.stamp(text.subarray(4), 4);
    expect(out).toBe(`${rfc3339Nano(1000)} a\n${rfc3339Nano(2000)} bbb\n${rfc3339Nano(2000)} ccc\n`);
    expect(rfc3339Nano(Date.UTC(2025, 4, 1, 10, 0, 0, 123))).toBe('2025-05-01T10:00:00.123000000Z');
  });
});
