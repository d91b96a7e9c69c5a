import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SparkJob } from '../../src/api/spark-job.js';
import { renderDescribe } from '../../src/cli/commands/describe.js';
import type { JobView } from '../../src/cli/find-job.js';
import { escapeLines, escapeText, neutraliseTerminal } from '../../src/escape-text.js';
import { parseManifestBytes } from '../../src/manifest/parse-manifest.js';
import { renderFields } from '../../src/cli/printers/fields.js';
import { toJson } from '../../src/cli/printers/job-object.js';
import { toYaml } from '../../src/cli/printers/to-yaml.js';
import { renderTable } from '../../src/cli/printers/table.js';
import { prettyTerminalDestination } from '../../src/logger.js';

const HOSTILE = 'A\u001b]52;c;SGVsbG8=\u0007B\u001b[2JC\u202eD\u009bE';
const SHOWN = 'A\\x1b]52;c;SGVsbG8=\\x07B\\x1b[2JC\\u202eD\\x9bE';
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// Colour (SGR) sequences, the only escapes allowed through.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
// eslint-disable-next-line no-control-regex
const COLOUR = /\u001b\[3\dm/;
// Every character the escaper must catch, and some it must leave alone.
const UNSAFE = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
];
const SAFE = ['é', 'ß', '日本', 'שלום', '\u200f', '\u200e', '🙂', '\\x1b'];
/** Strings mixing hostile characters with ordinary ones. */
const mixed = fc
  .array(fc.oneof(fc.constantFrom(...UNSAFE.map((c) => String.fromCodePoint(c)), ...SAFE), fc.string()), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('escapeText', () => {
  it('shows every C0, DEL, C1, line separator and bidi override/isolate escaped, and nothing else changes', () => {
    for (const code of UNSAFE) {
      const shown = escapeText(String.fromCodePoint(code));
      expect(shown, code.toString(16)).toMatch(/^\\([nrt]|x[0-9a-f]{2}|u[0-9a-f]{4})$/);
    }
    expect(escapeText(HOSTILE)).toBe(SHOWN);
    expect(escapeText('a\nb\tc\r')).toBe('a\\nb\\tc\\r');
    for (const s of SAFE) expect(escapeText(s)).toBe(s);
  });

  it('never lets a raw control or bidi character through (property)', () => {
    fc.assert(fc.property(mixed, (s) => !RAW.test(escapeText(s)) && !/\n/.test(escapeText(s))));
  });

  it('escapeLines keeps line breaks and tabs of multi-line messages, and escapes the rest', () => {
    expect(escapeLines(`line 1\n\tline 2 ${HOSTILE}`)).toBe(`line 1\n\tline 2 ${SHOWN}`);
    expect(escapeLines('a\rb')).toBe('a\\rb');
  });
});

describe('neutraliseTerminal (program output on a terminal)', () => {
  it('keeps SGR colours, line breaks and tabs; escapes OSC, CSI other than SGR, C1 and bidi', () => {
    expect(neutraliseTerminal(`\u001b[1;31mred\u001b[0m\tok\r\n${HOSTILE}\n`)).toBe(`\u001b[1;31mred\u001b[0m\tok\r\n${SHOWN}\n`);
    expect(neutraliseTerminal('\u001b[?1049h\u001b[H\u001bc')).toBe('\\x1b[?1049h\\x1b[H\\x1bc');
    expect(neutraliseTerminal('progress\rover')).toBe('progress\\rover');
  });

  it('leaves no escape sequence but SGR (property)', () => {
    fc.assert(
      fc.property(
        mixed,
        (s) =>
          !RAW.test(
            neutraliseTerminal(s)
              .replace(SGR, '')
              .replace(/\r\n/g, '\n')
              .replace(/[\n\t]/g, ''),
          ),
      ),
    );
  });
});

describe('the table and field printers escape every cell by default', () => {
  it('renderTable escapes cells and aligns on the escaped width', () => {
    const out = renderTable(
      ['NAME', 'MESSAGE'],
      [
        [HOSTILE, 'x'],
        ['b', HOSTILE],
      ],
    );
    expect(out).not.toMatch(RAW);
    const lines = out.split('\n');
    expect(lines[1]).toBe(`${SHOWN}   x`);
    expect(lines[2]).toBe(`b${' '.repeat(SHOWN.length - 1)}   ${SHOWN}`);
  });

  it('renderFields escapes values, then paints them', () => {
    const out = renderFields(
      [
        ['Annotations', `note=${HOSTILE}`],
        ['Phase', 'Failed', 'red'],
      ],
      2,
      true,
    );
    expect(out).toBe(`  Annotations:  note=${SHOWN}\n  Phase:        \u001b[31mFailed\u001b[0m\n`);
  });
});

describe('describe escapes every field, whatever the schema lets through', () => {
  it('labels, annotations, image, application, class, arguments, env, conf, volumes, outputs, status, conditions, attempts and events', () => {
    const manifest = `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata: {name: hostile}
spec:
  image: sparkctl/spark-fake:test
  mainApplicationFile: local:///opt/app.jar
  mainClass: org.example.Main
  driver: {cores: 1, memory: 64m}
`;
    const parsed = parseManifestBytes(Buffer.from(manifest), 'hostile.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // The parsed job, with a hostile string in every field describe prints (bypassing the schema on purpose).
    const job = structuredClone(parsed.job) as SparkJob & { spec: Record<string, unknown> };
    const spec = job.spec as unknown as Record<string, unknown> & SparkJob['spec'];
    Object.assign(job.metadata, { labels: { team: HOSTILE }, annotations: { [HOSTILE]: HOSTILE } });
    Object.assign(spec, {
      image: HOSTILE,
      master: HOSTILE,
      mainApplicationFile: HOSTILE,
      mainClass: HOSTILE,
      arguments: [HOSTILE],
      sparkConf: { [HOSTILE]: HOSTILE },
      volumes: [{ hostPath: HOSTILE, containerPath: HOSTILE, readOnly: true }],
      outputs: [{ name: HOSTILE, path: HOSTILE }],
    });
    spec.driver = { ...spec.driver, env: [{ name: HOSTILE, value: HOSTILE, secret: false }] };
    const time = new Date().toISOString();
    const view: JobView = {
      name: 'hostile',
      file: HOSTILE,
      job,
      status: {
        phase: 'Failed',
        message: HOSTILE,
        conditions: [{ type: 'Stalled', status: 'True', reason: HOSTILE, message: HOSTILE, lastTransitionTime: time }],
        submissionAttempts: 1,
        executionAttempts: 1,
        driver: { backend: 'docker', containerName: HOSTILE },
        results: { outputs: [{ name: HOSTILE, path: HOSTILE, bytes: 1 }], cached: false },
      } as JobView['status'],
    };
    const out = renderDescribe(
      view,
      [{ time, type: 'Warning', reason: HOSTILE, message: HOSTILE }],
      [{ attempt: 1, path: HOSTILE, bytes: 1, modifiedAt: time }],
      true,
    );
    expect(out.replace(SGR, '').replace(/\n/g, '')).not.toMatch(RAW);
    for (const label of [
      'File',
      'Labels',
      'Annotations',
      'Image',
      'Master',
      'Application',
      'Main Class',
      'Arguments',
      'Driver Env',
      'Spark Conf',
      'Volumes',
      'Outputs',
      'Message',
      'Driver',
      'Results',
    ]) {
      expect(out, label).toMatch(new RegExp(`^ *${label}: +.*A\\\\x1b\\]52`, 'm'));
    }
    // Conditions, attempts and events tables: three more rows carrying it.
    expect(
      out.split('\n').filter((l) => /^ {2}\S/.test(l) && !/^ {2}[A-Z][A-Za-z ]+:/.test(l) && l.includes(SHOWN)).length,
    ).toBeGreaterThanOrEqual(3);
  });
});

describe('-o json and -o yaml keep every string exact and put nothing raw on the terminal', () => {
  it('round-trips any string, as key and value (property)', () => {
    fc.assert(
      fc.property(mixed, mixed, (k, v) => {
        const value = { metadata: { annotations: { [k]: v } }, list: [v, 'plain'], multi: `first\nsecond ${v}` };
        const json = toJson(value);
        const yaml = toYaml(value);
        expect(json).not.toMatch(RAW);
        expect(yaml.replace(/[\t]/g, '')).not.toMatch(RAW);
        expect(JSON.parse(json)).toEqual(value);
        expect(parse(yaml)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps plain and block styles for strings without hostile characters', () => {
    expect(toYaml({ a: 'plain', b: 'two\nlines' })).toBe('a: plain\nb: |-\n  two\n  lines\n');
  });
});

describe('the controller log on a terminal (pino-pretty)', () => {
  it('keeps its colours and shows manifest strings in messages, fields and errors without raw escapes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sparkctl-pretty-'));
    try {
      const file = join(dir, 'log');
      const fd = openSync(file, 'w');
      const log = pino({}, prettyTerminalDestination(fd, true));
      log.info({ job: HOSTILE, nested: { message: HOSTILE } }, `Released ${HOSTILE}`);
      log.error({ err: new Error(`boom ${HOSTILE}`) }, 'Failed');
      closeSync(fd);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(COLOUR);
      expect(text.replace(SGR, '').replace(/[\n]/g, '')).not.toMatch(RAW);
      expect(text).toContain('\\u202e');
      expect(text).toContain('Released');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
