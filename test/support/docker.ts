import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { SparkJobSpecSchema, type SparkJobSpec } from '../../src/api/spark-job.js';
import type { CallIO, JobRun } from '../../src/backends/ports.js';
import { LABELS } from '../../src/backends/ports.js';

/** The engine's socket the tests use. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/** Images built from local files by scripts/test-env.sh. */
export const TEST_IMAGES = {
  busybox: 'sparkctl/busybox:test',
  sparkFake: 'sparkctl/spark-fake:test',
} as const;

/** The SparkPi example as the fake image lays it out. */
export const SPARK_PI = {
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
  mainClass: 'org.apache.spark.examples.SparkPi',
} as const;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A dockerode client for assertions (inspecting what the backend created). */
export function testDocker(): Docker {
  return new Docker({ socketPath: DOCKER_SOCKET });
}

/** Makes sure the engine answers and the test images exist, running scripts/test-env.sh when they do not. */
export async function ensureTestImages(docker: Docker = testDocker()): Promise<void> {
  const present = async (name: string) =>
    docker
      .getImage(name)
      .inspect()
      .then(() => true)
      .catch(() => false);
  if ((await present(TEST_IMAGES.busybox)) && (await present(TEST_IMAGES.sparkFake))) return;
  execFileSync('bash', [join(root, 'scripts', 'test-env.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** A fresh id, for controller instances and job names that must not collide across test files. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** A JobRun of the fake Spark image; `spec` fields override SparkPi defaults (parsed by the real schema). */
export function makeRun(spec: Partial<Record<keyof SparkJobSpec, unknown>> = {}, run: Partial<Omit<JobRun, 'spec'>> = {}): JobRun {
  const parsed = SparkJobSpecSchema.parse({
    image: TEST_IMAGES.sparkFake,
    imagePullPolicy: 'Never',
    master: 'local[1]',
    ...SPARK_PI,
    arguments: ['10'],
    driver: { cores: 0.5, memory: '64m', memoryOverhead: '64m' },
    ...spec,
  });
  return { name: run.name ?? uniqueId('job-'), specHash: run.specHash ?? uniqueId('h'), attempt: run.attempt ?? 1, spec: parsed };
}

/** Call hooks with a signal that never aborts unless one is given. */
export function callIO(signal: AbortSignal = new AbortController().signal, onProgress?: (m: string) => void): CallIO {
  return onProgress ? { signal, onProgress } : { signal };
}

/** Removes every container a test instance left behind (by the instance label). */
export async function removeInstanceContainers(instance: string, docker: Docker = testDocker()): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABELS.instance}=${instance}`] } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Inspects a container by name or id, or undefined when there is none. */
export async function inspectContainer(nameOrId: string, docker: Docker = testDocker()): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(nameOrId).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}
