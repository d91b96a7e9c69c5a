import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validatePaths } from '../../src/cli/commands/validate.js';
import { formatIssue } from '../../src/manifest/manifest-issue.js';
import { parseManifestText } from '../../src/manifest/parse-manifest.js';

/** A valid schedule; line numbers below refer to it (schedule on line 6, timeZone on line 7). */
const SCHEDULE = `apiVersion: sparkctl.io/v1alpha1
kind: ScheduledSparkJob
metadata:
  name: nightly-pi
spec:
  schedule: "0 2 * * *"
  timeZone: Europe/Berlin
  template:
    image: apache/spark:3.5.3
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar
    mainClass: org.apache.spark.examples.SparkPi
`;

describe('ScheduledSparkJob manifests', () => {
  it('parse with their defaults applied', () => {
    const parsed = parseManifestText(SCHEDULE, 'nightly.yaml');
    expect(parsed.ok && parsed.kind).toBe('ScheduledSparkJob');
    if (!parsed.ok || parsed.kind !== 'ScheduledSparkJob') return;
    expect(parsed.schedule.spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      successfulRunHistoryLimit: 3,
      failedRunHistoryLimit: 1,
      suspend: false,
    });
    expect(parsed.schedule.spec.template.mainClass).toBe('org.apache.spark.examples.SparkPi');
  });

  it.each([
    ['"61 * * * *"', 'spec.schedule: schedule is not a valid cron expression'],
    ['"* * *"', 'spec.schedule: schedule must have 5 fields'],
    ['"every night"', 'spec.schedule: schedule must have 5 fields'],
  ])('refuse the cron expression %s at its line and column, with a hint', (cron, start) => {
    const parsed = parseManifestText(SCHEDULE.replace('"0 2 * * *"', cron), 'nightly.yaml');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const lines = parsed.errors.map(formatIssue);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nightly\.yaml:6:13: /);
    expect(lines[0]).toContain(start);
    expect(lines[0]).toContain('e.g. "0 2 * * *"');
  });

  it('refuses an unknown time zone at spec.timeZone', () => {
    const parsed = parseManifestText(SCHEDULE.replace('Europe/Berlin', 'Mars/Olympus'), 'nightly.yaml');
    expect(parsed.ok ? [] : parsed.errors.map(formatIssue)).toEqual([
      'nightly.yaml:7:13: spec.timeZone: timeZone must be an IANA time zone name such as UTC or Europe/Berlin; "Mars/Olympus" is not known',
    ]);
  });

  it('refuses a bad template field at its path under spec.template', () => {
    const parsed = parseManifestText(SCHEDULE.replace('mainClass:', 'mainClas:'), 'nightly.yaml');
    expect(parsed.ok ? '' : parsed.errors.map(formatIssue).join('\n')).toMatch(
      /^nightly\.yaml:11:5: spec\.template\.mainClas: unknown field 'mainClas': did you mean 'mainClass'\?$/m,
    );
  });

  it('the example in examples/ is valid and points editors at the schedule schema', async () => {
    const text = await readFile(join(import.meta.dirname, '..', '..', 'examples', 'scheduled-pi.yaml'), 'utf8');
    const parsed = parseManifestText(text, 'examples/scheduled-pi.yaml');
    expect(parsed.ok ? [] : parsed.errors.map(formatIssue)).toEqual([]);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../crd-schemas/scheduledsparkjob.schema.json');
  });

  it('refuses a name too long for its runs', () => {
    const parsed = parseManifestText(SCHEDULE.replace('nightly-pi', 'n'.repeat(53)), 'nightly.yaml');
    expect(parsed.ok ? '' : parsed.errors.map(formatIssue).join('\n')).toContain('metadata.name: a schedule');
  });
});

describe('sparkctl validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-validate-schedule-'));
    await writeFile(join(dir, 'good.yaml'), SCHEDULE);
    await writeFile(join(dir, 'bad.yaml'), SCHEDULE.replace('nightly-pi', 'other').replace('"0 2 * * *"', '"0 25 * * *"'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('checks schedules as it checks jobs', async () => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((s: string) => {
      out += s;
      return true;
    }) as typeof process.stdout.write);
    let code: number;
    try {
      code = await validatePaths([dir], { quiet: false });
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(1);
    expect(out).toMatch(/bad\.yaml:6:13: spec\.schedule: schedule is not a valid cron expression/);
    expect(out).toMatch(/good\.yaml: valid/);
    expect(out).toContain('2 manifests checked: 1 valid, 1 invalid');
  });
});
