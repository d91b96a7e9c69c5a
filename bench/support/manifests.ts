import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The local test image every benchmark runs (built by scripts/test-env.sh). */
export const BENCH_IMAGE = 'sparkctl/spark-fake:test';

/** What varies between benchmark manifests. */
export interface BenchJobOptions {
  /** spec.suspend: a suspended job never starts a container. */
  readonly suspend?: boolean;
  /** A mesos:// master: the job runs in cluster mode as a Mesos task. */
  readonly mesosMaster?: string;
  /** The first application argument; changing it changes the spec (and its hash). */
  readonly argument?: string;
}

/**
 * A trivial SparkJob on the fake Spark image: spark-submit parses its command line, prints a
 * few driver log lines and exits 0 at once. Half a core and 80 MiB, so four fit on two cores.
 */
export function benchJob(name: string, options: BenchJobOptions = {}): string {
  const mesos = options.mesosMaster
    ? `  master: ${options.mesosMaster}
  mode: cluster
  mesos: {role: "*"}
`
    : '';
  return `# a benchmark job
apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: ${BENCH_IMAGE}
  imagePullPolicy: Never
${mesos}  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  mainClass: org.apache.spark.examples.SparkPi
  arguments: ["${options.argument ?? '10'}"]
  sparkConf: {spark.fake.sleepSeconds: "0"}
  driver: {cores: 0.5, memory: 64m, memoryOverhead: 16m}
  suspend: ${options.suspend === true}
`;
}

/** Writes a file the way editors and `sparkctl apply` do: a hidden temp file renamed into place. */
export async function writeAtomic(dir: string, file: string, text: string): Promise<void> {
  const tmp = join(dir, `.${file}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, join(dir, file));
}

/** Writes hidden temp files for many manifests, returning a function that renames them all into place at once. */
export async function stageManifests(dir: string, files: ReadonlyArray<{ file: string; text: string }>): Promise<() => Promise<void>> {
  const staged: Array<{ tmp: string; to: string }> = [];
  for (const { file, text } of files) {
    const tmp = join(dir, `.${file}.staged.tmp`);
    await writeFile(tmp, text);
    staged.push({ tmp, to: join(dir, file) });
  }
  return async () => {
    for (const s of staged) await rename(s.tmp, s.to);
  };
}
