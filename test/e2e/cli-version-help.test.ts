import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli } from './support/cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('sparkctl version and help', () => {
  beforeAll(() => ensureBuilt());

  it('version and --version print the package version', async () => {
    const v = await runCli(['version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^sparkctl version ${VERSION.replace(/\./g, '\\.')} \\(node v\\d+`));
    const flag = await runCli(['--version']);
    expect(flag.code).toBe(0);
    expect(flag.stdout).toBe(`${VERSION}\n`);
  });

  it('bare sparkctl prints its help to stdout and exits 0', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: sparkctl /);
    expect(r.stdout).toContain('version');
    expect(r.stderr).toBe('');
  });

  it("usage errors use one prefix and point at the verb's own help; verb help lists the global flags", async () => {
    const bad = await runCli(['get', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("Error: unknown option '--bogus'\nsee 'sparkctl get --help'\n");
    const verb = await runCli(['frobnicate']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toMatch(/^Error: unknown command 'frobnicate'\nsee 'sparkctl --help'\n$/);
    // A value the verb itself checks after parsing (a duration) is said the same way, not a silent exit 2.
    const duration = await runCli(['controller', '--relist-interval', 'soon']);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toBe(
      "Error: --relist-interval takes a duration such as 30s, 5m or 1h30m, got 'soon'\nsee 'sparkctl controller --help'\n",
    );
    const help = await runCli(['get', '--help']);
    expect(help.stdout).toMatch(/Global Options:\n.*--jobs <dir>[\s\S]*--state-dir <dir>/);
  });
});
