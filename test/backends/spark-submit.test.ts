import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { buildSparkSubmitArgs, maxCoresFor } from '../../src/backends/spark-submit.js';

const spec = (extra: Record<string, unknown>) =>
  SparkJobSpecSchema.parse({ image: 'img:1', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...extra });
const confs = (args: string[]) =>
  Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--conf' ? [a.split(/=(.*)/s).slice(0, 2)] : [])) as Array<[string, string]>);
const mesosClient = { master: 'mesos://10.0.0.5:5050', network: 'host' };

describe('buildSparkSubmitArgs', () => {
  it("never sets spark.ssl.enabled: TLS to the master is libprocess's, spark.ssl.* secures Spark's own UI", () => {
    const c = confs(buildSparkSubmitArgs(spec({ ...mesosClient, mesos: { certsDir: '/etc/mesos/certs' } })));
    expect(Object.keys(c).filter((k) => k.startsWith('spark.ssl'))).toEqual([]);
  });

  it('caps Mesos executors with spark.cores.max = instances × executor cores, not spark.executor.instances', () => {
    const c = confs(buildSparkSubmitArgs(spec({ ...mesosClient, executor: { cores: 2, instances: 3 } })));
    expect(c['spark.cores.max']).toBe('6');
    expect(c).not.toHaveProperty('spark.executor.instances');
    expect(
      confs(buildSparkSubmitArgs(spec({ ...mesosClient, executor: { cores: 2, instances: 3, totalCores: 4 } })))['spark.cores.max'],
    ).toBe('4');
    expect(maxCoresFor(spec({ master: 'local[2]', executor: { instances: 3 } }))).toBeUndefined();
  });

  it('sets spark.driver.host: loopback under network none, the advertised address for a Mesos client', () => {
    expect(confs(buildSparkSubmitArgs(spec({ master: 'local[1]' })))['spark.driver.host']).toBe('127.0.0.1');
    expect(confs(buildSparkSubmitArgs(spec(mesosClient), { driver: { advertiseAddress: '192.0.2.10' } }))['spark.driver.host']).toBe(
      '192.0.2.10',
    );
    expect(
      confs(
        buildSparkSubmitArgs(spec({ master: 'mesos://10.0.0.5:5050', mode: 'cluster' }), {
          deployMode: 'client',
          driver: { advertiseAddress: '192.0.2.10' },
        }),
      ),
    ).not.toHaveProperty('spark.driver.host');
    expect(
      confs(buildSparkSubmitArgs(spec({ master: 'local[1]', sparkConf: { 'spark.driver.host': 'localhost' } })))['spark.driver.host'],
    ).toBe('localhost');
  });

  it('passes spark.driver.cores as the whole number Spark reads, while the container keeps the fraction', () => {
    expect(confs(buildSparkSubmitArgs(spec({ driver: { cores: 0.5 } })))['spark.driver.cores']).toBe('1');
    expect(confs(buildSparkSubmitArgs(spec({ driver: { cores: 2 } })))['spark.driver.cores']).toBe('2');
  });
});
