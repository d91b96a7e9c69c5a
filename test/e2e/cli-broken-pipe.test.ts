import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

/** Runs `sparkctl ARGS | head -1` in bash with pipefail; returns sparkctl's own exit status and stderr. */
function throughHead(ws: Workspace, args: readonly string[]): { status: string; stderr: string; first: string } {
  const quoted = [...ws.flags, ...args].map((a) => `'${a}'`).join(' ');
  const script = `set -o pipefail; "${process.execPath}" '${BIN}' ${quoted} 2>"$ERRFILE" | head -1; echo "exit=\${PIPESTATUS[0]}"; cat "$ERRFILE" >&2`;
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, ERRFILE: `${ws.root}/stderr.txt` },
    timeout: 60_000,
  });
  const lines = r.stdout.split('\n');
  return { first: lines[0] ?? '', status: lines.find((l) => l.startsWith('exit=')) ?? '', stderr: r.stderr };
}

describe('sparkctl when the reader of its output goes away', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  it('get -o yaml | head -1 exits 0 with no EPIPE stack trace', async () => {
    ws = await createWorkspace();
    // Enough output (about 150 KB) that the writer is still writing when head has gone.
    for (let i = 0; i < 200; i++) await ws.write(`job-${i}.yaml`, fakeJob(`job-${i}`, '', `  annotations: {note: "${'x'.repeat(400)}"}\n`));
    const r = throughHead(ws, ['get', '-o', 'yaml']);
    expect(r.first).toBe('apiVersion: sparkctl.io/v1alpha1');
    expect(r.stderr).not.toMatch(/EPIPE|Error|^\s+at /m);
    expect(r.status).toBe('exit=0');
    // Every verb with long output, not only get.
    for (const args of [['describe'], ['get', '-o', 'json'], ['schema'], ['validate', ws.jobsDir]]) {
      const other = throughHead(ws, args);
      expect(other.first.length, args.join(' ')).toBeGreaterThan(0);
      expect(other.stderr, args.join(' ')).not.toMatch(/EPIPE|^\s+at /m);
      expect(other.status, args.join(' ')).toBe('exit=0');
    }
  });

  it('get -w stops quietly, exit 0, at its next write after the reader has gone', async () => {
    ws = await createWorkspace();
    await ws.write('a.yaml', fakeJob('a'));
    const watcher = ws.start(['get', '-w', '-o', 'name']);
    await watcher.waitFor(/sparkjob\/a\n/);
    watcher.child.stdout!.destroy();
    await ws.write('b.yaml', fakeJob('b'));
    expect(await watcher.exited()).toBe(0);
    expect(watcher.stderr()).not.toMatch(/EPIPE|Error|^\s+at /m);
  });
});
