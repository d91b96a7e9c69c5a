import { describe, expect, it } from 'vitest';
import { buildTaskInfo } from '../../../src/backends/mesos/build-task-info.js';
import { mesosSpec, offer, runOf } from './fixtures.js';

const variablesOf = (taskInfo: Record<string, unknown>) =>
  Object.fromEntries(
    ((taskInfo.command as { environment?: { variables: Array<{ name: string; value: string }> } }).environment?.variables ?? []).map(
      (v) => [v.name, v.value],
    ),
  );

describe('buildTaskInfo: the driver environment of a cluster task', () => {
  it('carries MESOS_NATIVE_JAVA_LIBRARY (default or spec.mesos.nativeLibrary) in command.environment', () => {
    expect(
      variablesOf(
        buildTaskInfo({
          run: runOf(mesosSpec()),
          offer: offer(),
          instance: 'i1',
          user: { name: 'spark', dockerUser: '1000:1000' },
          driverMaster: 'mesos://10.0.0.5:5050',
        }).taskInfo,
      ),
    ).toMatchObject({ MESOS_NATIVE_JAVA_LIBRARY: '/usr/lib/libmesos.so' });
    const custom = mesosSpec({ mesos: { nativeLibrary: '/opt/mesos/libmesos.so' } });
    expect(
      variablesOf(
        buildTaskInfo({
          run: runOf(custom),
          offer: offer(),
          instance: 'i1',
          user: { name: 'spark', dockerUser: '1000:1000' },
          driverMaster: 'mesos://10.0.0.5:5050',
        }).taskInfo,
      ),
    ).toMatchObject({ MESOS_NATIVE_JAVA_LIBRARY: '/opt/mesos/libmesos.so' });
  });

  it('turns on libprocess TLS with the certificates mounted at /certs, and no Spark SSL conf', () => {
    const built = buildTaskInfo({
      run: runOf(mesosSpec({ mesos: { certsDir: '/etc/mesos/certs' } })),
      offer: offer(),
      instance: 'i1',
      user: { name: 'spark', dockerUser: '1000:1000' },
      driverMaster: 'mesos://10.0.0.5:5050',
    });
    expect(variablesOf(built.taskInfo)).toMatchObject({
      LIBPROCESS_SSL_ENABLED: 'true',
      LIBPROCESS_SSL_CERT_FILE: '/certs/mesos.crt',
      LIBPROCESS_SSL_KEY_FILE: '/certs/mesos.key',
      LIBPROCESS_SSL_CA_FILE: '/certs/trustedroot.crt',
    });
    expect(built.redactedArgv.join(' ')).not.toContain('spark.ssl');
  });

  it('leaves the network identity to the agent: no SPARK_LOCAL_IP, LIBPROCESS_IP or spark.driver.host', () => {
    const built = buildTaskInfo({
      run: runOf(mesosSpec()),
      offer: offer(),
      instance: 'i1',
      user: { name: 'spark', dockerUser: '1000:1000' },
      driverMaster: 'mesos://10.0.0.5:5050',
    });
    const vars = variablesOf(built.taskInfo);
    expect(vars).not.toHaveProperty('SPARK_LOCAL_IP');
    expect(vars).not.toHaveProperty('LIBPROCESS_IP');
    expect(built.redactedArgv.join(' ')).not.toContain('spark.driver.host');
  });
});
