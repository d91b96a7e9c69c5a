import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../../src/api/spark-job.js';
import { buildContainerSpec } from '../../../src/backends/docker/build-container-spec.js';
import type { JobRun } from '../../../src/backends/ports.js';

const run = (spec: Record<string, unknown>): JobRun => ({
  name: 'pi',
  specHash: 'h1',
  attempt: 1,
  spec: SparkJobSpecSchema.parse({ image: 'img:1', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...spec }),
});

describe('buildContainerSpec: the driver environment', () => {
  it('gives a client-mode Mesos driver libmesos, libprocess TLS and the advertised address, in Env and the argv', () => {
    const s = buildContainerSpec(
      run({
        master: 'mesos://10.0.0.5:5050',
        network: 'host',
        mesos: { certsDir: '/etc/mesos/certs' },
        driver: { env: [{ name: 'A', value: '1' }] },
      }),
      'ctl1',
      undefined,
      {
        advertiseAddress: '192.0.2.10',
      },
    );
    expect(s.Env).toEqual([
      'MESOS_NATIVE_JAVA_LIBRARY=/usr/lib/libmesos.so',
      'LIBPROCESS_SSL_ENABLED=true',
      'LIBPROCESS_SSL_CERT_FILE=/certs/mesos.crt',
      'LIBPROCESS_SSL_KEY_FILE=/certs/mesos.key',
      'LIBPROCESS_SSL_CA_FILE=/certs/trustedroot.crt',
      'LIBPROCESS_IP=192.0.2.10',
      'LIBPROCESS_ADVERTISE_IP=192.0.2.10',
      'A=1',
    ]);
    expect(s.Cmd).toContain('spark.driver.host=192.0.2.10');
    expect(s.Cmd?.join(' ')).not.toContain('spark.ssl.enabled');
  });

  it('names a network-none local driver by loopback, in SPARK_LOCAL_IP and spark.driver.host', () => {
    const s = buildContainerSpec(run({ master: 'local[1]', network: 'none' }), 'ctl1');
    expect(s.Env).toContain('SPARK_LOCAL_IP=127.0.0.1');
    expect(s.Cmd).toContain('spark.driver.host=127.0.0.1');
  });
});
