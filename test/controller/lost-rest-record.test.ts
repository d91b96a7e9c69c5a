import { mkdir, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../src/controller/controller.js';
import { createLogger } from '../../src/logger.js';
import { journalPaths } from '../../src/state/journal-paths.js';
import { readJobEvents, readJobRecord } from '../../src/state/read-journal.js';
import { ensureBuilt, runCli } from '../e2e/support/cli.js';
import { fakeJob, idleBackend, readFileStatus } from '../support/controller-harness.js';

const backend = idleBackend('a job that never started');

/** How a crash may leave the record of a job that never started (written without fsync). */
const damage = {
  lost: (path: string) => unlink(path),
  empty: (path: string) => truncate(path, 0),
  torn: async (path: string) => writeFile(path, (await readFile(path, 'utf8')).slice(0, 40)),
};

describe('the record of a job that never started may be lost in a crash', () => {
  let root: string | undefined;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  it.each(Object.keys(damage) as Array<keyof typeof damage>)(
    'a restart after finding it %s ends in the same state, says so, and get shows the job as before',
    async (how) => {
      root = await mkdtemp(join(tmpdir(), 'sparkctl-lost-'));
      const jobsDir = join(root, 'jobs');
      const stateDir = join(root, 'state');
      await mkdir(jobsDir);
      await writeFile(join(jobsDir, 'rest.yaml'), fakeJob('rest', '  suspend: true\n'));
      const lines: Array<Record<string, unknown>> = [];
      const controller = () =>
        new Controller({
          jobsDir,
          stateDir,
          logger: createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }),
          relistIntervalMs: 60_000,
          backends: { docker: backend, mesos: () => backend },
        });
      const first = controller();
      await first.start();
      await first.whenIdle();
      await first.stop();
      const before = await readJobRecord(stateDir, 'rest');
      expect(before?.status.phase).toBe('Suspended');
      const fileBefore = await readFileStatus(join(jobsDir, 'rest.yaml'));
      const getArgs = ['--jobs', jobsDir, '--state-dir', stateDir, 'get', '-o', 'json'];
      const getBefore = await runCli(getArgs);
      expect(getBefore.code).toBe(0);

      await damage[how](journalPaths.record(stateDir, 'rest'));
      const second = controller();
      await second.start();
      await second.whenIdle();
      await second.stop();

      const said = lines.map((l) => String(l.msg));
      expect(said).toContain(
        how === 'lost'
          ? 'A job folder of the journal has no record (lost in a crash?); its manifest brings the job back'
          : 'Skipped an unreadable journal record',
      );
      const after = await readJobRecord(stateDir, 'rest');
      expect(after?.status.phase).toBe('Suspended');
      expect(after?.snapshot).toEqual(before?.snapshot);
      expect(await readFileStatus(join(jobsDir, 'rest.yaml'))).toEqual(fileBefore);
      const getAfter = await runCli(getArgs);
      expect(getAfter.code).toBe(0);
      const view = (out: string) => JSON.parse(out) as { items: Array<{ metadata: { name: string }; status: { phase: string } }> };
      expect(view(getAfter.stdout).items.map((j) => [j.metadata.name, j.status.phase])).toEqual([['rest', 'Suspended']]);
      expect(view(getAfter.stdout).items).toEqual(view(getBefore.stdout).items);
      expect((await readJobEvents(stateDir, 'rest')).map((e) => e.reason)).toContain('Suspended');
    },
  );
});
