import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPARK_PI, TEST_IMAGES, ensureTestImages, testDocker } from '../support/docker.js';

interface Outcome {
  code: number;
  log: string;
}

/** Runs the test image's spark-submit once (no controller), returning its exit code and output. */
async function submit(
  args: string[],
  opts: { env?: string[]; network?: 'none' | 'host'; binds?: string[]; tmpfs?: Record<string, string> } = {},
): Promise<Outcome> {
  const docker = testDocker();
  const c = await docker.createContainer({
    Image: TEST_IMAGES.sparkFake,
    Cmd: ['/opt/spark/bin/spark-submit', ...args],
    Env: opts.env ?? [],
    HostConfig: {
      NetworkMode: opts.network ?? 'host',
      Binds: opts.binds ?? [],
      Tmpfs: opts.tmpfs ?? {},
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const log = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { code: StatusCode, log: log.toString('utf8') };
  } finally {
    await c.remove({ force: true });
  }
}

const pi = ['--class', SPARK_PI.mainClass, SPARK_PI.mainApplicationFile];
const mesos = ['--master', 'mesos://127.0.0.1:5050', '--deploy-mode', 'client'];

// The test image refuses what real Spark 3.5 and Mesos 1.x refuse, with their messages and exit codes.
describe('spark-fake: rules of real Spark and Mesos', () => {
  let certs: string;
  beforeAll(async () => {
    await ensureTestImages();
    certs = await mkdtemp(join(tmpdir(), 'sparkctl-fake-certs-'));
    for (const f of ['mesos.crt', 'mesos.key', 'trustedroot.crt']) await writeFile(join(certs, f), f, { mode: 0o644 });
  });
  afterAll(async () => {
    await rm(certs, { recursive: true, force: true });
  });

  it('refuses a local:// jar without --class, as SparkSubmitArguments does', async () => {
    const r = await submit(['--master', 'local[1]', SPARK_PI.mainApplicationFile]);
    expect(r.code).toBe(1);
    expect(r.log).toContain(
      `org.apache.spark.SparkException: Cannot load main class from JAR ${SPARK_PI.mainApplicationFile} with URI local. Please specify a class through --class.`,
    );
  });

  it('fails to name its host under network none without SPARK_LOCAL_IP, and runs with it', async () => {
    const r = await submit(['--master', 'local[1]', ...pi], { network: 'none' });
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/java\.net\.UnknownHostException: \S+: \S+: Name or service not known/);
    const ok = await submit(['--master', 'local[1]', ...pi], { network: 'none', env: ['SPARK_LOCAL_IP=127.0.0.1'] });
    expect(ok).toMatchObject({ code: 0, log: expect.stringMatching(/Pi is roughly/) });
  });

  it('exits 53 when no local dir (SPARK_LOCAL_DIRS, the Mesos sandbox or /tmp) is writable', async () => {
    const r = await submit(['--master', 'local[1]', ...pi], { env: ['SPARK_LOCAL_DIRS=/proc/sparkctl'] });
    expect(r.code).toBe(53);
    expect(r.log).toContain('ERROR DiskBlockManager: Failed to create any local dir.');
    // A sandbox owned by another user (the framework user) than the one the driver runs as (here root without capabilities).
    const sandbox = join(certs, 'sandbox');
    await mkdir(sandbox, { mode: 0o755 });
    await chown(sandbox, 4242, 4242);
    const env = ['MESOS_SANDBOX=/mnt/mesos/sandbox'];
    const refused = await submit(['--master', 'local[1]', ...pi], { env, binds: [`${sandbox}:/mnt/mesos/sandbox`] });
    expect(refused).toMatchObject({ code: 53, log: expect.stringContaining('Failed to create local dir in /mnt/mesos/sandbox') });
    await chown(sandbox, 0, 0);
    expect((await submit(['--master', 'local[1]', ...pi], { env, binds: [`${sandbox}:/mnt/mesos/sandbox`] })).code).toBe(0);
  });

  it('loads libmesos from MESOS_NATIVE_JAVA_LIBRARY or java.library.path for a Mesos master, and fails without one', async () => {
    expect(await submit([...mesos, ...pi], { env: ['MESOS_NATIVE_JAVA_LIBRARY=/usr/lib/libmesos.so'] })).toMatchObject({
      code: 0,
      log: expect.stringContaining('Loaded native Mesos library from /usr/lib/libmesos.so'),
    });
    const missing = await submit([...mesos, ...pi], { env: ['MESOS_NATIVE_JAVA_LIBRARY=/usr/local/lib/libmesos.so'] });
    expect(missing.code).toBe(1);
    expect(missing.log).toContain("java.lang.UnsatisfiedLinkError: Can't load library: /usr/local/lib/libmesos.so");
    const none = await submit([...mesos, ...pi], { tmpfs: { '/usr/lib': '' } });
    expect(none.code).toBe(1);
    expect(none.log).toContain('java.lang.UnsatisfiedLinkError: no mesos in java.library.path');
  });

  it('refuses to talk to a Mesos master with certificates mounted at /certs but no LIBPROCESS_SSL_*', async () => {
    const r = await submit([...mesos, ...pi], { binds: [`${certs}:/certs:ro`] });
    expect(r.code).toBe(1);
    expect(r.log).toContain('Certificates are mounted at /certs but LIBPROCESS_SSL_ENABLED is not set');
    const tls = [
      'LIBPROCESS_SSL_ENABLED=true',
      'LIBPROCESS_SSL_CERT_FILE=/certs/mesos.crt',
      'LIBPROCESS_SSL_KEY_FILE=/certs/mesos.key',
      'LIBPROCESS_SSL_CA_FILE=/certs/trustedroot.crt',
    ];
    expect(await submit([...mesos, ...pi], { binds: [`${certs}:/certs:ro`], env: tls })).toMatchObject({
      code: 0,
      log: expect.stringContaining('TLS enabled with certificate /certs/mesos.crt'),
    });
    const noKey = await submit([...mesos, ...pi], {
      binds: [`${certs}:/certs:ro`],
      env: tls.filter((e) => !e.startsWith('LIBPROCESS_SSL_KEY_FILE')),
    });
    expect(noKey).toMatchObject({ code: 1, log: expect.stringContaining('SSL requires key! NOTE: Set path with LIBPROCESS_SSL_KEY_FILE') });
  });
});
