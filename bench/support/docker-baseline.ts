import Docker from 'dockerode';
import { parse as parseYaml } from 'yaml';
import { SparkJobSpecSchema, type SparkJobSpec } from '../../src/api/spark-job.js';
import { buildContainerSpec } from '../../src/backends/docker/build-container-spec.js';
import { driverMemoryWithOverheadMiB } from '../../src/backends/spark-submit.js';
import { benchJob } from './manifests.js';

/** The label on every baseline container, so a failed run's leftovers can be found. */
export const BASELINE_LABEL = 'io.sparkctl.bench';

/** A dockerode client on the local engine. */
export function benchDocker(): Docker {
  return new Docker({
    socketPath: process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock',
  });
}

/** The spec of the benchmark job, parsed from the very manifest sparkctl is given. */
export function benchSpec(): SparkJobSpec {
  const doc = parseYaml(benchJob('baseline')) as { spec: unknown };
  return SparkJobSpecSchema.parse(doc.spec);
}

/** How many such jobs the Docker backend's ledger runs at once: the engine's NCPU and MemTotal over the job's cores and memory. */
export async function ledgerWidth(docker: Docker, spec: SparkJobSpec): Promise<number> {
  const info = (await docker.info()) as { NCPU: number; MemTotal: number };
  return Math.max(
    1,
    Math.min(
      Math.floor(info.NCPU / spec.driver.cores + 1e-9),
      Math.floor(info.MemTotal / (1024 * 1024) / driverMemoryWithOverheadMiB(spec)),
    ),
  );
}

/**
 * `docker run --rm` through the engine API: create, start, wait, remove one container with the
 * image, argv, environment and limits sparkctl gives the same job (network none). Returns the exit code.
 */
export async function runBaselineContainer(docker: Docker, spec: SparkJobSpec, name: string): Promise<number> {
  const built = buildContainerSpec({ name, attempt: 1, specHash: 'baseline', spec }, 'bench');
  const container = await docker.createContainer({
    name: `sparkctl-bench-${name}`,
    Image: built.Image,
    Cmd: built.Cmd,
    Env: built.Env,
    Labels: { [BASELINE_LABEL]: '1' },
    HostConfig: { ...built.HostConfig, NetworkMode: 'none' },
  });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    return result.StatusCode;
  } finally {
    await container.remove({ force: true });
  }
}

/** Removes baseline containers a crashed run left behind. */
export async function removeBaselineLeftovers(docker: Docker): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${BASELINE_LABEL}=1`] } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}
