import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../../src/api/spark-job.js';
import { SECRET_FILE_MOUNT, buildContainerSpec, containerName } from '../../../src/backends/docker/build-container-spec.js';
import { LABELS, type JobRun } from '../../../src/backends/ports.js';

const run = (spec: Record<string, unknown>): JobRun => ({
  name: 'pi',
  specHash: 'h1',
  attempt: 3,
  spec: SparkJobSpecSchema.parse({ image: 'img:1', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...spec }),
});

describe('buildContainerSpec', () => {
  it('names the container deterministically and labels it', () => {
    const s = buildContainerSpec(run({}), 'ctl1');
    expect(s.name).toBe('sparkctl-ctl1-pi-3');
    expect(containerName('ctl1', 'pi', 3)).toBe(s.name);
    expect(s.Labels).toEqual({ [LABELS.managedBy]: 'sparkctl', [LABELS.instance]: 'ctl1', [LABELS.job]: 'pi', [LABELS.specHash]: 'h1', [LABELS.attempt]: '3' });
  });

  it('passes spark-submit as an argv, with arguments holding shell characters untouched', () => {
    const s = buildContainerSpec(run({ arguments: ['$(rm -rf /)', 'a b;c'] }), 'ctl1');
    expect(s.Cmd?.[0]).toBe('/opt/spark/bin/spark-submit');
    expect(s.Cmd?.slice(-3)).toEqual(['local:///app.jar', '$(rm -rf /)', 'a b;c']);
  });

  it('sets limits from driver (memory with overhead, no swap), network, volumes and hardening', () => {
    const s = buildContainerSpec(
      run({ driver: { cores: 1.5, memory: '1g', env: [{ name: 'A', value: '1' }] }, network: 'host', volumes: [{ hostPath: '/d', containerPath: '/in', readOnly: true }, { hostPath: '/o', containerPath: '/out' }] }),
      'ctl1',
    );
    expect(s.Env).toEqual(['A=1']);
    expect(s.HostConfig).toMatchObject({
      NanoCpus: 1_500_000_000,
      Memory: 1408 * 1024 * 1024,
      MemorySwap: 1408 * 1024 * 1024,
      NetworkMode: 'host',
      Binds: ['/d:/in:ro', '/o:/out'],
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      Privileged: false,
    });
  });

  it('binds Mesos certificates read-only at /certs and passes the secret by env or file, never in the argv', () => {
    const mesos = { master: 'mesos://m1:5050', network: 'host', mesos: { certsDir: '/etc/mesos/certs', principal: 'spark', secretRef: { env: 'S' } } };
    const byEnv = buildContainerSpec(run(mesos), 'ctl1', { value: 's3cret' });
    expect(byEnv.HostConfig?.Binds).toEqual(['/etc/mesos/certs:/certs:ro']);
    expect(byEnv.Env).toEqual(expect.arrayContaining(['SPARK_MESOS_PRINCIPAL=spark', 'SPARK_MESOS_SECRET=s3cret']));
    expect(byEnv.Cmd?.join(' ')).not.toContain('s3cret');
    const byFile = buildContainerSpec(run(mesos), 'ctl1', { hostFile: '/etc/mesos/secret' });
    expect(byFile.HostConfig?.Binds).toContain(`/etc/mesos/secret:${SECRET_FILE_MOUNT}:ro`);
    expect(byFile.Env).toContain(`SPARK_MESOS_SECRET_FILE=${SECRET_FILE_MOUNT}`);
  });

  it('ignores Mesos settings for a local master', () => {
    const s = buildContainerSpec(run({ mesos: { certsDir: '/etc/mesos/certs' } }), 'ctl1', { value: 'x' });
    expect(s.HostConfig?.Binds).toEqual([]);
    expect(s.Env).toEqual(['SPARK_LOCAL_IP=127.0.0.1']);
  });
});
