import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/read-limits.js';
import { parseManifestBytes, type ManifestParseResult } from '../../src/manifest/parse-manifest.js';
import { fakeJob } from '../support/controller-harness.js';

// Bounded for CI; SPARKCTL_FUZZ_RUNS raises every property's run count for deeper runs.
const RUNS = Number(process.env.SPARKCTL_FUZZ_RUNS ?? 1000);
const VALID = fakeJob(
  'fuzzed',
  `  sparkConf: {spark.app.name: fuzz}\n  volumes: [{hostPath: /data/in, containerPath: /in, readOnly: true}]\n  restartPolicy: {type: OnFailure, onFailureRetries: 2}\n`,
);

let tried = 0;
let rejected = 0;
const slowest = { ms: 0, input: '' };

/** Parses, and checks the contract: no throw, and either a job or errors that each carry a real position and a message. */
function check(bytes: Uint8Array): ManifestParseResult {
  tried += 1;
  const t0 = performance.now();
  const result = parseManifestBytes(bytes, 'jobs/fuzz.yaml');
  const ms = performance.now() - t0;
  if (ms > slowest.ms) Object.assign(slowest, { ms, input: Buffer.from(bytes.subarray(0, 80)).toString('utf8') });
  expect(ms).toBeLessThan(2000);
  if (result.ok) {
    expect(result.kind === 'SparkJob' ? result.job.kind : result.schedule.kind).toMatch(/^(Scheduled)?SparkJob$/);
    return result;
  }
  rejected += 1;
  const lines = Buffer.from(bytes).toString('utf8').split('\n').length;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    expect(e.file).toBe('jobs/fuzz.yaml');
    expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1).toBe(true);
    expect(Number.isInteger(e.col) && e.col >= 1).toBe(true);
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(10);
    // A clear error stays readable: it never echoes a huge input back.
    expect(e.message.length).toBeLessThan(4000);
  }
  return result;
}
const text = (s: string) => check(Buffer.from(s, 'utf8'));

// YAML pieces that stress the parser: anchors, aliases, merge keys, tags, flow and block mixes, directives.
const token = fc.constantFrom(
  '&a ',
  '*a',
  '*nope',
  '<<: *a',
  '!!binary ',
  '!!python/object:os.system ',
  '!custom ',
  '!!str ',
  '!!int ',
  '? ',
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '\t',
  '\n',
  '  ',
  '"',
  "'",
  '|',
  '>-',
  '#',
  '\\u0000',
  '\u2028',
  '\ufeff',
  'null',
  '~',
  '.nan',
  '1e400',
  '0x1F',
  '0o17',
  'metadata:',
  'name:',
  'spec:',
  'status:',
  '../../etc/passwd',
  'a/b',
  'C:\\x',
  'x'.repeat(300),
);

describe('hostile manifests: the parser never throws and always says where', () => {
  afterAll(() => {
    process.stdout.write(
      `hostile-manifests: ${tried} inputs parsed, ${rejected} rejected with a positioned error, 0 exceptions, slowest ${slowest.ms.toFixed(0)} ms\n`,
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => void check(b)),
      { numRuns: RUNS },
    );
  });

  it('random Unicode text, including control characters and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => void text(s)),
      { numRuns: RUNS },
    );
  });

  it('a valid manifest with bytes inserted, deleted or replaced', () => {
    const base = Buffer.from(VALID);
    const edit = fc.tuple(fc.nat(base.length), fc.nat(8), fc.uint8Array({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let b = base;
        for (const [at, del, ins] of edits)
          b = Buffer.concat([b.subarray(0, Math.min(at, b.length)), Buffer.from(ins), b.subarray(Math.min(at + del, b.length))]);
        check(b);
      }),
      { numRuns: RUNS },
    );
  });

  it('a valid manifest with adversarial YAML spliced in at line starts', () => {
    const lines = VALID.split('\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(lines.length), fc.array(token, { minLength: 1, maxLength: 12 })), { minLength: 1, maxLength: 4 }),
        (splices) => {
          const out = [...lines];
          for (const [at, toks] of splices) out.splice(Math.min(at, out.length), 0, toks.join(''));
          text(out.join('\n'));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('values of every type at every field', () => {
    const field = fc.constantFrom(
      'metadata.name',
      'spec.image',
      'spec.driver.memory',
      'spec.driver.cores',
      'spec.volumes',
      'spec.network',
      'spec.master',
      'spec.mode',
      'spec.mesos',
      'spec.restartPolicy',
      'spec.arguments',
      'spec.sparkConf',
      'metadata.labels',
      'spec.outputs',
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string({ maxLength: 400 }),
      fc.constantFrom('../../../etc/shadow', '/etc/passwd', 'a'.repeat(10_000), '-1', '1e309', '0x10', '1024Ei'),
    );
    fc.assert(
      fc.property(field, value, (path, v) => {
        const [top, ...rest] = path.split('.');
        const json = JSON.parse(
          JSON.stringify({
            apiVersion: 'sparkctl.io/v1alpha1',
            kind: 'SparkJob',
            metadata: { name: 'fuzzed' },
            spec: { image: 'x', mainApplicationFile: 'local:///a.jar', mainClass: 'A' },
          }),
        ) as Record<string, Record<string, unknown>>;
        let node: Record<string, unknown> = json[top!]!;
        for (const k of rest.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
        node[rest.at(-1)!] = v;
        text(JSON.stringify(json));
      }),
      { numRuns: RUNS },
    );
  });

  it('pathological shapes: deep nesting, alias bombs, huge keys, many documents, oversized files', () => {
    const cases = [
      `${VALID}  arguments: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
      `${VALID}  sparkConf: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`,
      `${VALID}${Array.from({ length: 5_000 }, (_, i) => `${' '.repeat(2 + (i % 40))}k${i}:`).join('\n')}\n`,
      `${VALID}  arguments:\n${Array.from(
        { length: 200 },
        (_, i) =>
          `    - &a${i} [${
            i === 0
              ? '"lol"'
              : Array(10)
                  .fill(`*a${i - 1}`)
                  .join(', ')
          }]`,
      ).join('\n')}\n`,
      `${VALID}  sparkConf:\n    ${'k'.repeat(500_000)}: v\n`,
      Array.from({ length: 2_000 }, () => '---\nkind: SparkJob\n').join(''),
      `${VALID}${'#'.repeat(MAX_MANIFEST_BYTES)}\n`,
      'x'.repeat(MAX_MANIFEST_BYTES + 1),
      `${VALID}metadata:\n  name: twice\n`,
      '\ufeff'.repeat(3) + VALID,
      VALID.replace('name: fuzzed', 'name: ../../etc'),
      VALID.replace('name: fuzzed', `name: ${'a'.repeat(64)}`),
      VALID.replace('name: fuzzed', 'name: "a/b"'),
      VALID.replace('name: fuzzed', 'name: !!binary aGVsbG8='),
      '',
      '\n\n# only comments\n',
      '- a\n- list\n',
      'just a scalar',
    ];
    for (const c of cases) expect(text(c).ok).toBe(false);
    const invalidUtf8 = Buffer.concat([Buffer.from(VALID), Buffer.from([0xc3, 0x28, 0xff, 0xfe])]);
    const res = check(invalidUtf8);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors[0]!.message).toMatch(/not valid UTF-8/);
  });
});
