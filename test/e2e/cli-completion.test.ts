import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

describe('sparkctl completion bash', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  /** Completes a command line (words as bash splits them, `=` apart) with the generated script. */
  async function completer(): Promise<(line: string) => string[]> {
    const script = join(ws.root, 'sparkctl.bash');
    await writeFile(script, (await ws.run(['completion', 'bash'])).stdout);
    await mkdir(join(ws.root, 'bin'));
    const wrapper = join(ws.root, 'bin', 'sparkctl');
    await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(wrapper, 0o755);
    return (line) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "${script}"; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _sparkctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {
          env: { ...process.env, PATH: `${join(ws.root, 'bin')}:${process.env.PATH ?? ''}` },
          encoding: 'utf8',
        },
      )
        .trim()
        .split('\n')
        .filter(Boolean)
        .sort();
  }

  it('completes after --for= and --for condition=, global flags after the verb, and names with globals after the verb', async () => {
    ws = await createWorkspace();
    await ws.write('pi.yaml', fakeJob('pi'));
    await ws.write('wc.yaml', fakeJob('wc'));
    await mkdir(join(ws.root, 'manifests-dir'));
    const complete = await completer();
    expect(complete('sparkctl wait pi --for = c')).toEqual([
      'condition=Reconciling=False',
      'condition=Stalled',
      'condition=Succeeded',
      'condition=Succeeded=False',
    ]);
    expect(complete('sparkctl wait pi --for = d')).toEqual(['delete']);
    expect(complete('sparkctl wait pi --for condition = S')).toEqual(['Stalled', 'Succeeded']);
    expect(complete('sparkctl wait pi --for = condition = R')).toEqual(['Reconciling']);
    expect(complete('sparkctl wait pi --for = phase = Su')).toEqual(['Succeeded', 'Suspended']);
    expect(complete('sparkctl describe --st')).toEqual(['--state-dir']);
    expect(complete(`sparkctl describe --jobs ${ws.jobsDir} --state-dir ${ws.stateDir} ''`)).toEqual(['pi', 'wc']);
    expect(complete(`sparkctl apply -f ${ws.root}/manifests-`)).toEqual([`${ws.root}/manifests-dir`]);
  });
});
