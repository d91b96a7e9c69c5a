import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { jsonSchema } from '../../src/manifest/schema-documents.js';

const base = {
  image: 'apache/spark:3.5.3',
  mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar',
  mainClass: 'org.apache.spark.examples.SparkPi',
};
const problems = (spec: Record<string, unknown>) => {
  const r = SparkJobSpecSchema.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

// Rules that real spark-submit and Spark's Mesos backend enforce, checked before anything runs.
describe('SparkJob spec rules from Spark itself', () => {
  it('requires mainClass for Scala and Java jobs (spark-submit refuses a local:// jar without --class)', () => {
    const { mainClass: _omit, ...noClass } = base;
    expect(problems({ ...noClass, type: 'Scala' })).toEqual([expect.stringMatching(/^mainClass: mainClass is required for Scala jobs/)]);
    expect(problems({ ...noClass, type: 'Java' })).toEqual([expect.stringMatching(/^mainClass: mainClass is required for Java jobs/)]);
    expect(problems({ image: 'x', type: 'Python', mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py' })).toEqual([]);
    expect(problems({ image: 'x', type: 'R', mainApplicationFile: 'local:///opt/spark/examples/src/main/r/dataframe.R' })).toEqual([]);
  });

  it('takes whole executor cores only (Spark reads spark.executor.cores with toInt), fractional driver cores still', () => {
    expect(problems({ ...base, executor: { cores: 1.5 } })).toEqual([
      expect.stringMatching(/^executor\.cores: executor cores must be a whole number/),
    ]);
    expect(problems({ ...base, executor: { cores: 2 }, driver: { cores: 0.5 } })).toEqual([]);
  });

  it('refuses executor.totalCores below executor.cores (Spark would launch no executor)', () => {
    expect(problems({ ...base, executor: { cores: 4, totalCores: 2 } })).toEqual([
      expect.stringMatching(/^executor\.totalCores: .*below executor\.cores/),
    ]);
    expect(problems({ ...base, executor: { cores: 2, totalCores: 4 } })).toEqual([]);
  });

  it('defaults mesos.nativeLibrary to /usr/lib/libmesos.so and takes only absolute paths', () => {
    expect(SparkJobSpecSchema.parse({ ...base, master: 'mesos://m:5050', network: 'host', mesos: {} }).mesos?.nativeLibrary).toBe(
      '/usr/lib/libmesos.so',
    );
    expect(problems({ ...base, mesos: { nativeLibrary: 'libmesos.so' } })).toEqual([
      expect.stringMatching(/^mesos\.nativeLibrary: .*absolute path/),
    ]);
    expect(problems({ ...base, mesos: { tls: { verifyServerCert: true, supportDowngrade: true } } })).toEqual([]);
    expect(problems({ ...base, mesos: { tls: { verify: true } } })).not.toEqual([]);
  });

  it('documents in the schema which image variant a Python or R job needs', () => {
    const spec = (jsonSchema().properties as Record<string, { properties: Record<string, { description?: string }> }>).spec!;
    expect(spec.properties.type?.description).toMatch(/R needs the R variant apache\/spark:<version>-r/);
    expect(spec.properties.type?.description).toMatch(/Scala and Java need mainClass/);
  });
});
