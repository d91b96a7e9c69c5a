import fc from 'fast-check';
import { PHASES, type SparkJobStatus } from '../../src/api/status.js';

/** Strings that are hard to write in YAML: indicators, look-alikes of other types, quotes, line breaks. */
export const trickyString = fc.oneof(
  fc.constantFrom(
    '#not-a-comment',
    'a: b',
    '- x',
    'true',
    'null',
    '012',
    '',
    ' leading',
    'trailing ',
    'status:',
    "it's",
    'say "hi"',
    'multi\nline',
    'tab\there',
    'é ü 中文 🎉',
    '...',
    '---',
    '*alias',
    '&anchor',
    '!tag',
    '{x: 1}',
    '[1]',
  ),
  fc.string({ maxLength: 20 }),
);

/** A scalar written in one of the styles YAML allows for it: plain, single- or double-quoted. */
export function writeScalar(value: string, style: number): string {
  const styles = [JSON.stringify(value)];
  const printable = [...value].every(
    (c) => c.charCodeAt(0) >= 0x20 && !(c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) && !'\u2028\u2029\ufeff'.includes(c),
  );
  if (printable && !value.includes('\\')) styles.push(`'${value.replace(/'/g, "''")}'`);
  if (
    /^[A-Za-z/][A-Za-z0-9._/:\-[\]*]*$/.test(value) &&
    !/^(true|false|null|~|[Tt]rue|[Ff]alse|[Nn]ull|TRUE|FALSE|NULL)$/.test(value) &&
    !/: |:$|\[|\]/.test(value)
  ) {
    styles.push(value);
  }
  return styles[style % styles.length]!;
}

interface Entry {
  key: string;
  /** The text after `key:` — either ` value` on the same line or `\n` plus indented lines. */
  body: string;
}

const comment = fc.constantFrom('# a comment', '#no space', '# status: not this one', '# ---', '# spec: {}');
const inlineComment = fc.option(fc.constantFrom('  # why', ' #x', '    # status'), { nil: undefined });
/** What may sit between two top-level entries: nothing, blank lines, full-line comments. */
const separator = fc
  .array(fc.oneof(fc.constant(''), comment, fc.constant('   ')), { maxLength: 3 })
  .map((lines) => lines.map((l) => `${l}\n`).join(''));

const styleSeed = fc.nat(5);

const listEntry = (key: string, values: fc.Arbitrary<string[]>, indent: string) =>
  fc.tuple(values, styleSeed, fc.boolean(), inlineComment).map(([items, style, flow, note]): Entry => {
    if (flow || items.length === 0) return { key, body: ` [${items.map((v, i) => writeScalar(v, style + i)).join(', ')}]${note ?? ''}\n` };
    return { key, body: `${note ?? ''}\n${items.map((v, i) => `${indent}- ${writeScalar(v, style + i)}\n`).join('')}` };
  });

const scalarEntry = (key: string, value: fc.Arbitrary<string>) =>
  fc.tuple(value, styleSeed, inlineComment).map(([v, style, note]): Entry => ({ key, body: ` ${writeScalar(v, style)}${note ?? ''}\n` }));

const driverEntry = fc
  .tuple(fc.constantFrom('512m', '1g', '2048', '1024m'), fc.constantFrom(1, 2, 0.5), fc.boolean(), inlineComment)
  .map(([memory, cores, flow, note]): Entry =>
    flow
      ? { key: 'driver', body: ` {memory: ${/^[0-9]+$/.test(memory) ? `"${memory}"` : memory}, cores: ${cores}}${note ?? ''}\n` }
      : { key: 'driver', body: `${note ?? ''}\n    memory: '${memory}'\n\n    # the cores\n    cores: ${cores}\n` },
  );

/** The spec of a generated manifest as key/value entries in a random order, each in a random style. */
const specEntries = fc
  .tuple(
    scalarEntry('image', fc.constantFrom('apache/spark:3.5.3', 'sparkctl/spark-fake:test', 'registry.local:5000/spark:v1')),
    scalarEntry(
      'mainApplicationFile',
      fc.constantFrom('local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar', 'local:///app.jar'),
    ),
    scalarEntry('mainClass', fc.constantFrom('org.apache.spark.examples.SparkPi', 'Main')),
    fc.option(scalarEntry('master', fc.constantFrom('local', 'local[2]', 'local[*]')), { nil: undefined }),
    fc.option(scalarEntry('imagePullPolicy', fc.constantFrom('Never', 'IfNotPresent')), { nil: undefined }),
    fc.option(listEntry('arguments', fc.array(trickyString, { maxLength: 4 }), '    '), { nil: undefined }),
    fc.option(driverEntry, { nil: undefined }),
  )
  .chain((entries) => {
    const present = entries.filter((e): e is Entry => e !== undefined);
    return fc.shuffledSubarray(present, { minLength: present.length, maxLength: present.length });
  });

