import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[\\d+m`);

describe('sparkctl read verbs over a jobs folder without a controller', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  const twoJobs = async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', fakeJob('pi', '', '  labels: {team: geo, tier: batch}\n'));
    await ws.write('etl/wordcount.yaml', fakeJob('wordcount', '', '  labels: {team: ads}\n'));
    await ws.write('broken.yaml', 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: broken\nspec:\n  image: x\n');
  };

  it('get lists every manifest: valid ones Pending, invalid ones Invalid with the error; warns that no controller runs', async () => {
    await twoJobs();
    const r = await ws.run(['get']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: no controller is running for ${ws.jobsDir} (state dir ${ws.stateDir}); status may be stale`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {8}PHASE {5}ATTEMPTS {3}AGE {3}MESSAGE$/);
    for (const l of lines) expect(l.slice(12, 13), l).not.toBe(' ');
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/).slice(0, 3))).toEqual([
      ['broken', 'Invalid', '0'],
      ['pi', 'Pending', '0'],
      ['wordcount', 'Pending', '0'],
    ]);
    expect(lines[1]).toContain("spec.mainApplicationFile: missing required field 'mainApplicationFile'");
    expect(lines[2]).toMatch(/ \d+s {3}/);
    expect(r.stdout).not.toMatch(ANSI);
    for (const l of lines) expect(l).not.toMatch(/\s$/);
  });

  it('get -o wide adds BACKEND, DRIVER and MASTER; -o name prints sparkjob/NAME; -l filters by labels', async () => {
    await twoJobs();
    const wide = await ws.run(['get', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME +PHASE +ATTEMPTS +AGE +MESSAGE +BACKEND +DRIVER +MASTER$/);
    expect(wide.stdout).toMatch(/pi +Pending .* docker +<none> +local\[\*\]/);
    const names = await ws.run(['get', '-o', 'name']);
    expect(names.stdout).toBe('sparkjob/broken\nsparkjob/pi\nsparkjob/wordcount\n');
    expect((await ws.run(['get', '-o', 'name', '-l', 'team=geo'])).stdout).toBe('sparkjob/pi\n');
    expect((await ws.run(['get', '-o', 'name', '-l', 'team!=geo,team'])).stdout).toBe('sparkjob/wordcount\n');
    expect((await ws.run(['get', '-o', 'name', '-l', '!tier'])).stdout).toBe('sparkjob/broken\nsparkjob/wordcount\n');
    const none = await ws.run(['get', '-l', 'team=nobody']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No SparkJobs found');
    const bad = await ws.run(['get', '-l', 'team=a b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'a b' is not a label value");
  });

  it('get -o json prints a SparkJobList of the manifests as written plus status; get NAME -o json|yaml prints the object', async () => {
    await twoJobs();
    const list = JSON.parse((await ws.run(['get', '-o', 'json'])).stdout) as {
      apiVersion: string;
      kind: string;
      items: Array<Record<string, unknown>>;
    };
    expect(list.apiVersion).toBe('sparkctl.io/v1alpha1');
    expect(list.kind).toBe('SparkJobList');
    expect(list.items.map((i) => (i.metadata as { name: string }).name)).toEqual(['broken', 'pi', 'wordcount']);
    const pi = list.items[1]!;
    expect(Object.keys(pi)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(pi.spec).toEqual({
      image: 'sparkctl/spark-fake:test',
      imagePullPolicy: 'Never',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      mainClass: 'org.apache.spark.examples.SparkPi',
      arguments: ['10'],
      driver: { cores: 0.5, memory: '64m', memoryOverhead: '16m' },
    });
    expect(pi.status).toMatchObject({ phase: 'Pending', executionAttempts: 0 });
    expect((list.items[0]!.status as { phase: string }).phase).toBe('Invalid');
    const one = JSON.parse((await ws.run(['get', 'pi', '-o', 'json'])).stdout) as Record<string, unknown>;
    expect(one).toEqual(pi);
    const yaml = await ws.run(['get', 'pi', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: sparkctl.io\/v1alpha1\nkind: SparkJob\nmetadata:\n {2}name: pi\n/);
    expect(yaml.stdout).toContain('status:\n  phase: Pending\n');
    expect((await ws.run(['get', '-o', 'yaml'])).stdout).toMatch(/^apiVersion: sparkctl.io\/v1alpha1\nkind: SparkJobList\nitems:\n/);
  });

  it('get -o json masks secret env values', async () => {
    ws = await createWorkspace();
    await ws.write(
      's.yaml',
      fakeJob('s').replace(
        'memoryOverhead: 16m}',
        'memoryOverhead: 16m, env: [{name: TOKEN, value: hunter2, secret: true}, {name: MODE, value: fast}]}',
      ),
    );
    const r = await ws.run(['get', 's', '-o', 'json']);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stdout).toContain('******');
    expect(r.stdout).toContain('fast');
    expect((await ws.run(['describe', 's'])).stdout).not.toContain('hunter2');
  });

  it('colours the phase only when asked on a non-terminal, and never with NO_COLOR', async () => {
    await twoJobs();
    const forced = await ws.run(['get'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`${ESC}[31mInvalid`);
    const off = await ws.run(['get'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(off.stdout).not.toMatch(ANSI);
  });

  it('an unknown name exits 1 with "did you mean"; usage errors exit 2; a missing jobs folder exits 1', async () => {
    await twoJobs();
    const verbs = ['get', 'describe', 'logs', 'events', 'delete', 'suspend', 'resume', 'rerun'];
    const results = await Promise.all(verbs.map((verb) => ws.run([verb, 'pie'])));
    results.forEach((r, i) => {
      expect(r.code, verbs[i]).toBe(1);
      expect(r.stderr, verbs[i]).toContain(`Error: SparkJob "pie" not found in ${ws.jobsDir}; did you mean "pi"?`);
    });
    const far = await ws.run(['describe', 'zzzzzzzzzz']);
    expect(far.stderr).toContain('Error: SparkJob "zzzzzzzzzz" not found');
    expect(far.stderr).not.toContain('did you mean');
    const usage = [
      ['get', '-o', 'xml'],
      ['describe', 'pi', '-l', 'team=geo'],
      ['delete'],
      ['wait', 'pi'],
      ['wait', 'pi', '--for', 'ready'],
      ['wait', 'pi', '--for', 'phase=Done'],
      ['wait', 'pi', '--for', 'phase=Failed', '--timeout', 'soon'],
      ['logs', 'pi', '--attempt', 'zero'],
      ['apply'],
      ['frobnicate'],
    ];
    const codes = await Promise.all(usage.map((args) => ws.run(args).then((r) => [args.join(' '), r.code])));
    expect(codes).toEqual(usage.map((args) => [args.join(' '), 2]));
    const missing = await ws.run(['--jobs', join(ws.root, 'nope'), 'get']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('describe shows the spec summary, status, conditions, attempts and events sections; validation errors for an invalid job', async () => {
    await twoJobs();
    const r = await ws.run(['describe', 'pi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +pi\nFile: +pi.yaml\nLabels: +team=geo, tier=batch\n/);
    for (const section of ['Spec:\n', 'Status:\n', 'Conditions:\n', 'Attempts:\n', 'Events:\n']) expect(r.stdout).toContain(section);
    expect(r.stdout).toMatch(/ Image: +sparkctl\/spark-fake:test \(pull Never\)/);
    expect(r.stdout).toMatch(/ Phase: +Pending/);
    const broken = await ws.run(['describe', 'broken']);
    expect(broken.stdout).toContain("Validation Errors:\n  5:1: spec.mainApplicationFile: missing required field 'mainApplicationFile'");
  });

  it('wait times out on a job nobody runs (exit 1 after --timeout), and logs without a log exits 1', async () => {
    await twoJobs();
    const r = await ws.run(['wait', 'pi', '--for', 'condition=Succeeded', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: timed out after 1s waiting for condition=Succeeded on SparkJob "pi" (phase Pending)');
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect(r.ms).toBeLessThan(6000);
    const invalid = await ws.run(['wait', 'broken', '--for', 'condition=Succeeded', '--timeout', '30s']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('reached phase Invalid');
    expect(invalid.ms).toBeLessThan(6000);
    expect((await ws.run(['wait', 'broken', '--for', 'phase=Invalid'])).code).toBe(0);
    const logs = await ws.run(['logs', 'pi']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('has no driver log yet (phase Pending)');
    const events = await ws.run(['events']);
    expect(events.code).toBe(0);
    expect(events.stderr).toContain('No events found');
  });

  it('--help on every verb shows an example', async () => {
    ws = await createWorkspace();
    const verbs = ['get', 'describe', 'logs', 'events', 'wait', 'apply', 'delete', 'suspend', 'resume', 'rerun', 'completion'];
    const results = await Promise.all(verbs.map((verb) => ws.run([verb, '--help'])));
    results.forEach((r, i) => {
      expect(r.code, verbs[i]).toBe(0);
      expect(r.stdout, verbs[i]).toMatch(/Examples?:\n {2}.*sparkctl \w/);
    });
  });

  it('completion bash is valid bash and completes verbs, flags and job names from the folder', async () => {
    await twoJobs();
    const r = await ws.run(['completion', 'bash']);
    expect(r.code).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'sparkctl-completion-'));
    try {
      const script = join(dir, 'sparkctl.bash');
      await writeFile(script, r.stdout);
      execFileSync('bash', ['-n', script]);
      await mkdir(join(dir, 'bin'));
      const wrapper = join(dir, 'bin', 'sparkctl');
      await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
      await chmod(wrapper, 0o755);
      const complete = (line: string) =>
        execFileSync(
          'bash',
          [
            '-c',
            `source "${script}"; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _sparkctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          {
            env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
            encoding: 'utf8',
          },
        )
          .trim()
          .split('\n');
      expect(complete('sparkctl de').sort()).toEqual(['delete', 'describe']);
      expect(complete(`sparkctl --jobs ${ws.jobsDir} --state-dir ${ws.stateDir} describe ''`).sort()).toEqual([
        'broken',
        'pi',
        'wordcount',
      ]);
      expect(complete(`sparkctl --jobs ${ws.jobsDir} logs p`)).toEqual(['pi']);
      expect(complete('sparkctl get -o j')).toEqual(['json', 'jsonpath=']);
      expect(complete('sparkctl wait pi --f')).toEqual(['--for']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const zsh = await ws.run(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef sparkctl\n/);
    expect(zsh.stdout).toContain("'describe:Show one SparkJob in detail");
    expect((await ws.run(['completion', 'fish'])).code).toBe(2);
  });
});
