import { readFile, rm, stat } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { journalPaths } from '../../src/state/journal-paths.js';
import { logTimesPath } from '../../src/state/log-times.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) /;

describe('sparkctl logs --timestamps, --since and --since-time', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('stamps each line with its arrival time, selects lines by time, and leaves plain logs byte-identical', async () => {
    ws = await createWorkspace();
    await ws.write('slow.yaml', fakeJob('slow', '  sparkConf: {spark.fake.sleepSeconds: "5"}\n'));
    await ws.startController();
    expect((await ws.run(['wait', 'slow', '--for', 'condition=Succeeded', '--timeout', '45s'])).code).toBe(0);
    const logPath = journalPaths.log(ws.stateDir, 'slow', 1);
    const file = await readFile(logPath, 'utf8');
    const plain = await ws.run(['logs', 'slow']);
    expect(plain.stdout).toBe(file);
    const lines = file.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);

    const stamped = await ws.run(['logs', 'slow', '--timestamps']);
    expect(stamped.code).toBe(0);
    const out = stamped.stdout.split('\n').filter(Boolean);
    expect(out.map((l) => l.replace(STAMP, ''))).toEqual(lines);
    const times = out.map((l) => Date.parse(STAMP.exec(l)![1]!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The driver slept between its first and last line: the times show it (not one time for all).
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(1000);

    const all = await ws.run(['logs', 'slow', '--since', '1h']);
    expect(all.stdout).toBe(file);
    expect((await ws.run(['logs', 'slow', '--since-time', '2999-01-01T00:00:00Z'])).stdout).toBe('');
    const last = times[times.length - 1]!;
    const fromLast = await ws.run(['logs', 'slow', '--since-time', new Date(last).toISOString()]);
    const expected = lines.filter((_, i) => times[i]! >= last);
    expect(fromLast.stdout.split('\n').filter(Boolean)).toEqual(expected);
    expect(expected.length).toBeLessThan(lines.length);
    const tailSince = await ws.run(['logs', 'slow', '--since', '1h', '--tail', '1', '--timestamps']);
    expect(tailSince.stdout).toBe(`${out[out.length - 1]}\n`);

    expect((await ws.run(['logs', 'slow', '--since', '5m', '--since-time', '2025-01-01T00:00:00Z'])).code).toBe(2);
    const bad = await ws.run(['logs', 'slow', '--since-time', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since-time takes an RFC 3339 time such as 2025-05-01T10:00:00Z, got 'yesterday'");

    // A log written before arrival times were kept reads with its file's time on every line.
    await rm(logTimesPath(logPath));
    const mtime = (await stat(logPath)).mtime.toISOString().replace(/Z$/, '000000Z');
    const old = (await ws.run(['logs', 'slow', '--timestamps'])).stdout.split('\n').filter(Boolean);
    expect(old).toEqual(lines.map((l) => `${mtime} ${l}`));
    expect((await ws.run(['logs', 'slow'])).stdout).toBe(file);
  });
});
