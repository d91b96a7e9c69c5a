import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../../src/api/spark-job.js';
import { buildContainerSpec, containerName } from '../../../src/backends/docker/build-container-spec.js';
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
    expect(s.Labels).toEqual({
      [LABELS.managedBy]: 'sparkctl',
      [LABELS.instance]: 'ctl1',
      [LABELS.job]: 'pi',
      [LABELS.specHash]: 'h1',
      [LABELS.attempt]: '3',
    });
  });

  it('passes spark-submit as an argv, with arguments holding shell characters untouched', () => {
    const s = buildContainerSpec(run({ arguments: ['$(rm -rf /)', 'a b;c'] }), 'ctl1');
    expect(s.Cmd?.[0]).toBe('/opt/spark/bin/spark-submit');
    expect(s.Cmd?.slice(-3)).toEqual(['local:///app.jar', '$(rm -rf /)', 'a b;c']);
  });

  it('sets limits from driver (memory with overhead, no swap), network, volumes and hardening', () => {
    const s = buildContainerSpec(
      run({
        driver: { cores: 1.5, memory: '1g', env: [{ name: 'A', value: '1' }] },
        network: 'host',
        volumes: [
          { hostPath: '/d', containerPath: '/in', readOnly: true },
          { hostPath: '/o', containerPath: '/out' },
        ],
      }),
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

  it('binds Mesos certificates read-only at /certs and passes the secret (from a variable or a file alike) in the environment only', () => {
    const mesos = {
      master: 'mesos://m1:5050',
      network: 'host',
      mesos: { certsDir: '/etc/mesos/certs', principal: 'spark', secretRef: { file: '/etc/mesos/secret' } },
    };
    const s = buildContainerSpec(run(mesos), 'ctl1', 's3cret');
    expect(s.HostConfig?.Binds).toEqual(['/etc/mesos/certs:/certs:ro']);
    expect(s.Env).toEqual(expect.arrayContaining(['SPARK_MESOS_PRINCIPAL=spark', 'SPARK_MESOS_SECRET=s3cret']));
    expect(s.Env?.some((e) => e.startsWith('SPARK_MESOS_SECRET_FILE='))).toBe(false);
    expect(JSON.stringify([s.Cmd, s.Labels, s.name, s.HostConfig?.Binds])).not.toContain('s3cret');
    expect(JSON.stringify(s.HostConfig?.Binds)).not.toContain('/etc/mesos/secret');
  });

  it('ignores Mesos settings for a local master', () => {
    const s = buildContainerSpec(run({ mesos: { certsDir: '/etc/mesos/certs' } }), 'ctl1', 'x');
    expect(s.HostConfig?.Binds).toEqual([]);
    expect(s.Env).toEqual(['SPARK_LOCAL_IP=127.0.0.1']);
  });
});
