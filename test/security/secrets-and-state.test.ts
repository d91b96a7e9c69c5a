import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createDockerBackend } from '../../src/backends/docker/create-docker-backend.js';
import { Controller } from '../../src/controller/controller.js';
import { journalPaths } from '../../src/state/journal-paths.js';
import { createLogger } from '../../src/logger.js';
import { fakeJob, phaseIs, readFileStatus, waitForStatus } from '../support/controller-harness.js';
import { ensureTestImages, removeInstanceContainers, uniqueId } from '../support/docker.js';

const MESOS_SECRET = `mesos-s3cret-${uniqueId('')}`;
const ENV_SECRET = `env-s3cret-${uniqueId('')}`;

/** Runs the CLI in-process and returns what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const capture = (chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  try {
    return { code: await main(['node', 'sparkctl', ...args]), out };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Every path under a folder with its mode bits. */
async function modes(dir: string): Promise<Array<{ path: string; kind: 'dir' | 'file'; mode: number }>> {
  const out: Array<{ path: string; kind: 'dir' | 'file'; mode: number }> = [
    { path: dir, kind: 'dir', mode: (await lstat(dir)).mode & 0o777 },
  ];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await modes(p)));
    else out.push({ path: p, kind: 'file', mode: (await lstat(p)).mode & 0o777 });
  }
  return out;
}

describe('secrets and the state dir', () => {
  let root: string;
  let instance: string;
  beforeAll(async () => {
    await ensureTestImages();
    root = await mkdtemp(join(tmpdir(), 'sparkctl-secrets-'));
    instance = uniqueId('s');
  });
  afterAll(async () => {
    await removeInstanceContainers(instance);
    await rm(root, { recursive: true, force: true });
  });

  it('a Mesos secret and secret env values never reach status, events, controller logs or CLI output; the state dir is private', async () => {
    const jobsDir = join(root, 'jobs');
    const stateDir = join(root, 'state');
    await mkdir(jobsDir);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ destination, level: 'debug' });
    const policy = { allowHostNetwork: true, allowedHostPaths: [], allowedSecretEnv: ['SPARKCTL_TEST_MESOS_SECRET'] };
    const docker = createDockerBackend({
      instance,
      stopTimeoutSeconds: 1,
      logger,
      policy,
      env: { ...process.env, SPARKCTL_TEST_MESOS_SECRET: MESOS_SECRET },
    });
    const controller = new Controller({
      jobsDir,
      stateDir,
      logger,
      relistIntervalMs: 500,
      policy,
      backends: {
        docker,
        mesos: () => {
          throw new Error('no Mesos here');
        },
      },
    });
    const secretJob = (name: string, extra = '') =>
      fakeJob(
        name,
        `  master: mesos://127.0.0.1:5050\n  network: host\n` +
          `  mesos: {principal: spark, secretRef: {env: SPARKCTL_TEST_MESOS_SECRET}}\n` +
          `  executor: {instances: 1}\n` +
          `  sparkConf: {spark.fake.printEnv: "SPARK_MESOS_SECRET,TOKEN,PLAIN"${extra}}\n`,
      );
    // fakeJob's driver line gains the env list (a second driver: key would be a duplicate).
    const withEnv = (text: string) =>
      text.replace(
        'driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}',
        `driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m, env: [{name: TOKEN, value: ${ENV_SECRET}, secret: true}, {name: PLAIN, value: visible}]}`,
      );
    await writeFile(join(jobsDir, 'secret-ok.yaml'), withEnv(secretJob('secret-ok')));
    await writeFile(
      join(jobsDir, 'secret-fail.yaml'),
      withEnv(secretJob('secret-fail', ', spark.fake.exitCode: "4"')) + '  restartPolicy: {type: Never}\n',
    );
    expect(await readFile(join(jobsDir, 'secret-ok.yaml'), 'utf8')).toContain(ENV_SECRET);
    await controller.start();
    try {
      await waitForStatus(join(jobsDir, 'secret-ok.yaml'), phaseIs('Succeeded'));
      await waitForStatus(join(jobsDir, 'secret-fail.yaml'), phaseIs('Failed'));
      await controller.whenIdle();

      // The driver really got both secrets (else this test proves nothing).
      const driverLog = await readFile(journalPaths.log(stateDir, 'secret-ok', 1), 'utf8');
      expect(driverLog).toMatch(/Env: PLAIN=visible/);
      // The mask stands exactly where the driver printed a secret's value: it had both.
      expect(driverLog).toMatch(/Env: TOKEN=\*\*\*\*\*\*\n/);
      expect(driverLog).toMatch(/Env: SPARK_MESOS_SECRET=\*\*\*\*\*\*\n/);

      const surfaces: Record<string, string> = {};
      for (const job of ['secret-ok', 'secret-fail']) {
        surfaces[`status of ${job}`] = JSON.stringify(await readFileStatus(join(jobsDir, `${job}.yaml`)));
        surfaces[`events of ${job}`] = await readFile(journalPaths.events(stateDir, job), 'utf8');
      }
      surfaces['controller log'] = lines.join('');
      const g = { jobs: ['--jobs', jobsDir, '--state-dir', stateDir] };
      for (const args of [
        ['get'],
        ['get', '-o', 'wide'],
        ['get', '-o', 'yaml'],
        ['get', '-o', 'json'],
        ['get', 'secret-ok', '-o', 'yaml'],
        ['describe', 'secret-ok'],
        ['describe', 'secret-fail'],
        ['events'],
        ['logs', 'secret-ok'],
        ['logs', 'secret-fail'],
      ]) {
        const { code, out } = await cli(...g.jobs, ...args);
        expect(code, args.join(' ')).toBe(0);
        surfaces[`sparkctl ${args.join(' ')}`] = out;
      }
      expect(surfaces['sparkctl get -o yaml']).toContain('secret-ok');
      expect(surfaces['controller log']).toContain('Job changed phase');
      const leaks = Object.entries(surfaces)
        .filter(([, text]) => text.includes(MESOS_SECRET) || text.includes(ENV_SECRET))
        .map(([where]) => where);
      expect(leaks).toEqual([]);
    } finally {
      await controller.stop();
      await docker.close();
    }

    // The state dir is private to the controller's user: folders 0700, files 0600.
    const loose = (await modes(stateDir)).filter((m) => m.mode !== (m.kind === 'dir' ? 0o700 : 0o600));
    expect(loose).toEqual([]);
  });
});
