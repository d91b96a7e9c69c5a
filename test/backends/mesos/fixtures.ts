import type { SparkJobInput, SparkJobSpec } from '../../../src/api/spark-job.js';
import { SparkJobSpecSchema } from '../../../src/api/spark-job.js';
import type { JobRun } from '../../../src/backends/ports.js';
import type { Offer } from '../../../src/backends/mesos/mesos-types.js';

/** A cluster-mode Mesos spec with defaults filled in. */
export function mesosSpec(overrides: Partial<SparkJobInput['spec']> = {}): SparkJobSpec {
  return SparkJobSpecSchema.parse({
    image: 'sparkctl/spark-fake:test',
    master: 'mesos://127.0.0.1:5050',
    mode: 'cluster',
    mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
    mainClass: 'org.apache.spark.examples.SparkPi',
    arguments: ['10'],
    driver: { cores: 1, memory: '512m' },
    mesos: { role: '*', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' } },
    ...overrides,
  });
}

/** One run of a spec. */
export function runOf(spec: SparkJobSpec, name = 'spark-pi', attempt = 1, specHash = '9f2c1a7b3d4e5f60718293a4b5c6d7e8'): JobRun {
  return { name, attempt, specHash, spec };
}

/** An offer in the shape the master sends (pre-refinement resources, allocation_info). */
export function offer(
  opts: { id?: string; agent?: string; host?: string; cpus?: number; mem?: number; role?: string; attributes?: Offer['attributes'] } = {},
): Offer {
  const role = opts.role ?? '*';
  const res = (name: string, value: number) => ({ name, type: 'SCALAR' as const, scalar: { value }, role: '*', allocation_info: { role } });
  return {
    id: { value: opts.id ?? 'M-O1' },
    framework_id: { value: 'M-0000' },
    agent_id: { value: opts.agent ?? 'M-S1' },
    hostname: opts.host ?? 'agent-1',
    url: { scheme: 'http', address: { hostname: 'agent-1', ip: '127.0.0.1', port: 5051 }, path: '/slave(1)' },
    resources: [res('cpus', opts.cpus ?? 4), res('mem', opts.mem ?? 8192), res('disk', 10000)],
    attributes: opts.attributes ?? [],
    allocation_info: { role },
  };
}
