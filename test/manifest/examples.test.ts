import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendFor } from '../../src/api/spark-job.js';
import { formatIssue } from '../../src/manifest/manifest-issue.js';
import { parseManifestFile } from '../../src/manifest/parse-manifest.js';

const dir = join(import.meta.dirname, '..', '..', 'manifests');
const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();

describe('manifests/', () => {
  it('holds the documented examples', () => {
    expect(files).toEqual(
      expect.arrayContaining(['demo-local.yaml', 'mesos-client.yaml', 'mesos-cluster.yaml', 'pyspark-pi.yaml', 'spark-pi.yaml']),
    );
  });

  it.each(files)('%s is valid and points editors at the schema', async (file) => {
    const result = await parseManifestFile(join(dir, file), `manifests/${file}`);
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual([]);
    const text = await readFile(join(dir, file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../crd-schemas/sparkjob.schema.json');
  });

  it('has unique job names and covers both backends', async () => {
    const jobs = await Promise.all(files.map((f) => parseManifestFile(join(dir, f))));
    const names = jobs.map((j) => (j.ok && j.job ? j.job.metadata.name : ''));
    expect(new Set(names).size).toBe(files.length);
    const backends = new Set(jobs.map((j) => (j.ok && j.job ? backendFor(j.job.spec) : '')));
    expect([...backends].sort()).toEqual(['docker', 'mesos']);
  });
});
