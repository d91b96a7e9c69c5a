import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Reservation } from '../../src/backends/ports.js';
import { createDockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { renderDescribe } from '../../src/cli/commands/describe.js';
import { loadJobViews } from '../../src/cli/find-job.js';
import { jobObject } from '../../src/cli/printers/job-object.js';
import { jobRow } from '../../src/cli/printers/job-row.js';
import { knownSecrets, maskEvents } from '../../src/cli/printers/mask-secrets.js';
import { Controller } from '../../src/controller/controller.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { createLogger } from '../../src/logger.js';
import { parseManifestText } from '../../src/manifest/parse-manifest.js';
import { phaseIs, readFileStatus, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers, uniqueId } from '../support/docker.js';

const manifest = (name: string, spec: string): string => `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata: {name: ${name}}
spec:
  image: sparkctl/spark-fake:test
  imagePullPolicy: Never
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  mainClass: org.apache.spark.examples.SparkPi
${spec}
`;
const issuesOf = (text: string): string[] => {
  const r = parseManifestText(text, 'job.yaml');
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('the schema refuses control characters where a manifest string reaches an argv or an environment', () => {
  it.each([
    ['an env value with NUL', '  driver: {env: [{name: T, value: "tok\\0en", secret: true}]}', 'spec.driver.env.0.value', 'U+0000'],
    ['an env value with ESC', '  driver: {env: [{name: T, value: "a\\eb"}]}', 'spec.driver.env.0.value', 'U+001B'],
    ['an argument with an OSC 52 clipboard write', '  arguments: ["\\e]52;c;eA==\\a"]', 'spec.arguments.0', 'U+001B'],
    ['an argument with a C1 CSI', '  arguments: ["a\\x9b2J"]', 'spec.arguments.0', 'U+009B'],
    ['a sparkConf key with NUL', '  sparkConf: {"spark.x\\0": "v"}', 'spec.sparkConf.spark.x\0', 'U+0000'],
    ['a sparkConf value with DEL', '  sparkConf: {spark.x: "v\\x7f"}', 'spec.sparkConf.spark.x', 'U+007F'],
    ['a mainClass with a line feed', '', 'spec.mainClass', 'U+000A'],
  ])('refuses %s, naming the field and the character, never the value', (_what, spec, path, code) => {
    const text =
      spec === ''
        ? manifest('ctl', '').replace('mainClass: org.apache.spark.examples.SparkPi', 'mainClass: "org.apache\\nSparkPi"')
        : manifest('ctl', spec);
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(`${path}: `);
    expect(issues[0]).toContain(code);
    expect(issues[0]).not.toMatch(/tok|eA==|2J/);
  });

  it('keeps tab and line breaks in env values, arguments and conf values (PEM keys, multi-line options)', () => {
    expect(
      issuesOf(
        manifest(
          'ok',
          '  arguments: ["a\\tb\\nc\\r\\n"]\n  sparkConf: {spark.x: "1\\n2"}\n  driver: {env: [{name: PEM, value: "-----BEGIN-----\\nAAA\\n-----END-----\\n", secret: true}]}',
        ),
      ),
    ).toEqual([]);
  });

  it('refuses spark.mesos.secret in sparkConf: it would sit on the spark-submit command line', () => {
    expect(issuesOf(manifest('conf', '  sparkConf: {spark.mesos.secret: hunter2}')).join()).toMatch(
      /spec\.sparkConf\.spark\.mesos\.secret: .*secretRef/,
    );
  });

  it('reports a numeric secret without its value, while a plain number is still quoted back as a hint', () => {
    const secret = issuesOf(manifest('num', '  driver: {env: [{name: PIN, value: 8675309, secret: true}]}'));
    expect(secret).toEqual(['spec.driver.env.0.value: expected a string, got a number (a secret: its value is not shown): quote it']);
    const mistyped = issuesOf(manifest('num', '  driver: {env: [{name: PIN, value: 8675309, secret: "yes"}]}'));
    expect(mistyped.join()).not.toContain('8675309');
    expect(issuesOf(manifest('num', '  driver: {env: [{name: N, value: 42}]}')).join()).toContain('quote it ("42")');
  });
});

/** A logger whose JSON lines are kept. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    }),
  });
  return { logger, lines };
}

/** A Docker-kind backend whose driver start fails with an engine error that quotes what it was given. */
function echoingBackend(echo: string): Backend {
  const reservation: Reservation = { key: 'k', cpus: 1, memMiB: 64 };
  const fail = Object.assign(new Error(`engine refused the container: env ${echo} is invalid`), {
    code: 'TEST_ENGINE',
    errorClass: 'terminal',
    reason: 'DriverStartFailed',
  });
  return {
    kind: 'docker',
    connect: () => Promise.resolve({ backend: 'docker', version: 'test' }),
    requestResources: () => Promise.resolve(reservation),
    reclaim: () => undefined,
    start: () => Promise.reject(fail),
    wait: () => Promise.reject(new Error('not started')),
    collect: () => Promise.reject(new Error('not started')),
    release: () => Promise.resolve(),
    listDrivers: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}

describe('secret values never reach status, events, the controller log or the CLI', () => {
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const folders = async () => {
    const root = await mkdtemp(join(tmpdir(), 'sparkctl-redact-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const jobsDir = join(root, 'jobs');
    await mkdir(jobsDir);
    return { jobsDir, stateDir: join(root, 'state') };
  };

  /** Everything a user or operator can see about a job, as one text. */
  const everything = async (jobsDir: string, stateDir: string, name: string, file: string, lines: string[]) => {
    const views = await loadJobViews({ jobsDir, stateDir });
    const view = views.find((v) => v.name === name)!;
    const events = await readJobEvents(stateDir, name);
    return [
      JSON.stringify(await readFileStatus(join(jobsDir, file))),
      JSON.stringify(events),
      lines.join(''),
      JSON.stringify(jobObject(view).status),
      jobRow(view, true).join(' '),
      renderDescribe(view, maskEvents(events, knownSecrets(view.manifest, view.record)), [], false),
    ].join('\n');
  };

  it('an env secret with a NUL byte is refused before the engine can quote it (real Docker)', async () => {
    const { jobsDir, stateDir } = await folders();
    const { logger, lines } = capturedLogger();
    const instance = uniqueId('s');
    const docker = createDockerBackend({ instance, stopTimeoutSeconds: 1 });
    const controller = new Controller({ jobsDir, stateDir, logger, backends: { docker, mesos: () => docker } });
    cleanups.push(async () => {
      await controller.stop();
      await docker.close();
      await removeInstanceContainers(instance);
    });
    await writeFile(
      join(jobsDir, 'nul.yaml'),
      manifest(
        'nul',
        '  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m, env: [{name: TOKEN, value: "s3cret-tok\\0x", secret: true}]}',
      ),
    );
    await controller.start();
    const status = await waitForStatus(join(jobsDir, 'nul.yaml'), phaseIs('Invalid', 'Failed', 'Succeeded'));
    expect(await everything(jobsDir, stateDir, 'nul', 'nul.yaml', lines)).not.toContain('s3cret-tok');
    expect(status.phase).toBe('Invalid');
    expect(status.message).toContain('spec.driver.env.0.value');
  });

  it("masks the job's secrets (env values and the Mesos secretRef value) in every message an engine error puts there", async () => {
    const { jobsDir, stateDir } = await folders();
    const { logger, lines } = capturedLogger();
    const docker = echoingBackend('TOKEN=tok-31337 with auth spark:mesos-pw-xyz');
    const controller = new Controller({
      jobsDir,
      stateDir,
      logger,
      env: { TEAM_MESOS_SECRET: 'mesos-pw-xyz' },
      policy: { allowHostNetwork: true, allowedHostPaths: [], allowedSecretEnv: ['TEAM_MESOS_SECRET'] },
      backends: { docker, mesos: () => docker },
    });
    cleanups.push(() => controller.stop());
    const spec = [
      '  master: mesos://127.0.0.1:5050',
      '  mode: client',
      '  network: host',
      '  mesos: {principal: spark, secretRef: {env: TEAM_MESOS_SECRET}}',
      '  driver: {env: [{name: TOKEN, value: tok-31337, secret: true}]}',
    ].join('\n');
    await writeFile(join(jobsDir, 'echo.yaml'), manifest('echo', spec));
    await controller.start();
    const status = await waitForStatus(join(jobsDir, 'echo.yaml'), phaseIs('Failed'));
    expect(status.message).toContain('engine refused the container: env TOKEN=****** with auth spark:******');
    expect(status.conditions.find((c) => c.type === 'Stalled')?.message).toContain('TOKEN=******');
    const seen = await everything(jobsDir, stateDir, 'echo', 'echo.yaml', lines);
    expect(seen).toContain('TOKEN=******');
    expect(seen).not.toContain('tok-31337');
    expect(seen).not.toContain('mesos-pw-xyz');
  });

  it('masks a numeric secret of an invalid manifest in the status, the log and the CLI', async () => {
    const { jobsDir, stateDir } = await folders();
    const { logger, lines } = capturedLogger();
    const docker = echoingBackend('');
    const controller = new Controller({ jobsDir, stateDir, logger, backends: { docker, mesos: () => docker } });
    cleanups.push(() => controller.stop());
    // Invalid twice over: the secret is a number, and so is a plain value (whose message still quotes it).
    await writeFile(
      join(jobsDir, 'pin.yaml'),
      manifest('pin', '  driver: {env: [{name: PIN, value: 8675309, secret: true}, {name: B, value: 1}]}'),
    );
    await controller.start();
    const status = await waitForStatus(join(jobsDir, 'pin.yaml'), phaseIs('Invalid'));
    expect(status.message).toContain('spec.driver.env.0.value');
    expect(await everything(jobsDir, stateDir, 'pin', 'pin.yaml', lines)).not.toContain('8675309');
  });
});
