import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/read-limits.js';
import { MAX_YAML_ITEMS } from '../../src/manifest/scan-yaml-limits.js';
import { BIN, createWorkspace, ensureBuilt, ROOT, type Workspace } from '../e2e/support/cli.js';
import { fakeJob } from '../support/controller-harness.js';

/** A heap far below what the old parser needed for a 900 KB nested file (1.7 GB in the controller, 0.5 GB in validate). */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=128' };
const CHILD = join(ROOT, 'test', 'reliability', 'support', 'parse-memory-child.ts');
const DEPTH_MESSAGE = /nesting deeper than 64 levels is not allowed/;

/** Runs `node bin/sparkctl.js ARGS`, killed (by pid) if it outlives `timeoutMs`. */
function runBounded(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: number },
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`sparkctl ${args.join(' ')} still running after ${options.timeoutMs ?? 15_000} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Parses `file` in a child process with a small heap; resolves with what the child measured. */
function parseInChild(file: string): Promise<{ ok: boolean; errors: string[]; errorCount: number; aboveIdleMiB: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--max-old-space-size=128', CHILD, file],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`parse child failed on ${file}: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { ok: boolean; errors: string[]; errorCount: number; aboveIdleMiB: number });
      },
    );
  });
}

const under = (text: string): string => {
  expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_MANIFEST_BYTES);
  return text;
};

