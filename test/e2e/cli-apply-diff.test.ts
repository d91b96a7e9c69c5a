import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const withSecret = (name: string, secret: string, arg = '10') =>
  fakeJob(name, `  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m, env: [{name: TOKEN, value: ${secret}, secret: true}]}\n`)
    .replace('  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}\n', '')
    .replace('["10"]', `["${arg}"]`);

describe('sparkctl apply --dry-run, diff -f and validate -', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('apply --dry-run says what would happen and writes nothing; apply into a missing jobs folder fails', async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', fakeJob('pi'));
    const input = `${fakeJob('pi', '  suspend: true\n')}---\n${fakeJob('fresh')}`;
    const dry = await ws.run(['apply', '-f', '-', '--dry-run'], { input });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('sparkjob/pi configured (dry run)\nsparkjob/fresh created (dry run)\n');
    expect(await readdir(ws.jobsDir)).toEqual(['pi.yaml']);
    expect(await readFile(join(ws.jobsDir, 'pi.yaml'), 'utf8')).toBe(fakeJob('pi'));
    const missing = await ws.run(['--jobs', join(ws.root, 'nope'), 'apply', '-f', '-'], { input: fakeJob('x') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
    expect(existsSync(join(ws.root, 'nope'))).toBe(false);
  });

  it('diff -f prints a unified diff of what apply would change (secrets masked), exit 1; 0 when equal; 2+ on invalid input', async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', withSecret('pi', 'old-hunter2'));
    const same = await ws.run(['diff', '-f', '-'], { input: withSecret('pi', 'old-hunter2') });
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');
    const changed = await ws.run(['diff', '-f', '-'], { input: withSecret('pi', 'new-hunter3', '20') });
    expect(changed.code).toBe(1);
    const path = join(ws.jobsDir, 'pi.yaml');
    expect(changed.stdout).toContain(`--- ${path}\n+++ ${path}\n@@ `);
    expect(changed.stdout).toContain('\n-  arguments: ["10"]\n');
    expect(changed.stdout).toContain('\n+  arguments: ["20"]\n');
    expect(changed.stdout).not.toMatch(/hunter/);
    expect(changed.stdout).toContain('******');
    const created = await ws.run(['diff', '-f', '-'], { input: fakeJob('fresh') });
    expect(created.code).toBe(1);
    expect(created.stdout).toMatch(/^--- \/dev\/null\n\+\+\+ .*fresh\.yaml\n@@ -0,0 \+1,\d+ @@\n\+# fresh: a test job\n/);
    expect(existsSync(join(ws.jobsDir, 'fresh.yaml'))).toBe(false);
    const bad = await ws.run(['diff', '-f', '-'], { input: 'kind: SparkJob\n' });
    expect(bad.code).toBeGreaterThanOrEqual(2);
  });

  it('validate - reads stdin', async () => {
    ws = await createWorkspace();
    const ok = await ws.run(['validate', '-'], { input: fakeJob('pi') });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('<stdin>: sparkjob/pi valid\nstdin checked: 1 valid, 0 invalid\n');
    const bad = await ws.run(['validate', '-'], {
      input: 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: b\nspec:\n  image: x\n',
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^<stdin>:\d+:\d+: spec\.mainApplicationFile: /m);
  });
});
