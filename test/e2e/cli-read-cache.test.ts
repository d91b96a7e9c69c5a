import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NAMES_CACHE_FILE, READ_CACHE_FILE } from '../../src/cli/read-cache.js';
import { writeFileAtomic } from '../../src/fs/write-file-atomic.js';
import { Journal } from '../../src/state/journal.js';
import { journalPaths } from '../../src/state/journal-paths.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

/** Longer than the cache's settle time: files written before it are cached, files written after are not yet. */
const SETTLE_WAIT_MS = 2200;

type Cache = { sections: Record<string, Record<string, [string, unknown]>>; textsLength: number; root: string; fingerprint: string };
type Texts = Record<string, Record<string, string[]>>;

describe('get and completion read unchanged files from the read cache', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  // The cache file is two lines: the entries, then the texts they refer to by number.
  const cacheLines = async () => (await readFile(join(ws.stateDir, READ_CACHE_FILE), 'utf8')).split('\n');
  const readCache = async () => JSON.parse((await cacheLines())[0]!) as Cache;
  const readTexts = async () => JSON.parse((await cacheLines())[1]!) as Texts;
  const writeCache = async (cache: Cache, texts?: Texts) => {
    const line = texts ? JSON.stringify(texts) : (await cacheLines())[1]!;
    await writeFile(join(ws.stateDir, READ_CACHE_FILE), `${JSON.stringify({ ...cache, textsLength: Buffer.byteLength(line) })}\n${line}`);
  };

  it('serves unchanged manifests and records from the cache, re-reads changed ones, and prints the same as without it', async () => {
    ws = await createWorkspace();
    await mkdir(ws.stateDir);
    // Non-ASCII text: the cache measures its texts line in bytes.
    await ws.write('a.yaml', fakeJob('a', '', '  labels: {team: geo}\n  annotations: {note: café ☕}\n'));
    await ws.write(
      'b.yaml',
      fakeJob('b').replace('memoryOverhead: 16m}', 'memoryOverhead: 16m, env: [{name: TOKEN, value: hunter2, secret: true}]}'),
    );
    await ws.write('bad.yaml', 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata: {name: bad}\nspec: {image: 3}\n');
    await mkdir(journalPaths.job(ws.stateDir, 'b'), { recursive: true });
    const status = { phase: 'Failed', conditions: [], submissionAttempts: 1, executionAttempts: 1, message: 'first' };
    // The record's snapshot holds the attempt number and a spec with a secret of its own (an older spec's).
    const snapshot = {
      value: 'failed',
      context: { attempt: 3, spec: { driver: { env: [{ name: 'OLD', value: 's3cret', secret: true }] } } },
    };
    await writeFile(
      journalPaths.record(ws.stateDir, 'b'),
      JSON.stringify({
        name: 'b',
        file: 'b.yaml',
        snapshot,
        status: { ...status, message: 'first: s3cret hunter2' },
        updatedAt: '2025-01-01T00:00:00Z',
      }),
    );
    await delay(SETTLE_WAIT_MS);

    const uncached = await ws.run(['get', '-o', 'json']);
    expect(uncached.code).toBe(0);
    const cache = await readCache();
    expect(Object.keys(cache.sections.files!).sort()).toEqual(['a.yaml', 'b.yaml', 'bad.yaml']);
    expect(Object.keys(cache.sections.journal!)).toEqual(['b']);
    const cached = await ws.run(['get', '-o', 'json']);
    expect(cached.stdout).toBe(uncached.stdout);
    // Secrets stay masked and the attempt comes from the snapshot, from the cache as from the files.
    expect(cached.stdout).not.toMatch(/s3cret|hunter2/);
    expect(cached.stdout).toContain('"message": "first: ****** ******"');
    expect((await ws.run(['get', 'b'])).stdout).toMatch(/^b +Failed +3 +\S+ +first: \*{6} \*{6}$/m);
    expect(await readFile(join(ws.stateDir, READ_CACHE_FILE), 'utf8')).not.toContain('"attempt":3,');
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=geo$/m);

    // What the cache holds is what get shows while the file's key matches: the file is not parsed again.
    const edited = await readCache();
    // The manifest and the validated job are kept as JSON text on the second line, parsed only when read.
    const entry = edited.sections.files!['a.yaml']![1] as { manifest: number; job: number };
    const texts = await readTexts();
    const a = texts.files!['a.yaml']!;
    a[entry.manifest] = a[entry.manifest]!.replace('"team":"geo"', '"team":"from-cache"');
    a[entry.job] = a[entry.job]!.replace('"team":"geo"', '"team":"from-cache"');
    expect(a[entry.job]).toContain('"team":"from-cache"');
    await writeCache(edited, texts);
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=from-cache$/m);

    // The texts line is parsed only when a text is read. Damaged (at the same length), a plain get
    // still answers from the cache, and a verb that reads a manifest says what to do.
    const lines = await cacheLines();
    await writeFile(join(ws.stateDir, READ_CACHE_FILE), `${lines[0]}\n${'x'.repeat(Buffer.byteLength(lines[1]!))}`);
    expect((await ws.run(['get'])).stdout).toMatch(/^a +Pending/m);
    const damaged = await ws.run(['get', 'a', '-o', 'json']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(
      `the read cache ${join(ws.stateDir, READ_CACHE_FILE)} is damaged: delete it and run the command again`,
    );
    await writeCache(edited, texts);

    // Any write changes the key (even one that keeps size and modification time): the file is read again.
    const file = join(ws.jobsDir, 'a.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text);
    await utimes(file, new Date(), new Date(Date.now() - 60_000));
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=geo$/m);

    // A record the controller replaced (by rename, as the journal writes it) is read again.
    await writeFileAtomic(
      journalPaths.record(ws.stateDir, 'b'),
      JSON.stringify({ name: 'b', file: 'b.yaml', snapshot, status: { ...status, message: 'second' }, updatedAt: '2025-01-01T00:01:00Z' }),
    );
    expect((await ws.run(['get', 'b'])).stdout).toMatch(/^b +Failed +\S+ +\S+ +second$/m);

    // A cache written for another folder or by another version is ignored.
    await writeCache({ ...edited, root: '/elsewhere' }, texts);
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=geo$/m);
    await writeCache({ ...edited, fingerprint: 'an older sparkctl' }, texts);
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=geo$/m);
    // A file cut short (the texts line shorter than the entries say) is ignored.
    await writeCache(edited, texts);
    await writeFile(join(ws.stateDir, READ_CACHE_FILE), (await readFile(join(ws.stateDir, READ_CACHE_FILE), 'utf8')).slice(0, -10));
    expect((await ws.run(['get', '--show-labels'])).stdout).toMatch(/^a +Pending .*team=geo$/m);
    await writeFile(join(ws.stateDir, READ_CACHE_FILE), '{torn');
    expect((await ws.run(['get', '-o', 'json'])).stdout).toBe(
      uncached.stdout.replace('"message": "first: ****** ******"', '"message": "second"'),
    );
  });

  it('a get served from the cache loads neither the parser nor the YAML printer (module loading is most of its time)', async () => {
    ws = await createWorkspace();
    await mkdir(ws.stateDir);
    await ws.write('a.yaml', fakeJob('a', '', '  labels: {team: geo}\n'));
    await ws.write('b.yaml', fakeJob('b'));
    await mkdir(journalPaths.job(ws.stateDir, 'b'), { recursive: true });
    const status = { phase: 'Running', conditions: [], submissionAttempts: 1, executionAttempts: 1, message: 'running' };
    await writeFile(
      journalPaths.record(ws.stateDir, 'b'),
      JSON.stringify({ name: 'b', file: 'b.yaml', status, updatedAt: '2025-01-01T00:00:00Z' }),
    );
    // A module resolve hook logs every module the CLI loads.
    const log = join(ws.root, 'modules.log');
    await writeFile(
      join(ws.root, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`,
    );
    await writeFile(
      join(ws.root, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(ws.root, 'hooks.mjs')).href)});\n`,
    );
    const loaded = async (args: string[]) => {
      await writeFile(log, '');
      const env = { SPARKCTL_CACHE_SETTLE_MS: '0', NODE_OPTIONS: `--import ${pathToFileURL(join(ws.root, 'register.mjs')).href}` };
      const r = await ws.run(args, { env });
      expect(r.code).toBe(0);
      return { stdout: r.stdout, modules: (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
    };
    const heavy = (modules: readonly string[]) =>
      [
        ...new Set(
          modules.map((m) => /\/node_modules\/(zod|yaml|croner)\//.exec(m)?.[1] ?? /\/(parse-manifest|journal-schema)\.js$/.exec(m)?.[1]),
        ),
      ]
        .filter(Boolean)
        .sort();
    // The first run parses every file (parser, schemas, zod, yaml); the next ones are served from the cache.
    expect(heavy((await loaded(['get'])).modules)).toEqual(['croner', 'journal-schema', 'parse-manifest', 'yaml', 'zod']);
    for (const args of [['get'], ['get', 'b'], ['get', '-o', 'name'], ['get', '-o', 'json']]) {
      const cached = await loaded(args);
      expect(cached.stdout).toMatch(/b/);
      expect({ args, heavy: heavy(cached.modules) }).toEqual({ args, heavy: [] });
    }
    // -o yaml loads the YAML printer, and nothing else heavy.
    const yaml = await loaded(['get', 'b', '-o', 'yaml']);
    expect(yaml.stdout).toContain('phase: Running');
    expect(heavy(yaml.modules)).toEqual(['yaml']);
  });

  it("one key per journal folder: every way the controller's journal writes a record or events is seen", async () => {
    ws = await createWorkspace();
    await mkdir(ws.stateDir);
    await ws.write('j.yaml', fakeJob('j'));
    const journal = new Journal(ws.stateDir);
    await journal.init();
    const record = (message: string) => ({
      name: 'j',
      file: 'j.yaml',
      status: { phase: 'Running' as const, conditions: [], submissionAttempts: 1, executionAttempts: 1, message },
      updatedAt: '2025-01-01T00:00:00Z',
    });
    const event = (time: string) => ({ time, type: 'Normal' as const, reason: 'Added', message: 'added' });
    await journal.saveRecord(record('one'));
    await journal.appendEvent('j', event('2025-01-01T00:00:00.000Z'));
    const env = { SPARKCTL_CACHE_SETTLE_MS: '300' };
    const settled = () => delay(700);
    const message = async () => (await ws.run(['get', 'j', '-o', 'jsonpath={.status.message}'], { env })).stdout;
    const created = async () => /^Created:? +(\S+)/m.exec((await ws.run(['describe', 'j'], { env })).stdout)?.[1];
    // What the cache holds is shown while the folder's key matches (edited here to show it).
    const plant = async (time: string) => {
      await settled();
      expect(await message()).not.toBe('');
      const cache = await readCache();
      const kept = cache.sections.journal!['j']![1] as { r: { record: { status: { message: string } } }; c: string };
      kept.r.record.status.message = 'from-cache';
      kept.c = time;
      await writeCache(cache);
      expect(await message()).toBe('from-cache');
      expect(await created()).toBe(time);
    };
    await plant('1999-01-01T00:00:00.000Z');
    // Appending an event leaves the folder's key (and the first event) as they are.
    await journal.appendEvent('j', event('2025-01-01T00:05:00.000Z'));
    expect(await message()).toBe('from-cache');
    // A record replaced by the journal (temp file and rename), the same size as the one before: read again.
    await journal.saveRecord(record('two'));
    expect(await message()).toBe('two');
    expect(await created()).toBe('2025-01-01T00:00:00.000Z');
    // ... even when the folder's modification time is set back: the change time still differs.
    await plant('1999-01-01T00:00:00.000Z');
    const before = (await import('node:fs/promises')).stat(journalPaths.job(ws.stateDir, 'j'));
    await journal.saveRecord(record('six'));
    const { atime, mtime } = await before;
    await utimes(journalPaths.job(ws.stateDir, 'j'), atime, mtime);
    expect(await message()).toBe('six');
    // Forgotten history (events file removed), then a new first event: each read again.
    await plant('1999-01-01T00:00:00.000Z');
    await journal.forgetHistory('j');
    expect(await created()).not.toMatch(/^(1999|2025)/);
    await journal.appendEvent('j', event('2026-02-02T00:00:00.000Z'));
    expect(await created()).toBe('2026-02-02T00:00:00.000Z');
    // The job's journal moved aside (deleted): no record any more.
    await plant('1999-01-01T00:00:00.000Z');
    await journal.removeJob('j');
    expect(await message()).toBe('Waiting for the controller to pick the job up');
    // A folder changed within the settle time is read every time, not kept (a second change could keep its key).
    await journal.saveRecord(record('ten'));
    expect((await ws.run(['get', 'j'], { env: { SPARKCTL_CACHE_SETTLE_MS: '3000' } })).stdout).toMatch(/ten/);
    expect((await readCache()).sections.journal!['j']).toBeUndefined();
  });

  it('a file changed in the last moments is not cached (its key could still hide a second write)', async () => {
    ws = await createWorkspace();
    await mkdir(ws.stateDir);
    await ws.write('old.yaml', fakeJob('old'));
    // Wide margins on both sides, for a loaded machine: old.yaml is 6 s old, new.yaml younger than 3 s when read.
    await delay(6000);
    await ws.write('new.yaml', fakeJob('new'));
    const r = await ws.run(['get', '-o', 'name'], { env: { SPARKCTL_CACHE_SETTLE_MS: '3000' } });
    expect(r.stdout).toBe('sparkjob/new\nsparkjob/old\n');
    expect(Object.keys((await readCache()).sections.files!)).toEqual(['old.yaml']);
  });

  it('completion names come from the names cache while every manifest is unchanged, else from get', async () => {
    ws = await createWorkspace();
    await mkdir(ws.stateDir);
    await ws.write('one.yaml', fakeJob('spark-one'));
    await ws.write('sub/two.yaml', fakeJob('spark-two'));
    const complete = () => ws.run(['__complete-jobs']);
    // No cache yet: the names come from get -o name (and the cache is written, with what has settled).
    expect((await complete()).stdout).toBe('sparkjob/spark-one\nsparkjob/spark-two\n');
    await delay(SETTLE_WAIT_MS);
    expect((await ws.run(['get'])).code).toBe(0);
    expect((await complete()).stdout).toBe('spark-one\nspark-two\n');
    // The names cache answers on its own (edited here to show it).
    const namesPath = join(ws.stateDir, NAMES_CACHE_FILE);
    const names = JSON.parse(await readFile(namesPath, 'utf8')) as { files: Record<string, [string, string]> };
    names.files['one.yaml']![1] = 'named-by-cache';
    await writeFile(namesPath, JSON.stringify(names));
    expect((await complete()).stdout).toBe('named-by-cache\nspark-two\n');
    // A new manifest makes it stale: get answers, with the new name.
    await ws.write('three.yaml', fakeJob('spark-three'));
    expect((await complete()).stdout).toBe('sparkjob/spark-one\nsparkjob/spark-three\nsparkjob/spark-two\n');
    // The global flags reach it wherever they are typed.
    const elsewhere = await createWorkspace();
    try {
      const r = await elsewhere.run(['__complete-jobs', '--jobs', ws.jobsDir, `--state-dir=${ws.stateDir}`]);
      expect(
        r.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.replace(/^sparkjob\//, '')),
      ).toEqual(['spark-one', 'spark-three', 'spark-two']);
    } finally {
      await elsewhere.close();
    }
  });
});
