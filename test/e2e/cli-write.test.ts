import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const STATUS = `status:
  phase: Succeeded
  conditions: []
  submissionAttempts: 1
  executionAttempts: 1
  message: Driver completed with exit code 0
`;

describe('sparkctl write verbs over a jobs folder (no controller needed)', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('suspend, resume and rerun change only their field; every other byte stays', async () => {
    ws = await createWorkspace();
    const text = fakeJob('pi', '  # keep me\n  restartPolicy: {type: Never}\n', '  labels: {team: geo}   # owners\n') + STATUS;
    const file = await ws.write('pi.yaml', text);
    const s = await ws.run(['suspend', 'pi']);
    expect(s.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(
      text.replace('  restartPolicy: {type: Never}\n', '  restartPolicy: {type: Never}\n  suspend: true\n'),
    );
    await ws.run(['resume', 'pi']);
    expect(await readFile(file, 'utf8')).toBe(
      text.replace('  restartPolicy: {type: Never}\n', '  restartPolicy: {type: Never}\n  suspend: false\n'),
    );
    const before = await readFile(file, 'utf8');
    const r = await ws.run(['rerun', 'pi']);
    expect(r.stdout).toBe('sparkjob/pi rerun requested\n');
    const after = await readFile(file, 'utf8');
    const m = /\n {2}annotations:\n {4}sparkctl\.io\/requestedAt: "(\d{4}-\d\d-\d\dT[\d:.]+Z)"\n/.exec(after);
    expect(m).not.toBeNull();
    expect(after.replace(m![0], '\n')).toBe(before);
    expect(Math.abs(Date.parse(m![1]!) - Date.now())).toBeLessThan(60_000);
  });

  it('apply creates <name>.yaml, updates the file that already holds the name keeping its status, and says unchanged', async () => {
    ws = await createWorkspace();
    const src = join(ws.root, 'src');
    await mkdir(src);
    const newJob = join(src, 'new.yaml');
    await writeFile(newJob, fakeJob('fresh'));
    const created = await ws.run(['apply', '-f', newJob]);
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('sparkjob/fresh created\n');
    expect(await readFile(join(ws.jobsDir, 'fresh.yaml'), 'utf8')).toBe(fakeJob('fresh'));
    expect((await ws.run(['apply', '-f', newJob])).stdout).toBe('sparkjob/fresh unchanged\n');

    const existing = await ws.write('team/old-name.yaml', fakeJob('kept') + STATUS);
    const update = join(src, 'kept.yaml');
    await writeFile(update, `${fakeJob('kept', '  suspend: true\n')}status:\n  phase: Failed\n`);
    const configured = await ws.run(['apply', '-f', update]);
    expect(configured.stdout).toBe('sparkjob/kept configured\n');
    expect(await readFile(existing, 'utf8')).toBe(fakeJob('kept', '  suspend: true\n') + STATUS);
    expect((await readdir(ws.jobsDir)).sort()).toEqual(['fresh.yaml', 'team']);
  });

  it('apply takes a folder, several documents from stdin and a SparkJobList', async () => {
    ws = await createWorkspace();
    const dir = join(ws.root, 'many');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'a.yaml'), fakeJob('a'));
    await writeFile(join(dir, 'sub', 'b.yml'), fakeJob('b'));
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    expect((await ws.run(['apply', '-f', dir])).stdout).toBe('sparkjob/a created\nsparkjob/b created\n');
    const stream = `${fakeJob('c')}---\n${fakeJob('d')}`;
    expect((await ws.run(['apply', '-f', '-'], { input: stream })).stdout).toBe('sparkjob/c created\nsparkjob/d created\n');
    expect(await readFile(join(ws.jobsDir, 'd.yaml'), 'utf8')).toBe(`---\n${fakeJob('d')}`);
    const list = JSON.stringify({
      apiVersion: 'sparkctl.io/v1alpha1',
      kind: 'SparkJobList',
      items: [
        {
          apiVersion: 'sparkctl.io/v1alpha1',
          kind: 'SparkJob',
          metadata: { name: 'e' },
          spec: { image: 'x', mainApplicationFile: 'local:///app.jar', mainClass: 'A' },
          status: { phase: 'Running' },
        },
      ],
    });
    expect((await ws.run(['apply', '-f', '-'], { input: list })).stdout).toBe('sparkjob/e created\n');
    const e = await readFile(join(ws.jobsDir, 'e.yaml'), 'utf8');
    expect(e).toBe(
      'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: e\nspec:\n  image: x\n  mainApplicationFile: local:///app.jar\n  mainClass: A\n',
    );
    const names = await ws.run(['get', '-o', 'name']);
    expect(names.stdout).toBe('sparkjob/a\nsparkjob/b\nsparkjob/c\nsparkjob/d\nsparkjob/e\n');
  });

  it('apply refuses invalid input as a whole with file:line:col errors (exit 1) and writes nothing', async () => {
    ws = await createWorkspace();
    const stream = `${fakeJob('ok')}---\n${fakeJob('bad').replace('imagePullPolicy: Never', 'imagePullPolicy: Sometimes')}`;
    const r = await ws.run(['apply', '-f', '-'], { input: stream });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: invalid input, nothing applied:\n<stdin>:21:20: spec.imagePullPolicy: .*Always.*\n$/);
    expect(await readdir(ws.jobsDir)).toEqual([]);
    const dup = await ws.run(['apply', '-f', '-'], { input: `${fakeJob('twice')}---\n${fakeJob('twice')}` });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('metadata.name: twice is already used by <stdin>; names must be unique in the jobs folder');
    const missing = await ws.run(['apply', '-f', join(ws.root, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    const masked = await ws.run(['apply', '-f', '-'], {
      input: fakeJob('m').replace('memoryOverhead: 16m}', 'memoryOverhead: 16m, env: [{name: T, value: "******", secret: true}]}'),
    });
    expect(masked.code).toBe(1);
    expect(masked.stderr).toContain('spec.driver.env T of SparkJob "m" carries the masked value ******');
    expect(await readdir(ws.jobsDir)).toEqual([]);
  });

  it('delete removes the manifest; delete --wait returns at once when the controller never knew the job', async () => {
    ws = await createWorkspace();
    const file = await ws.write('x.yaml', fakeJob('x'));
    await ws.write('y.yaml', fakeJob('y'));
    const r = await ws.run(['delete', 'x']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sparkjob/x deleted\n');
    await expect(readFile(file)).rejects.toThrow();
    const w = await ws.run(['delete', 'y', '--wait']);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('sparkjob/y deleted\nsparkjob/y released\n');
    expect(await readdir(ws.jobsDir)).toEqual([]);
  });
});
