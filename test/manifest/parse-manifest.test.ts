import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/manifest/manifest-issue.js';
import { parseManifestBytes, parseManifestFile, parseManifestText } from '../../src/manifest/parse-manifest.js';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/read-limits.js';
import { BILLION_LAUGHS, VALID } from './fixtures.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('parseManifestText', () => {
  it('accepts a valid manifest and applies defaults', () => {
    const result = parseManifestText(VALID, 'job.yaml');
    expect(result.ok && result.kind).toBe('SparkJob');
    if (!result.ok || result.kind !== 'SparkJob') return;
    expect(result.job.metadata.name).toBe('spark-pi');
    expect(result.job.spec.master).toBe('local[*]');
    expect(result.job.spec.driver.memory).toBe('1024m');
    expect(result.specHash).toMatch(/^[0-9a-f]{16}$/);
    expect(result.text).toBe(VALID);
  });

  it('ignores whatever a user writes under status', () => {
    const result = parseManifestText(`${VALID}status: {phase: Bogus, anything: [1, 2]}\n`, 'job.yaml');
    expect(result.ok).toBe(true);
  });

  it('accepts a leading document start marker', () => {
    expect(parseManifestText(`---\n${VALID}`, 'job.yaml').ok).toBe(true);
  });
});

const bad: Array<[string, Uint8Array, string]> = [
  [
    'a syntax error',
    utf8(`${VALID}  arguments: [1,\n  sparkConf: {}\n`),
    'job.yaml:10:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  ['a wrong type', utf8(`${VALID}  driver:\n    cores: two\n`), 'job.yaml:10:12: spec.driver.cores: expected a number, got string "two"'],
  [
    'a number where a string belongs',
    utf8(`${VALID}  driver: {memory: 1024}\n`),
    'job.yaml:9:20: spec.driver.memory: expected a string, got number 1024: quote it ("1024")',
  ],
  [
    'an unknown field',
    utf8(`${VALID}  driver:\n    memroy: 2g\n`),
    "job.yaml:10:5: spec.driver.memroy: unknown field 'memroy': did you mean 'memory'?",
  ],
  ['an unknown top-level field', utf8(`${VALID}stauts: {}\n`), "job.yaml:9:1: stauts: unknown field 'stauts': did you mean 'status'?"],
  [
    'an unknown field with no close match',
    utf8(`${VALID}  cache: {flavour: x}\n`),
    "job.yaml:9:11: spec.cache.flavour: unknown field 'flavour': allowed fields: enabled",
  ],
  [
    'a bad memory string',
    utf8(`${VALID}  executor:\n    memory: 2 GB\n`),
    'job.yaml:10:13: spec.executor.memory: memory must look like 512m, 2g or 1024 (a number and an optional k/m/g/t unit)',
  ],
  [
    'a mistyped enum value',
    utf8(`${VALID}  type: scala\n`),
    "job.yaml:9:9: spec.type: must be one of Scala, Java, Python, R: did you mean 'Scala'?",
  ],
  [
    'a bad name',
    utf8(VALID.replace('name: spark-pi', 'name: Spark_Pi')),
    'job.yaml:4:9: metadata.name: name must be a DNS-1123 label: lower-case letters, digits and -, starting and ending with a letter or digit',
  ],
  [
    'a name too long',
    utf8(VALID.replace('name: spark-pi', `name: ${'a'.repeat(64)}`)),
    'job.yaml:4:9: metadata.name: name must be at most 63 characters',
  ],
  [
    'a missing required field',
    utf8(VALID.replace('  image: apache/spark:3.5.3\n', '')),
    "job.yaml:5:1: spec.image: missing required field 'image'",
  ],
  [
    'cluster mode with a local master',
    utf8(`${VALID}  master: local[2]\n  mode: cluster\n`),
    'job.yaml:10:9: spec.mode: mode cluster needs a mesos:// master (master is local[2]); use mode: client for local masters',
  ],
  [
    'a secretRef with both forms',
    utf8(`${VALID}  master: mesos://127.0.0.1:5050\n  network: host\n  mesos:\n    secretRef: {env: S, file: /s}\n`),
    'job.yaml:12:16: spec.mesos.secretRef: must be exactly one of {env} or {file}',
  ],
  [
    'a duplicate key',
    utf8(`${VALID}  image: other\n`),
    'job.yaml:9:3: invalid YAML: Map keys must be unique: remove or merge the repeated key',
  ],
  [
    'an alias bomb',
    utf8(BILLION_LAUGHS),
    'job.yaml:14:11: aliases expand to more than 10000 nodes (alias *d adds 7381): write the values out or use fewer aliases',
  ],
  [
    'an oversized file',
    utf8(`${VALID}# ${'x'.repeat(MAX_MANIFEST_BYTES)}\n`),
    `job.yaml:1:1: file is 1.0 MiB (${VALID.length + MAX_MANIFEST_BYTES + 3} bytes); manifests are limited to 1.0 MiB: split it or move data out of the manifest`,
  ],
  [
    'a binary file',
    concat(utf8('apiVersion: sparkctl.io/v1alpha1\nkind: Spark'), new Uint8Array([0, 1, 2, 0xff])),
    'job.yaml:2:12: file contains a NUL byte: it is binary, not a YAML manifest',
  ],
  [
    'non-UTF-8 text',
    concat(utf8(`${VALID}  arguments: ["caf`), new Uint8Array([0xe9]), utf8('"]\n')),
    'job.yaml:9:19: file is not valid UTF-8 (byte 0xe9 at offset 260): save it as UTF-8',
  ],
  [
    'two documents',
    utf8(`${VALID}---\n${VALID}`),
    'job.yaml:9:1: a manifest holds exactly one SparkJob: this starts a second document; move it to a file of its own',
  ],
  [
    'a custom tag',
    utf8(`${VALID}  arguments: [!shell 'rm -rf /']\n`),
    'job.yaml:9:15: custom tag !shell is not allowed: remove it (manifests use plain YAML types only)',
  ],
  [
    'a yaml-1.1 tag outside the core schema',
    utf8(`${VALID}  arguments: [!!binary aGk=]\n`),
    'job.yaml:9:15: custom tag tag:yaml.org,2002:binary is not allowed: remove it (manifests use plain YAML types only)',
  ],
  [
    'a root that is a list',
    utf8('- apiVersion: sparkctl.io/v1alpha1\n'),
    'job.yaml:1:1: a manifest must be a mapping with apiVersion, kind, metadata and spec, not a list',
  ],
  ['an empty file', utf8('# nothing here\n'), 'job.yaml:1:1: file has no SparkJob: it is empty or only comments'],
  [
    '900 KB of nested [ (under the size cap)',
    utf8(`${VALID}  arguments: ${'['.repeat(900_000)}\n`),
    'job.yaml:9:76: nesting deeper than 64 levels is not allowed: flatten the lists and mappings (a SparkJob needs fewer than 10 levels)',
  ],
  [
    'block mappings nested by indentation past the depth limit',
    utf8(`${VALID}  sparkConf:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(4 + 2 * i)}k${i}:`).join('\n')}\n`),
    'job.yaml:72:129: nesting deeper than 64 levels is not allowed: flatten the lists and mappings (a SparkJob needs fewer than 10 levels)',
  ],
  [
    'more YAML items than the limit',
    utf8(`${VALID}  arguments: [${'0, '.repeat(6000)}0]\n`),
    'job.yaml:9:14977: more than 10000 YAML items (keys, values, list entries, punctuation) is not allowed: a SparkJob needs a few hundred; move data out of the manifest',
  ],
  ['a self-referencing alias', utf8(`${VALID}  arguments: &x [*x]\n`), 'job.yaml:9:18: alias *x refers to a node that contains it'],
];

describe('bad manifests', () => {
  it.each(bad)('reports %s with its line and column', (_what, bytes, expected) => {
    const result = parseManifestBytes(bytes, 'job.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatIssue)[0]).toBe(expected);
  });

  it('shows control and bidi characters of a field name escaped, keeping each issue on one line', () => {
    const result = parseManifestText(`\rapiVersion: sparkctl.io/v1alpha1\n"\\e]52;c;x\\a": 1\n"\\u202eab": 2\n`, 'job.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.errors.map(formatIssue);
    expect(lines).toContain("job.yaml:1:1: \\rapiVersion: unknown field '\\rapiVersion': did you mean 'apiVersion'?");
    expect(lines.join('\n')).toContain("unknown field '\\x1b]52;c;x\\x07'");
    expect(lines.join('\n')).toContain("unknown field '\\u202eab'");
    // eslint-disable-next-line no-control-regex
    const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/;
    for (const line of lines) expect(line).not.toMatch(unsafe);
  });

  it('reports every problem of a file, sorted by position', () => {
    const result = parseManifestText(
      `${VALID}  imagePullPolicy: always\n  executor: {instances: -1}\n`.replace('spark-pi', 'Pi'),
      'job.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.path])).toEqual([
      [4, 'metadata.name'],
      [9, 'spec.imagePullPolicy'],
      [10, 'spec.executor.instances'],
    ]);
  });
});

describe('parseManifestFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-parse-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, VALID.replace('spark-pi', 'BAD'));
    const result = await parseManifestFile(path, 'jobs/bad.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssue(result.errors[0]!)).toMatch(/^jobs\/bad\.yaml:4:9: metadata\.name: /);
  });

  it('rejects an oversized file from its size alone', async () => {
    const path = join(dir, 'big.yaml');
    await writeFile(path, Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x61));
    const result = await parseManifestFile(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toContain(`${MAX_MANIFEST_BYTES + 1} bytes`);
  });

  it('throws a coded error for a missing file', async () => {
    await expect(parseManifestFile(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'SPARKCTL_MANIFEST_UNREADABLE' });
  });
});

describe('missing fields', () => {
  it('names each missing top-level field', () => {
    const result = parseManifestText('apiVersion: sparkctl.io/v1alpha1\n', 'job.yaml');
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual([
      "job.yaml:1:1: kind: missing required field 'kind'",
      "job.yaml:1:1: metadata: missing required field 'metadata'",
      "job.yaml:1:1: spec: missing required field 'spec'",
    ]);
  });
});

describe('malformed input (property)', () => {
  const lineCount = (bytes: Uint8Array) => new TextDecoder().decode(bytes).split('\n').length;
  const checkResult = (bytes: Uint8Array) => {
    const result = parseManifestBytes(bytes, 'fuzz.yaml');
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lineCount(bytes));
      expect(e.col).toBeGreaterThanOrEqual(1);
      expect(formatIssue(e)).toMatch(/^fuzz\.yaml:\d+:\d+: \S/);
    }
  };

  it('never throws on random bytes and always places errors inside the file', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), checkResult), { numRuns: 500 });
  });

  it('never throws on a valid manifest with bytes inserted, deleted or replaced', () => {
    const base = utf8(VALID);
    const edit = fc.tuple(fc.nat(base.length), fc.nat(3), fc.uint8Array({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let bytes = base;
        for (const [at, remove, insert] of edits) {
          const i = Math.min(at, bytes.length);
          bytes = concat(bytes.subarray(0, i), insert, bytes.subarray(Math.min(i + remove, bytes.length)));
        }
        checkResult(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