const block = (entries: Entry[], indent: string) => entries.map((e) => `${indent}${e.key}:${e.body}`).join('');

/** A status block as users or older controllers might have left it. Each ends at a line end. */
const statusBlock = fc.constantFrom(
  'status: {}\n',
  'status: {}  # written by the controller\n',
  'status:\n',
  'status:\n  phase: Running\n  # note\n  observedSpecHash: "abc"\n',
  'status:\n  conditions:\n  - {type: Succeeded, status: "True"}\n',
  'status:\n- a\n- b\n',
  'status: |\n  free text\n\n  more\n',
  'status: {phase: Failed,\n  message: "two\n  lines"}\n',
  "'status': {}\n",
);

/** A generated manifest: the text, and — when it has one — the exact text of its status block. */
export interface GeneratedManifest {
  text: string;
  prefix: string;
  status: string | undefined;
  suffix: string;
}

/** Valid manifests with comments, blank lines, flow and block styles, quoting, and status first, in the middle, last or absent. */
export const generatedManifest: fc.Arbitrary<GeneratedManifest> = fc
  .record({
    header: fc.constantFrom('', '# yaml-language-server: $schema=../crd-schemas/sparkjob.schema.json\n', '---\n', '# one\n\n# two\n'),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((n) => !['true', 'false', 'null'].includes(n)),
    quoteApi: styleSeed,
    flowMetadata: fc.boolean(),
    spec: specEntries,
    order: fc.shuffledSubarray(['apiVersion', 'kind', 'metadata', 'spec'], { minLength: 4, maxLength: 4 }),
    statusAt: fc.option(fc.nat(4), { nil: undefined }),
    status: statusBlock,
    separators: fc.array(separator, { minLength: 6, maxLength: 6 }),
    finalNewline: fc.boolean(),
    trailer: fc.constantFrom('', '# trailing comment\n', '\n\n'),
  })
  .map((g): GeneratedManifest => {
    const parts: Record<string, string> = {
      apiVersion: `apiVersion: ${writeScalar('sparkctl.io/v1alpha1', g.quoteApi)}\n`,
      kind: 'kind: SparkJob  # the kind\n',
      metadata: g.flowMetadata
        ? `metadata: {name: ${g.name}, labels: {team: geo}}\n`
        : `metadata:\n  # the name\n  name: "${g.name}"\n  labels:\n    team: 'geo'\n`,
      spec: `spec:\n${block(g.spec, '  ')}`,
    };
    const keys: string[] = [...g.order];
    if (g.statusAt !== undefined) keys.splice(Math.min(g.statusAt, keys.length), 0, 'status');
    let prefix: string = g.header;
    let status: string | undefined;
    let suffix = '';
    keys.forEach((key, i) => {
      const chunk = (i > 0 ? g.separators[i]! : '') + (key === 'status' ? '' : parts[key]!);
      if (key === 'status') status = g.status;
      if (status === undefined) prefix += chunk;
      else if (key === 'status') prefix += chunk;
      else suffix += chunk;
    });
    suffix += g.trailer;
    if (status !== undefined && suffix === '' && !g.finalNewline) status = status.replace(/\n$/, '');
    if (status === undefined && !g.finalNewline && g.trailer === '') prefix = prefix.replace(/\n$/, '');
    return { text: prefix + (status ?? '') + suffix, prefix, status, suffix };
  });

/** Statuses the controller could write, with messages that stress quoting and line breaks. */
export const generatedStatus: fc.Arbitrary<SparkJobStatus> = fc.record({
  phase: fc.constantFrom(...PHASES),
  observedSpecHash: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: undefined }),
  conditions: fc.array(
    fc.record({
      type: fc.constantFrom('Succeeded', 'Reconciling', 'Stalled'),
      status: fc.constantFrom('True', 'False', 'Unknown'),
      reason: fc.constantFrom('Running', 'InsufficientResources', 'Succeeded'),
      message: trickyString,
      lastTransitionTime: fc.constant('2025-01-02T03:04:05.000Z'),
    }),
    { maxLength: 3 },
  ),
  submissionAttempts: fc.nat(10),
  executionAttempts: fc.nat(10),
  exitCode: fc.option(fc.integer({ min: -1, max: 255 }), { nil: undefined }),
  message: fc.option(fc.oneof(trickyString, fc.string({ unit: 'binary', maxLength: 40 })), { nil: undefined }),
});
