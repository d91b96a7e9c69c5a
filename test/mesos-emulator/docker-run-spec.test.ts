import { describe, expect, it } from 'vitest';
import { dockerRunSpec, SANDBOX_IN_CONTAINER } from '../support/mesos-emulator/docker-run-spec.js';
import type { JsonObject } from '../support/mesos-emulator/index.js';

const ctx = {
  clusterId: 'c',
  frameworkId: 'f',
  agentId: 'a',
  containerId: 'k',
  sandbox: '/sb',
  role: 'spark',
  owner: { uid: 0, gid: 0 },
  requireTls: false,
};
const task = (extra: JsonObject): JsonObject => ({
  name: 't',
  task_id: { value: 't1' },
  agent_id: { value: 'a' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
  ],
  command: { value: 'echo hi' },
  container: { type: 'DOCKER', docker: { image: 'img:1' } },
  ...extra,
});

describe('docker run as the Docker containerizer builds it', () => {
  it('overrides the entrypoint with /bin/sh -c for shell commands (the default), mounts the sandbox, maps cpus and mem', () => {
    const spec = dockerRunSpec(task({}), ctx);
    expect(spec).toMatchObject({
      name: 'mesos-k',
      Image: 'img:1',
      Entrypoint: ['/bin/sh'],
      Cmd: ['-c', 'echo hi'],
      HostConfig: { NetworkMode: 'host', Binds: [`/sb:${SANDBOX_IN_CONTAINER}:rw`], CpuShares: 512, Memory: 128 * 1024 * 1024 },
    });
    expect(typeof spec !== 'string' && spec.Env).toEqual(
      expect.arrayContaining([`MESOS_SANDBOX=${SANDBOX_IN_CONTAINER}`, 'MESOS_CONTAINER_NAME=mesos-k', 'MESOS_ALLOCATION_ROLE=spark']),
    );
  });

  it('appends value and arguments after the image when shell is false, keeping the image entrypoint', () => {
    const spec = dockerRunSpec(task({ command: { shell: false, value: '--class', arguments: ['X', 'app.jar'] } }), ctx);
    expect(spec).toMatchObject({ Cmd: ['--class', 'X', 'app.jar'] });
    expect(typeof spec !== 'string' && spec.Entrypoint).toBeUndefined();
    expect(dockerRunSpec(task({ command: { shell: false } }), ctx)).not.toHaveProperty('Cmd');
  });

  it('execs value with arguments as argv for MESOS containers with a docker image', () => {
    const spec = dockerRunSpec(
      task({
        command: { shell: false, value: '/bin/echo', arguments: ['echo', 'a'] },
        container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'img:2' } } } },
      }),
      ctx,
    );
    expect(spec).toMatchObject({ Image: 'img:2', Entrypoint: ['/bin/echo'], Cmd: ['a'] });
  });

  it('binds host paths (relative ones under the sandbox) with their mode, and maps NONE to network none', () => {
    const spec = dockerRunSpec(
      task({
        container: {
          type: 'DOCKER',
          docker: { image: 'img:1', network: 'NONE' },
          volumes: [
            { host_path: '/etc/certs', container_path: '/certs', mode: 'RO' },
            { host_path: 'work', container_path: '/w', mode: 'RW' },
          ],
        },
      }),
      ctx,
    );
    expect(spec).toMatchObject({
      HostConfig: { NetworkMode: 'none', Binds: [`/sb:${SANDBOX_IN_CONTAINER}:rw`, '/etc/certs:/certs:ro', '/sb/work:/w:rw'] },
    });
  });

  it('fails the launch for a shell without a value, a bridge network, or no container', () => {
    expect(dockerRunSpec(task({ command: { shell: true } }), ctx)).toBe(
      'Failed to launch container: Shell specified but no command value provided',
    );
    expect(dockerRunSpec(task({ container: { type: 'DOCKER', docker: { image: 'i', network: 'BRIDGE' } } }), ctx)).toMatch(
      /^Failed to launch container: network BRIDGE/,
    );
    const { container: _container, ...bare } = task({});
    expect(dockerRunSpec(bare, ctx)).toMatch(/^Failed to launch container: this agent runs containerized tasks only/);
  });

  it('turns DockerInfo parameters into docker run flags: user, cap-drop, security-opt; the last net/network wins as in the docker CLI', () => {
    const parameters = [
      { key: 'user', value: '65534:65534' },
      { key: 'cap-drop', value: 'ALL' },
      { key: 'security-opt', value: 'no-new-privileges' },
      { key: 'net', value: 'host' },
      { key: 'network', value: 'none' },
      { key: 'env', value: 'A=1' },
    ];
    const spec = dockerRunSpec(task({ container: { type: 'DOCKER', docker: { image: 'img:1', parameters } } }), ctx);
    expect(spec).toMatchObject({
      User: '65534:65534',
      HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
    });
    expect(typeof spec !== 'string' && spec.Env).toContain('A=1');
  });

  it('fails the launch like the docker CLI for a key that is no docker run flag, and refuses flags this agent does not apply', () => {
    const withParam = (key: string, value = 'x') =>
      dockerRunSpec(task({ container: { type: 'DOCKER', docker: { image: 'img:1', parameters: [{ key, value }] } } }), ctx);
    expect(withParam('no-such-flag')).toBe("Failed to launch container: Failed to run 'docker run': unknown flag: --no-such-flag");
    expect(withParam('privileged', 'true')).toMatch(/--privileged is not applied/);
    expect(withParam('pid', 'host')).toMatch(/--pid is not applied/);
    expect(withParam('read-only', 'maybe')).toMatch(/invalid argument "maybe" for "--read-only"/);
  });
});
