import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { driverEnvironment, driverHostFor } from '../../src/backends/driver-environment.js';

const spec = (extra: Record<string, unknown>) =>
  SparkJobSpecSchema.parse({ image: 'img:1', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...extra });
const asObject = (vars: Array<{ name: string; value: string }>) => Object.fromEntries(vars.map((v) => [v.name, v.value]));
const mesosClient = { master: 'mesos://10.0.0.5:5050', network: 'host' };
const mesosCluster = { master: 'mesos://10.0.0.5:5050', mode: 'cluster' };

describe('driverEnvironment', () => {
  it('names libmesos for every Mesos driver: the default path, or spec.mesos.nativeLibrary', () => {
    expect(asObject(driverEnvironment(spec(mesosClient)))).toMatchObject({ MESOS_NATIVE_JAVA_LIBRARY: '/usr/lib/libmesos.so' });
    expect(
      asObject(driverEnvironment(spec({ ...mesosCluster, mesos: { nativeLibrary: '/opt/mesos/lib/libmesos-1.11.0.so' } }))),
    ).toMatchObject({
      MESOS_NATIVE_JAVA_LIBRARY: '/opt/mesos/lib/libmesos-1.11.0.so',
    });
    expect(asObject(driverEnvironment(spec({ master: 'local[2]' })))).not.toHaveProperty('MESOS_NATIVE_JAVA_LIBRARY');
  });

  it('turns on libprocess TLS with the mounted certificates when certsDir is set, in client and cluster mode', () => {
    for (const mode of [mesosClient, mesosCluster]) {
      const env = asObject(driverEnvironment(spec({ ...mode, mesos: { certsDir: '/etc/mesos/certs' } })));
      expect(env).toMatchObject({
        LIBPROCESS_SSL_ENABLED: 'true',
        LIBPROCESS_SSL_CERT_FILE: '/certs/mesos.crt',
        LIBPROCESS_SSL_KEY_FILE: '/certs/mesos.key',
        LIBPROCESS_SSL_CA_FILE: '/certs/trustedroot.crt',
      });
      expect(env).not.toHaveProperty('LIBPROCESS_SSL_SUPPORT_DOWNGRADE');
    }
    expect(Object.keys(asObject(driverEnvironment(spec(mesosClient)))).filter((k) => k.startsWith('LIBPROCESS_SSL'))).toEqual([]);
  });

  it('passes the verify and downgrade knobs of spec.mesos.tls under both Mesos names', () => {
    const env = asObject(
      driverEnvironment(spec({ ...mesosClient, mesos: { certsDir: '/c', tls: { verifyServerCert: true, supportDowngrade: false } } })),
    );
    expect(env).toMatchObject({
      LIBPROCESS_SSL_VERIFY_SERVER_CERT: 'true',
      LIBPROCESS_SSL_VERIFY_CERT: 'true',
      LIBPROCESS_SSL_SUPPORT_DOWNGRADE: 'false',
    });
  });

  it('gives a network-none driver a loopback SPARK_LOCAL_IP (its host name resolves nowhere)', () => {
    expect(asObject(driverEnvironment(spec({ master: 'local[1]', network: 'none' })))).toEqual({ SPARK_LOCAL_IP: '127.0.0.1' });
    expect(asObject(driverEnvironment(spec({ master: 'local[1]', network: 'host' })))).toEqual({});
  });

  it('advertises this host for a client-mode Mesos driver, never for a cluster task running on an agent', () => {
    const client = asObject(driverEnvironment(spec(mesosClient), { advertiseAddress: '192.0.2.10' }));
    expect(client).toMatchObject({ LIBPROCESS_IP: '192.0.2.10', LIBPROCESS_ADVERTISE_IP: '192.0.2.10' });
    const cluster = asObject(driverEnvironment(spec(mesosCluster), { advertiseAddress: '192.0.2.10' }));
    expect(cluster).not.toHaveProperty('LIBPROCESS_IP');
    expect(cluster).not.toHaveProperty('SPARK_LOCAL_IP');
  });

  it("lets the spec's own driver.env win over a computed variable, once", () => {
    const vars = driverEnvironment(
      spec({
        ...mesosClient,
        driver: {
          env: [
            { name: 'MESOS_NATIVE_JAVA_LIBRARY', value: '/x/libmesos.so' },
            { name: 'A', value: '1' },
          ],
        },
      }),
    );
    expect(vars.filter((v) => v.name === 'MESOS_NATIVE_JAVA_LIBRARY')).toEqual([
      { name: 'MESOS_NATIVE_JAVA_LIBRARY', value: '/x/libmesos.so' },
    ]);
    expect(vars.at(-1)).toEqual({ name: 'A', value: '1' });
  });
});

describe('driverHostFor', () => {
  it('is loopback under network none, the advertised address for a Mesos client, and Spark’s default otherwise', () => {
    expect(driverHostFor(spec({ master: 'local[1]' }))).toBe('127.0.0.1');
    expect(driverHostFor(spec(mesosClient), { advertiseAddress: '192.0.2.10' })).toBe('192.0.2.10');
    expect(driverHostFor(spec(mesosCluster), { advertiseAddress: '192.0.2.10' })).toBeUndefined();
    expect(driverHostFor(spec({ master: 'local[1]', network: 'host' }))).toBeUndefined();
  });
});
