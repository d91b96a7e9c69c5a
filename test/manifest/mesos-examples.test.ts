import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESOS_NATIVE_LIBRARY, isMesosMaster } from '../../src/api/spark-job.js';
import { buildSparkSubmitArgs } from '../../src/backends/spark-submit.js';
import { parseManifestFile } from '../../src/manifest/parse-manifest.js';

const root = join(import.meta.dirname, '..', '..');
const dockerfile = await readFile(join(root, 'examples', 'images', 'spark-mesos', 'Dockerfile'), 'utf8');
const files = (await readdir(join(root, 'manifests'))).filter((f) => /\.ya?ml$/.test(f)).sort();
const jobs = await Promise.all(files.map((f) => parseManifestFile(join(root, 'manifests', f), `manifests/${f}`)));
const mesosJobs = jobs.flatMap((j) => (j.ok && j.job && isMesosMaster(j.job.spec.master) ? [j.job] : []));

// The Mesos examples as a real cluster would take them (docs/real-cluster.md).
describe('manifests/ Mesos examples', () => {
  it('exist, in both modes', () => {
    expect(mesosJobs.map((j) => j.spec.mode).sort()).toEqual(['client', 'cluster']);
  });

  it('run the image examples/images/spark-mesos/Dockerfile builds, which ships libmesos where the spec says', () => {
    const built = /docker build -t (\S+) examples\/images\/spark-mesos/.exec(dockerfile)?.[1];
    expect(built).toBe('sparkctl/spark-mesos:3.5.3');
    expect(dockerfile).toMatch(/^FROM \$\{SPARK_IMAGE\}$/m);
    expect(dockerfile).toMatch(/^ARG SPARK_IMAGE=apache\/spark:3\.5\.\d+$/m);
    expect(dockerfile).toMatch(/--enable-ssl/);
    expect(dockerfile).toContain(`ln -s libmesos-\${MESOS_VERSION}.so ${DEFAULT_MESOS_NATIVE_LIBRARY}`);
    for (const job of mesosJobs) {
      expect(job.spec.image, job.metadata.name).toBe(built);
      expect(job.spec.mesos?.executorImage ?? job.spec.image, job.metadata.name).toBe(built);
      expect(job.spec.mesos?.nativeLibrary).toBe(DEFAULT_MESOS_NATIVE_LIBRARY);
    }
  });

  it('never point a driver at itself (no loopback master) and set no Spark SSL conf for the master', () => {
    for (const job of mesosJobs) {
      expect(job.spec.master, job.metadata.name).not.toMatch(/127\.0\.0\.1|localhost/);
      expect(buildSparkSubmitArgs(job.spec).join(' '), job.metadata.name).not.toContain('spark.ssl');
    }
  });
});
