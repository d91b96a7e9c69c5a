import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { journalPaths } from '../../src/state/journal-paths.js';
import { BIN, createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

// A hostile string as a committer would plant it: an OSC 52 clipboard write (ESC ] … BEL), a
// screen clear (ESC [ 2 J), a right-to-left override and a C1 CSI (U+009B).
const HOSTILE = 'A\u001b]52;c;SGVsbG8=\u0007B\u001b[2JC\u202eD\u009bE';
const SHOWN = 'A\\x1b]52;c;SGVsbG8=\\x07B\\x1b[2JC\\u202eD\\x9bE';
// The same in a YAML double-quoted scalar.
const IN_YAML = '"A\\e]52;c;SGVsbG8=\\aB\\e[2JC\\u202eD\\x9bE"';
// Anything a terminal would act on (line breaks aside); `script` adds \r before \n.
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// Colour (SGR) sequences, the only escapes allowed through.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/** Asserts that output carries no raw control or bidi character and shows the hostile string escaped. */
function expectEscaped(text: string, times = 1): void {
  expect(text).not.toMatch(RAW);
  expect(text.split(SHOWN).length - 1, text).toBeGreaterThanOrEqual(times);
}

describe('user strings never reach the terminal raw', () => {
  let ws: Workspace;
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    await ws?.close();
  });

  /** A job whose annotation, label value, status message, condition, event and driver log carry the hostile string. */
  const hostileWorkspace = async () => {
    ws = await createWorkspace();
    await ws.write(
      'hostile.yaml',
      fakeJob('hostile', '', `  labels: {team: ${IN_YAML}}\n  annotations: {note: ${IN_YAML}, ${IN_YAML}: x}\n`),
    );
    // An invalid manifest whose validation message quotes the unknown field it refused.
    await ws.write('invalid.yaml', fakeJob('invalid', `  ${IN_YAML}: 1\n`));
    const now = new Date().toISOString();
    const status = {
      phase: 'Failed',
      message: `driver exited with code 3: ${HOSTILE}`,
      conditions: [{ type: 'Stalled', status: 'True', reason: 'DriverFailed', message: `condition ${HOSTILE}`, lastTransitionTime: now }],
      submissionAttempts: 1,
      executionAttempts: 1,
      exitCode: 3,
    };
    await mkdir(journalPaths.logs(ws.stateDir, 'hostile'), { recursive: true });
    await writeFile(
      journalPaths.record(ws.stateDir, 'hostile'),
      JSON.stringify({ name: 'hostile', file: 'hostile.yaml', status, snapshot: { context: { attempt: 1 } }, updatedAt: now }),
    );
    const events = [
      { time: now, type: 'Warning', reason: 'DriverFailed', message: `event ${HOSTILE}`, attempt: 1 },
      { time: now, type: 'Normal', reason: 'Submitted', message: 'Submitted', attempt: 1 },
    ];
    await writeFile(journalPaths.events(ws.stateDir, 'hostile'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await writeFile(journalPaths.log(ws.stateDir, 'hostile', 1), `\u001b[31mERROR\u001b[0m log ${HOSTILE}\nnext line\n`);
  };

  it('get, get -o wide, get -o name, describe and events show control and bidi characters escaped', async () => {
    await hostileWorkspace();
    const table = await ws.run(['get']);
    expect(table.code).toBe(0);
    expectEscaped(table.stdout);
    expect(table.stdout).toMatch(/hostile +Failed +1 +\S+ +driver exited with code 3: A\\x1b/);
    // The invalid manifest's message quotes the refused value: escaped too.
    expect(table.stdout).toMatch(/invalid +Invalid .*unknown field 'A\\x1b\]52/);
    const wide = await ws.run(['get', '-o', 'wide']);
    expectEscaped(wide.stdout);
    expect((await ws.run(['get', '-o', 'name'])).stdout).toBe('sparkjob/hostile\nsparkjob/invalid\n');

    const described = await ws.run(['describe', 'hostile']);
    expect(described.code).toBe(0);
    expect(described.stdout).not.toMatch(RAW);
    expect(described.stdout).toMatch(/^Labels: +team=A\\x1b\]52/m);
    expect(described.stdout).toContain(`note=${SHOWN}`);
    expect(described.stdout).toContain(`${SHOWN}=x`);
    expect(described.stdout).toMatch(/^ {2}Message: +driver exited with code 3: A\\x1b\]52/m);
    expect(described.stdout).toContain(`condition ${SHOWN}`);
    expect(described.stdout).toContain(`event ${SHOWN}`);
    const invalid = await ws.run(['describe', 'invalid']);
    expect(invalid.stdout).toMatch(/^Validation Errors:\n {2}\d+:\d+: spec\.A\\x1b\]52.*: unknown field 'A\\x1b\]52/m);
    expect(invalid.stdout).not.toMatch(RAW);

    const events = await ws.run(['events']);
    expect(events.code).toBe(0);
    expectEscaped(events.stdout);
    expect(events.stdout).toMatch(/Warning +DriverFailed +sparkjob\/hostile +1 +event A\\x1b/);
    const one = await ws.run(['events', 'hostile']);
    expectEscaped(one.stdout);
  });

  it('a file name carrying escapes is shown escaped by get (every format but json/yaml), validate and describe', async () => {
    ws = await createWorkspace();
    // A manifest without a usable name is listed under its file name.
    await ws.write(`bad${HOSTILE}.yaml`, 'kind: NotAJob\n');
    const shownFile = `bad${SHOWN}.yaml`;
    expect((await ws.run(['get', '-o', 'name'])).stdout).toBe(`sparkjob/${shownFile}\n`);
    const table = await ws.run(['get', '-o', 'wide']);
    expect(table.stdout).not.toMatch(RAW);
    expect(table.stdout).toContain(`${shownFile}   Invalid`);
    const validate = await ws.run(['validate', ws.jobsDir]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).not.toMatch(RAW);
    expect(validate.stdout).toContain(shownFile);
    const described = await ws.run(['describe', `bad${HOSTILE}.yaml`]);
    expect(described.stdout + described.stderr).not.toMatch(RAW);
    expect(described.stdout).toMatch(/^Name: +badA\\x1b\]52/m);
    const json = JSON.parse((await ws.run(['get', '-o', 'json'])).stdout) as { items: Array<{ kind: string }> };
    expect(json.items[0]!.kind).toBe('NotAJob');
  });

  it('get -o json and -o yaml keep the exact strings (escaped by the encoder, nothing raw)', async () => {
    await hostileWorkspace();
    const json = await ws.run(['get', 'hostile', '-o', 'json']);
    expect(json.stdout).not.toMatch(RAW);
    const obj = JSON.parse(json.stdout) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      status: { message: string };
    };
    expect(obj.metadata.annotations.note).toBe(HOSTILE);
    expect(obj.metadata.annotations[HOSTILE]).toBe('x');
    expect(obj.metadata.labels.team).toBe(HOSTILE);
    expect(obj.status.message).toBe(`driver exited with code 3: ${HOSTILE}`);
    const yaml = await ws.run(['get', 'hostile', '-o', 'yaml']);
    expect(yaml.stdout).not.toMatch(RAW);
    expect(parse(yaml.stdout)).toEqual(obj);
    // The list forms too, and a round trip through apply changes nothing.
    const list = await ws.run(['get', '-o', 'json']);
    expect(list.stdout).not.toMatch(RAW);
    const applied = await ws.run(['apply', '-f', '-'], { input: (await ws.run(['get', 'hostile', '-o', 'json'])).stdout });
    expect(applied.stdout).toBe('sparkjob/hostile unchanged\n');
  });

  it('validate, wait and error messages quote manifest content escaped', async () => {
    await hostileWorkspace();
    const validate = await ws.run(['validate', ws.jobsDir]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).not.toMatch(RAW);
    expect(validate.stdout).toContain(`invalid.yaml:13:3: spec.${SHOWN}: unknown field '${SHOWN}'`);
    const wait = await ws.run(['wait', 'hostile', '--for', 'condition=Succeeded', '--timeout', '5s']);
    expect(wait.code).toBe(1);
    expect(wait.stderr).not.toMatch(RAW);
    expect(wait.stderr).toContain(`(driver exited with code 3: ${SHOWN})`);
  });

  it('logs copies the driver log exactly into a pipe, and on a terminal keeps colours but escapes every other sequence', async () => {
    await hostileWorkspace();
    const logText = await readFile(journalPaths.log(ws.stateDir, 'hostile', 1), 'utf8');
    const piped = await ws.run(['logs', 'hostile']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(logText);
    // `script` runs the CLI on a pseudo-terminal (its stdout is a TTY) and copies what it printed.
    const command = [process.execPath, BIN, ...ws.flags, 'logs', 'hostile'].map((a) => `'${a}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' } });
    const shown = stdout.replace(/\r\n/g, '\n');
    expect(shown).toContain(`\u001b[31mERROR\u001b[0m log ${SHOWN}\nnext line\n`);
    expect(shown.replace(SGR, '')).not.toMatch(RAW);
  });

  it('the controller log on a terminal (pino-pretty) shows manifest strings without raw escapes', async () => {
    ws = await createWorkspace();
    await ws.write('invalid.yaml', fakeJob('invalid', `  ${IN_YAML}: 1\n`));
    const command = [process.execPath, BIN, ...ws.flags, 'controller', '--exit-when-idle'].map((a) => `'${a}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, SPARKCTL_LOG_LEVEL: 'info' },
      timeout: 60_000,
    });
    // The invalid manifest is logged with its message, which quotes the hostile field name.
    expect(stdout).toMatch(/Manifest is invalid/);
    expect(stdout).toContain('C\\u202eD');
    expect(stdout.replace(SGR, '').replace(/\r\n/g, '\n')).not.toMatch(RAW);
  });
});
