import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../src/controller/controller.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob, phaseIs, readFileStatus, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers, uniqueId } from '../support/docker.js';
import { recordContainerEvents } from './support/docker-events.js';

/** Every path under a folder (links not followed) with its kind, size, mtime and content hash. */
async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      const st = await lstat(abs);
      const rel = relative(dir, abs);
      if (e.isDirectory()) {
        out[rel] = `dir ${st.mtimeMs}`;
        await walk(abs);
      } else if (e.isSymbolicLink()) out[rel] = `link ${await readlink(abs)}`;
      else
        out[rel] = `file ${st.size} ${st.mtimeMs} ${createHash('sha256')
          .update(await readFile(abs))
          .digest('hex')}`;
    }
  };
  await walk(dir);
  return out;
}

/** A pino destination that keeps every JSON line. */
function captureLogs(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SEED = Number(process.env.SPARKCTL_FUZZ_SEED ?? Date.now() % 100_000);
const RANDOM_FILES = Number(process.env.SPARKCTL_FOLDER_FUZZ_FILES ?? 40);

describe('hostile jobs folder', () => {
  let root: string;
  let instance: string;
  beforeAll(async () => {
    await ensureTestImages();
    root = await mkdtemp(join(tmpdir(), 'sparkctl-hostile-'));
    instance = uniqueId('h');
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await rm(root, { recursive: true, force: true });
  });

  it('links out of the folder, duplicates, bad names, binary, huge and churning files: nothing crashes, each gets a clear error, good jobs run, nothing outside is written', async () => {
    const jobs = join(root, 'jobs');
    const state = join(root, 'state');
    const sentinel = join(root, 'sentinel');
    await mkdir(jobs);
    await mkdir(join(sentinel, 'more'), { recursive: true });
    await writeFile(join(sentinel, 'outside.yaml'), fakeJob('outside-job'));
    await writeFile(join(sentinel, 'more', 'inner.yaml'), fakeJob('inner-job'));
    await writeFile(join(sentinel, 'secret.txt'), 'do not touch\n');
    const before = await snapshotTree(sentinel);

    const put = (name: string, data: string | Uint8Array) => writeFile(join(jobs, name), data);
    await put('good.yaml', fakeJob('good'));
    await put('dup-a.yaml', fakeJob('dup'));
    await put('dup-b.yaml', fakeJob('dup'));
    await put('slash-name.yaml', fakeJob('a/b'));
    await put('traversal.yaml', fakeJob('../../x'));
    await put('host-network.yaml', fakeJob('hostnet', '  network: host\n'));
    await put('host-path.yaml', fakeJob('hostpath', `  volumes: [{hostPath: ${sentinel}, containerPath: /s}]\n`));
    await put('binary.yaml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    await put('huge.yaml', `${fakeJob('huge')}${'#'.repeat(2 * 1024 * 1024)}\n`);
    await put('list.yaml', '- a\n- b\n');
    await put('empty.yaml', '');
    await put('notes.txt', 'not a manifest\n');
    await put('weird name ü.yaml', fakeJob('weird'));
    await put('back\\slash.yaml', fakeJob('backslash'));
    await mkdir(join(jobs, 'dir.yaml'));
    await put('dir.yaml/nested.yaml', fakeJob('nested'));
    await symlink(join(sentinel, 'outside.yaml'), join(jobs, 'link-file.yaml'));
    await symlink(join(sentinel, 'more'), join(jobs, 'link-dir'));
    await symlink(join(sentinel, 'secret.txt'), join(jobs, 'link-secret.yaml'));
    await symlink(join(root, 'nowhere'), join(jobs, 'dangling.yaml'));

    // Random files: mutated manifests and raw bytes, under random names.
    const rnd = fc.sample(
      fc.record({
        name: fc.stringMatching(/^[a-z0-9][a-z0-9._ -]{0,20}$/),
        content: fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.tuple(fc.nat(400), fc.nat(20), fc.string({ maxLength: 30 })).map(([at, del, ins]) => {
            const base = fakeJob('fuzz-target');
            return base.slice(0, at) + ins + base.slice(at + del);
          }),
        ),
      }),
      { numRuns: RANDOM_FILES, seed: SEED },
    );
    const randomNames = new Set<string>();
    for (const f of rnd) {
      const name = `rnd-${f.name}.yaml`;
      if (randomNames.has(name)) continue;
      randomNames.add(name);
      await put(name, f.content);
    }

    const logs = captureLogs();
    const docker = createDockerBackend({ instance, stopTimeoutSeconds: 1 });
    const since = await recordContainerEvents(instance);
    const controller = new Controller({
      jobsDir: jobs,
      stateDir: state,
      logger: createLogger({ destination: logs.stream, level: 'debug' }),
      relistIntervalMs: 300,
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    await controller.start();
    try {
      // Files renamed, replaced and swapped for links while the controller reads them.
      const churnUntil = Date.now() + 3000;
      let churns = 0;
      while (Date.now() < churnUntil) {
        const flip = join(jobs, 'flip.yaml');
        const flop = join(jobs, 'flop.yaml');
        await writeFile(flip, fakeJob('flip'));
        await rename(flip, flop);
        await unlink(flop);
        await symlink(join(sentinel, 'outside.yaml'), flop);
        await writeFile(flip, 'spec: [unterminated');
        await unlink(flop);
        await writeFile(`${flip}.tmp`, fakeJob('flip'));
        await rename(`${flip}.tmp`, flip);
        churns += 1;
      }
      const at = (f: string) => join(jobs, f);
      for (const f of ['good.yaml', 'weird name ü.yaml', 'back\\slash.yaml', 'dir.yaml/nested.yaml', 'flip.yaml'])
        await waitForStatus(at(f), phaseIs('Succeeded'), 40_000);
      const dupA = await waitForStatus(at('dup-a.yaml'), phaseIs('Succeeded', 'Invalid'));
      const dupB = await waitForStatus(at('dup-b.yaml'), phaseIs('Succeeded', 'Invalid'));
      expect([dupA.phase, dupB.phase].sort()).toEqual(['Invalid', 'Succeeded']);
      expect((dupA.phase === 'Invalid' ? dupA : dupB).message).toMatch(
        /metadata.name: dup is already used by dup-[ab].yaml; names must be unique in the jobs folder/,
      );
      expect((await waitForStatus(at('slash-name.yaml'), phaseIs('Invalid'))).message).toMatch(/metadata.name/);
      expect((await waitForStatus(at('traversal.yaml'), phaseIs('Invalid'))).message).toMatch(/metadata.name/);
      expect((await waitForStatus(at('host-network.yaml'), phaseIs('Invalid'))).message).toMatch(/spec.network: .*--allow-host-network/);
      expect((await waitForStatus(at('host-path.yaml'), phaseIs('Invalid'))).message).toMatch(
        /spec.volumes\[0\].hostPath: .*--allow-host-path/,
      );
      await controller.relist();
      await controller.whenIdle();

      // Files that cannot carry a status get their error in the log, naming the file.
      const invalidLogs = logs.lines().filter((l) => l.msg === 'Manifest is invalid');
      for (const f of ['binary.yaml', 'huge.yaml', 'list.yaml', 'empty.yaml']) {
        const line = invalidLogs.find((l) => l.file === f);
        expect(line, f).toBeDefined();
        expect(String(line?.error)).toMatch(/NUL byte|limited to|mapping|no SparkJob/);
      }
      // Every random file either ran as a job or was reported invalid (in its status or the log).
      for (const name of randomNames) {
        const status = await readFileStatus(at(name));
        const logged = invalidLogs.some((l) => l.file === name);
        expect(status !== undefined || logged, name).toBe(true);
      }
      // Nothing the links point at was read as a job.
      const events = await since.stop();
      expect(events.has('outside-job')).toBe(false);
      expect(events.has('inner-job')).toBe(false);
      for (const job of ['good', 'weird', 'backslash', 'nested', 'dup']) expect(events.get(job)?.create, job).toBe(1);
      expect(logs.lines().filter((l) => (l.level as number) >= 50 && l.msg !== 'Reconcile failed; will retry')).toEqual([]);
      process.stdout.write(
        `hostile-folder: seed ${SEED}, ${20 + randomNames.size} hostile entries (${randomNames.size} random), ${churns} rename/replace/link churn cycles, ` +
          `${invalidLogs.length} invalid-manifest reports, jobs outside the folder run: 0\n`,
      );
    } finally {
      await controller.stop();
      await docker.close();
    }
    // No file outside the jobs folder and the state dir was written: the sentinel tree is byte-for-byte and mtime-for-mtime the same.
    expect(await snapshotTree(sentinel)).toEqual(before);
    expect((await readdir(root)).sort()).toEqual(['jobs', 'sentinel', 'state']);
  }, 120_000);
});
