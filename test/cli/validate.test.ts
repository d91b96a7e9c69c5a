import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { SCHEMA_FILES } from '../../src/manifest/schema-documents.js';
import { BILLION_LAUGHS, VALID } from '../manifest/fixtures.js';

/** Runs the CLI in-process and returns its exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (s: string) => void) => (chunk: string | Uint8Array) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)) as typeof process.stdout.write);
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)) as typeof process.stderr.write);
  try {
    const code = await main(['node', 'sparkctl', ...args]);
    return { code, stdout, stderr };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let cwd: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkctl-validate-'));
  await mkdir(join(dir, 'good', 'nested'), { recursive: true });
  await mkdir(join(dir, 'good', '.hidden'), { recursive: true });
  await mkdir(join(dir, 'bad'), { recursive: true });
  await mkdir(join(dir, 'empty'), { recursive: true });
  await writeFile(join(dir, 'good', 'a.yaml'), VALID);
  await writeFile(join(dir, 'good', 'nested', 'b.yml'), VALID.replace('spark-pi', 'other'));
  await writeFile(join(dir, 'good', 'notes.txt'), 'not a manifest');
  await writeFile(join(dir, 'good', '.hidden', 'c.yaml'), 'broken: [');
  await writeFile(join(dir, 'bad', 'typo.yaml'), `${VALID}  driver:\n    memroy: 2g\n`);
  await writeFile(join(dir, 'bad', 'bomb.yaml'), BILLION_LAUGHS);
  await writeFile(join(dir, 'bad', 'ok.yaml'), VALID);
  await writeFile(join(dir, 'bad', 'same-name.yaml'), VALID);
  cwd = process.cwd();
  process.chdir(dir);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

describe('sparkctl validate', () => {
  it('exits 0 and lists every valid manifest of a folder, recursively, skipping hidden entries', async () => {
    const result = await run('validate', 'good');
    expect(result).toEqual({
      code: 0,
      stdout: 'good/a.yaml: valid\ngood/nested/b.yml: valid\n2 manifests checked: 2 valid, 0 invalid\n',
      stderr: '',
    });
  });

  it('exits 1 and prints file:line:col: field.path: message for each problem', async () => {
    const result = await run('validate', 'bad');
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'bad/bomb.yaml:14:11: aliases expand to more than 10000 nodes (alias *d adds 7381): write the values out or use fewer aliases',
      'bad/ok.yaml: valid',
      'bad/same-name.yaml:4:9: metadata.name: spark-pi is already used by bad/ok.yaml; names must be unique in the jobs folder',
      "bad/typo.yaml:10:5: spec.driver.memroy: unknown field 'memroy': did you mean 'memory'?",
      '4 manifests checked: 1 valid, 3 invalid',
      '',
    ]);
  });

  it('takes files and folders together; --quiet prints only problems', async () => {
    expect(await run('validate', '--quiet', 'good', 'bad/typo.yaml')).toEqual({
      code: 1,
      stdout:
        "bad/typo.yaml:10:5: spec.driver.memroy: unknown field 'memroy': did you mean 'memory'?\n3 manifests checked: 2 valid, 1 invalid\n",
      stderr: '',
    });
    expect(await run('validate', '-q', 'good')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('exits 2 for a path that does not exist', async () => {
    const result = await run('validate', 'good', 'nope.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('sparkctl validate: nope.yaml: no such file or directory\n');
  });

  it('exits 2 without paths, or when a folder holds no manifests', async () => {
    const none = await run('validate');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'paths'");
    const empty = await run('validate', 'empty');
    expect(empty).toEqual({ code: 2, stdout: '', stderr: 'sparkctl validate: no manifests (.yaml, .yml) found in empty\n' });
  });

  it('validates the examples in manifests/', async () => {
    const result = await run('validate', join(root, 'manifests'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/5 manifests checked: 5 valid, 0 invalid\n$/);
  });

  it('refuses files named on their own that are links (to a device, or out of their folder), reading neither', async () => {
    await mkdir(join(dir, 'named'), { recursive: true });
    await writeFile(join(dir, 'outside-job.yaml'), VALID.replace('spark-pi', 'outside-job'));
    await symlink('/dev/zero', join(dir, 'named', 'zero.yaml'));
    await symlink(join(dir, 'outside-job.yaml'), join(dir, 'named', 'out.yaml'));
    const result = await run('validate', 'named/zero.yaml', 'named/out.yaml');
    expect(result).toEqual({
      code: 1,
      stdout:
        'named/zero.yaml:1:1: refused: named/zero.yaml is a link; manifests must be regular files inside the jobs folder\n' +
        'named/out.yaml:1:1: refused: named/out.yaml is a link; manifests must be regular files inside the jobs folder\n' +
        '2 manifests checked: 0 valid, 2 invalid\n',
      stderr: '',
    });
  });

  it('shows an example in --help', async () => {
    const result = await run('validate', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sparkctl validate manifests/');
  });
});

describe('sparkctl schema', () => {
  it('prints the committed JSON Schema', async () => {
    const result = await run('schema');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await readFile(join(root, SCHEMA_FILES.jsonSchema), 'utf8'));
  });

  it('prints the CRD with --crd', async () => {
    const result = await run('schema', '--crd');
    expect(result.code).toBe(0);
    expect(parse(result.stdout)).toMatchObject({ kind: 'CustomResourceDefinition', metadata: { name: 'sparkjobs.sparkctl.io' } });
  });
});
