import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

const invalid = (name: string, labels: string, problem = 'image: x') =>
  `apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata:\n  name: ${name}\n  labels: ${labels}\nspec:\n  ${problem}\n`;

describe('sparkctl get output options', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  const jobs = async () => {
    ws = await createWorkspace();
    await ws.write('b.yaml', fakeJob('b', '', '  labels: {team: ml, sparkctl.io/tier: gold}\n'));
    await ws.write('a.yaml', fakeJob('a', '', '  labels: {team: geo}\n'));
    await ws.write('c.yaml', invalid('c', '{team: ads}'));
  };

  it('--no-headers, --sort-by, --show-labels and -L', async () => {
    await jobs();
    const r = await ws.run(['get', '--no-headers', '--sort-by', '{.metadata.labels.team}', '-L', 'team,sparkctl.io/tier', '--show-labels']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{3,}/));
    expect(rows.map((c) => c[0])).toEqual(['c', 'a', 'b']);
    expect(rows[2]!.slice(-3)).toEqual(['ml', 'gold', 'sparkctl.io/tier=gold,team=ml']);
    const headers = (await ws.run(['get', '-L', 'sparkctl.io/tier'])).stdout.split('\n')[0];
    expect(headers).toMatch(/^NAME +PHASE +ATTEMPTS +AGE +MESSAGE +TIER$/);
  });

  it('-o jsonpath=TEMPLATE (with range) and -o custom-columns', async () => {
    await jobs();
    const names = await ws.run(['get', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(names.stdout).toBe('a b c');
    const ranged = await ws.run(['get', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}']);
    expect(ranged.stdout).toBe('a\tPending\nb\tPending\nc\tInvalid\n');
    expect((await ws.run(['get', 'a', '-o', 'jsonpath={.spec.image}'])).stdout).toBe('sparkctl/spark-fake:test');
    const cols = await ws.run(['get', '-o', 'custom-columns=NAME:.metadata.name,TEAM:.metadata.labels.team,CORES:.spec.driver.cores']);
    expect(cols.stdout).toBe('NAME   TEAM   CORES\na      geo    0.5\nb      ml     0.5\nc      ads    <none>\n');
    const bad = await ws.run(['get', '-o', 'custom-columns=NAME']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not HEADER:PATH');
  });

  it('set-based selectors: in, notin; malformed ones are usage errors', async () => {
    await jobs();
    expect((await ws.run(['get', '-o', 'name', '-l', 'team in (geo,ml)'])).stdout).toBe('sparkjob/a\nsparkjob/b\n');
    expect((await ws.run(['get', '-o', 'name', '-l', 'team notin (geo,ml)'])).stdout).toBe('sparkjob/c\n');
    const bad = await ws.run(['get', '-l', 'team in (geo']);
    expect(bad.code).toBe(2);
  });

  it("on a terminal the plain table cuts MESSAGE to the terminal's width; a pipe never cuts it", async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', invalid('a', '{}', `image: ${'x'.repeat(150)}\n  mainApplicationFile: 3`));
    const flags = ws.flags.map((f) => `'${f}'`).join(' ');
    const tty = spawnSync('script', ['-qec', `stty cols 100; '${process.execPath}' '${BIN}' ${flags} get 2>/dev/null`, '/dev/null'], {
      encoding: 'utf8',
    });
    // Colour codes (the PHASE column on a terminal) take no room on screen.
    const lines = tty.stdout
      .replace(/\r/g, '')
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
      .trimEnd()
      .split('\n');
    const row = lines.find((l) => l.startsWith('a '))!;
    expect(row.length).toBeLessThanOrEqual(100);
    expect(row.length).toBeGreaterThan(80);
    expect(row.endsWith('…')).toBe(true);
    // -o wide adds its columns after MESSAGE and never cuts it, on a terminal too.
    const wide = spawnSync(
      'script',
      ['-qec', `stty cols 100; '${process.execPath}' '${BIN}' ${flags} get -o wide 2>/dev/null`, '/dev/null'],
      {
        encoding: 'utf8',
      },
    );
    const wideRow = wide.stdout
      .replace(/\r/g, '')
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
      .split('\n')
      .find((l) => l.startsWith('a '))!;
    expect(wideRow).not.toContain('…');
    expect(wideRow).toMatch(/got number 3: quote it \("3"\) +<none> +<none> +<none>$/);
    const piped = await ws.run(['get']);
    expect(piped.stdout).not.toContain('…');
    expect(piped.stdout).toContain('got number 3: quote it ("3")\n');
  });
});