/** Files up to the size cap that cost the old parser hundreds of MB to GBs, and files just inside every limit. */
const HOSTILE: Array<[string, string, RegExp | undefined]> = [
  ['900 KB of nested [', '['.repeat(900_000), DEPTH_MESSAGE],
  ['nested flow mappings under a valid header', fakeJob('deep', `  sparkConf: ${'{a: '.repeat(200_000)}\n`), DEPTH_MESSAGE],
  ['nested block mappings by indentation', Array.from({ length: 80 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), DEPTH_MESSAGE],
  ['1 MiB flow list of numbers', `[${'0,'.repeat(MAX_MANIFEST_BYTES / 2 - 2)}0]`, /more than 10000 YAML items/],
  ['1 MiB of stray ] (one parse error each)', ']'.repeat(MAX_MANIFEST_BYTES), /more than 10000 YAML items/],
  ['1 MiB of commas in a flow list', `[${','.repeat(MAX_MANIFEST_BYTES - 2)}]`, /more than 10000 YAML items/],
  ['1 MiB of document markers', '---\n'.repeat(MAX_MANIFEST_BYTES / 4), /more than 10000 YAML items/],
  ['1 MiB of comment lines', `${fakeJob('comments')}${'#\n'.repeat(MAX_MANIFEST_BYTES / 2 - 300)}`, /more than 60000 YAML tokens/],
  ['a 500,000-line plain scalar', 'a\n'.repeat(MAX_MANIFEST_BYTES / 2 - 1), /more than 60000 YAML tokens/],
  ['tab-indented lines (one parse error each)', `a:\n${'\tb: 1\n'.repeat(MAX_MANIFEST_BYTES / 6 - 1)}`, /more than 10000 YAML items/],
  // Just inside the limits: parsed in full, and still bounded.
  ['stray ] just under the item limit', ']'.repeat(MAX_YAML_ITEMS - 10), /Unexpected flow-seq-end/],
  [
    'document markers just under the item limit',
    '---\nkind: SparkJob\n'.repeat(Math.floor(MAX_YAML_ITEMS / 4) - 10),
    /a manifest holds exactly one SparkJob/,
  ],
  [
    'a valid job with 3,200 sparkConf keys',
    fakeJob('wide', `  sparkConf:\n${Array.from({ length: 3_200 }, (_, i) => `    spark.k${i}: v${i}`).join('\n')}\n`),
    undefined,
  ],
  [
    'a 1 MiB double-quoted value',
    fakeJob('long', `  sparkConf: {spark.long: "${'x'.repeat(MAX_MANIFEST_BYTES - 600)}"}\n`),
    /more than 60000 YAML tokens/,
  ],
  [
    'a valid job with a 200 KiB double-quoted value',
    fakeJob('long', `  sparkConf: {spark.long: "${'x'.repeat(200 * 1024)}"}\n`),
    undefined,
  ],
  [
    'a valid job with a 1 MiB block scalar',
    fakeJob(
      'long',
      `  sparkConf:\n    spark.long: |\n${`      ${'x'.repeat(200)}\n`.repeat(Math.floor((MAX_MANIFEST_BYTES - 700) / 207))}`,
    ),
    undefined,
  ],
  [
    'a valid job with a 1 MiB plain value',
    fakeJob('long', `  sparkConf:\n    spark.long: ${'x'.repeat(MAX_MANIFEST_BYTES - 700)}\n`),
    undefined,
  ],
];

describe('hostile manifests: read limits hold before the document is built', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-limits-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('every file up to the size cap parses within 50 MB above idle RSS under a 128 MB heap, refused with a positioned message when over a limit', async () => {
    const results: string[] = [];
    const queue = HOSTILE.map((c, i) => ({ c, i }));
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const [what, text, expected] = job.c;
        const file = join(dir, `hostile-${job.i}.yaml`);
        await writeFile(file, under(text));
        const r = await parseInChild(file);
        results.push(`${what}: ${r.aboveIdleMiB.toFixed(1)} MiB above idle`);
        expect(r.aboveIdleMiB, what).toBeLessThan(50);
        if (expected === undefined) expect(r, what).toMatchObject({ ok: true });
        else {
          expect(r.ok, what).toBe(false);
          expect(r.errors[0], what).toMatch(expected);
          expect(r.errors[0], what).toMatch(/^big\.yaml:\d+:\d+: /);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    process.stdout.write(`hostile-read-limits:\n  ${results.join('\n  ')}\n`);
  }, 240_000);
});

describe('the CLI and the controller under hostile folders', () => {
  let ws: Workspace;
  let hostile: string;
  let outside: string;
  beforeAll(async () => {
    ensureBuilt();
    ws = await createWorkspace();
    hostile = join(ws.root, 'incoming');
    outside = join(ws.root, 'outside');
    await mkdir(hostile);
    await mkdir(outside);
    await writeFile(join(outside, 'job.yaml'), fakeJob('outside-job', '  # OUTSIDE-MARKER\n'));
    await writeFile(join(hostile, 'good.yaml'), fakeJob('good'));
    await symlink('/dev/zero', join(hostile, 'zero.yaml'));
    execFileSync('mkfifo', [join(hostile, 'fifo.yaml')]);
    await symlink(join(outside, 'job.yaml'), join(hostile, 'outside.yaml'));
    await symlink(outside, join(hostile, 'linked-folder'));
  });
  afterAll(async () => {
    await ws.close();
  });

  it('validate refuses a 900 KB nested-bracket manifest with a depth message, under a 128 MB heap', async () => {
    const deep = join(ws.root, 'deep');
    await mkdir(deep);
    await writeFile(join(deep, 'deep.yaml'), fakeJob('deep', `  sparkConf: {a: ${'['.repeat(900_000)}}\n`));
    const r = await runBounded(['validate', 'deep'], { cwd: ws.root, env: SMALL_HEAP, timeoutMs: 30_000 });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^deep\/deep\.yaml:13:\d+: nesting deeper than 64 levels is not allowed/m);
  }, 60_000);

  it('validate DIR refuses a link to /dev/zero, a FIFO and links out of the folder, at once, reading nothing outside', async () => {
    const r = await runBounded(['validate', 'incoming'], { cwd: ws.root, env: SMALL_HEAP });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stdout).toMatch(/^incoming\/zero\.yaml:1:1: refused: incoming\/zero\.yaml is a link; manifests must be regular files/m);
    expect(r.stdout).toMatch(/^incoming\/fifo\.yaml:1:1: refused: incoming\/fifo\.yaml is not a regular file/m);
    expect(r.stdout).toMatch(/^incoming\/outside\.yaml:1:1: refused: incoming\/outside\.yaml is a link/m);
    expect(r.stdout).toMatch(/^incoming\/good\.yaml: valid$/m);
    expect(r.stdout).toMatch(/4 manifests checked: 1 valid, 3 invalid/);
    expect(r.stdout + r.stderr).not.toMatch(/outside-job|OUTSIDE-MARKER|linked-folder/);
  }, 30_000);

  it('apply -f DIR refuses the same entries and writes nothing', async () => {
    const r = await runBounded([...ws.flags, 'apply', '-f', 'incoming'], { cwd: ws.root, env: SMALL_HEAP });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/nothing applied/);
    for (const f of ['zero', 'fifo', 'outside']) expect(r.stderr).toMatch(new RegExp(`incoming/${f}\\.yaml:1:1: refused: `));
    expect(r.stdout + r.stderr).not.toMatch(/outside-job|OUTSIDE-MARKER/);
    expect(await readdir(ws.jobsDir)).toEqual([]);
  }, 30_000);

  it('apply -f - stops reading stdin at the size cap (stdin is /dev/zero)', async () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const r = await runBounded([...ws.flags, 'apply', '-f', '-'], { cwd: ws.root, env: SMALL_HEAP, stdin: zero });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stderr).toMatch(/<stdin>:1:1: file is more than 1\.0 MiB; manifests are limited to 1\.0 MiB/);
    } finally {
      closeSync(zero);
    }
    expect(await readdir(ws.jobsDir)).toEqual([]);
  }, 30_000);

  it('get and describe read a jobs folder holding an oversized and a too-deep manifest under a 128 MB heap', async () => {
    const folder = await mkdtemp(join(ws.root, 'listing-'));
    await writeFile(join(folder, 'big.yaml'), `${fakeJob('big')}  sparkConf: {a: ${'['.repeat(1_500_000)}}\n`);
    await writeFile(join(folder, 'deep.yaml'), `${fakeJob('deep')}  sparkConf: {a: ${'['.repeat(900_000)}}\n`);
    await writeFile(join(folder, 'ok.yaml'), fakeJob('ok'));
    await symlink('/dev/zero', join(folder, 'zero.yaml'));
    const flags = ['--jobs', folder, '--state-dir', join(ws.root, 'listing-state')];
    const get = await runBounded([...flags, 'get', '-o', 'json'], { cwd: ws.root, env: SMALL_HEAP, timeoutMs: 30_000 });
    expect(get.stderr).not.toMatch(/heap out of memory/);
    expect(get.code).toBe(0);
    const items = (JSON.parse(get.stdout) as { items: Array<{ metadata: { name: string }; status: { phase: string; message?: string } }> })
      .items;
    const byName = new Map(items.map((i) => [i.metadata.name, i.status]));
    expect(byName.get('big.yaml')).toMatchObject({
      phase: 'Invalid',
      message: expect.stringMatching(/manifests are limited to 1\.0 MiB/) as unknown,
    });
    expect(byName.get('deep.yaml')).toMatchObject({ phase: 'Invalid', message: expect.stringMatching(DEPTH_MESSAGE) as unknown });
    expect(byName.get('ok')?.phase).toBe('Pending');
    const describe = await runBounded([...flags, 'describe', 'deep.yaml'], { cwd: ws.root, env: SMALL_HEAP, timeoutMs: 30_000 });
    expect(describe.code).toBe(0);
    expect(describe.stdout).toMatch(DEPTH_MESSAGE);
  }, 60_000);

  it('the controller stays up under a 128 MB heap with a deep-nesting manifest, which get shows Invalid with the depth message', async () => {
    await ws.write('deep.yaml', fakeJob('deep', `  sparkConf: {a: ${'['.repeat(900_000)}}\n`));
    await ws.write('ok.yaml', fakeJob('ok', '  suspend: true\n'));
    const controller = ws.start(['controller', '--relist-interval', '1s'], { env: SMALL_HEAP });
    await controller.waitFor(/Started controller/, { stream: 'stderr' });
    await controller.waitFor(
      /"file":"deep.yaml".*nesting deeper than 64 levels.*Manifest is invalid|Manifest is invalid.*"file":"deep.yaml"/,
      { stream: 'stderr', timeoutMs: 30_000 },
    );
    // A later job is still reconciled: the controller is alive and working.
    const get = async () => runBounded([...ws.flags, 'get', '-o', 'json'], { cwd: ws.root, env: SMALL_HEAP });
    const deadline = Date.now() + 30_000;
    let items: Array<{ metadata: { name: string }; status: { phase: string; message?: string } }> = [];
    while (Date.now() < deadline) {
      const r = await get();
      expect(r.code).toBe(0);
      items = (JSON.parse(r.stdout) as { items: typeof items }).items;
      if (items.find((i) => i.metadata.name === 'ok')?.status.phase === 'Suspended') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(items.find((i) => i.metadata.name === 'ok')?.status.phase).toBe('Suspended');
    const deep = items.find((i) => i.status.phase === 'Invalid' && DEPTH_MESSAGE.test(i.status.message ?? ''));
    expect(deep, JSON.stringify(items.map((i) => [i.metadata.name, i.status.phase]))).toBeDefined();
    expect(controller.child.exitCode).toBeNull();
    expect(controller.stderr()).not.toMatch(/heap out of memory/);
  }, 90_000);
});
