import { describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/backends/ports.js';
import { buildTaskInfo, parseTaskId, sandboxPathOfOutput, taskIdFor } from '../../../src/backends/mesos/build-task-info.js';
import { mesosSpec, offer, runOf } from './fixtures.js';

/** The fields each message may carry, from the reference's TaskInfo/CommandInfo/ContainerInfo/… definitions. */
const FIELDS: Record<string, readonly string[]> = {
  TaskInfo: [
    'name',
    'task_id',
    'agent_id',
    'resources',
    'executor',
    'command',
    'container',
    'health_check',
    'check',
    'kill_policy',
    'data',
    'labels',
    'discovery',
    'max_completion_time',
    'limits',
  ],
  CommandInfo: ['uris', 'environment', 'shell', 'value', 'arguments', 'user'],
  Environment: ['variables'],
  Variable: ['name', 'type', 'value', 'secret'],
  ContainerInfo: ['type', 'volumes', 'hostname', 'docker', 'mesos', 'network_infos', 'linux_info', 'rlimit_info', 'tty_info'],
  DockerInfo: ['image', 'network', 'port_mappings', 'privileged', 'parameters', 'force_pull_image', 'volume_driver'],
  Volume: ['mode', 'container_path', 'host_path', 'image', 'source'],
  Resource: [
    'provider_id',
    'name',
    'type',
    'scalar',
    'ranges',
    'set',
    'role',
    'allocation_info',
    'reservation',
    'reservations',
    'disk',
    'revocable',
    'shared',
  ],
  KillPolicy: ['grace_period'],
  Labels: ['labels'],
  Label: ['key', 'value'],
  Id: ['value'],
};

const keys = (o: unknown): string[] => Object.keys(o as object);
const expectFields = (o: unknown, message: string): void => {
  for (const k of keys(o)) expect(FIELDS[message], `${message}.${k}`).toContain(k);
};

describe('taskIdFor / parseTaskId', () => {
  it('is deterministic per job, attempt and spec, and parses back', () => {
    const run = runOf(mesosSpec(), 'spark-pi', 3);
    expect(taskIdFor(run)).toBe('sparkctl.spark-pi.3.9f2c1a7b3d4e');
    expect(taskIdFor(run)).toBe(taskIdFor({ ...run }));
    expect(parseTaskId(taskIdFor(run))).toEqual({ job: 'spark-pi', attempt: 3, shortHash: '9f2c1a7b3d4e' });
    expect(parseTaskId('driver-20240101120000-0001')).toBeUndefined();
  });
});

describe('buildTaskInfo', () => {
  const spec = mesosSpec({
    volumes: [{ hostPath: '/data/in', containerPath: '/in', readOnly: true }],
    outputs: [{ name: 'result', path: '/out/result.txt' }],
    mesos: { role: '*', principal: 'spark', secretRef: { env: 'X' }, certsDir: '/etc/mesos/certs' },
    driver: { cores: 1, memory: '512m', env: [{ name: 'K', value: 'V' }] },
  });
  const built = buildTaskInfo({
    run: runOf(spec),
    offer: offer({ cpus: 4, mem: 8192 }),
    instance: 'inst-1',
    secret: 's3cr3t-value',
    user: { name: 'spark', dockerUser: '1000:1000' },
    driverMaster: 'mesos://10.0.0.5:5050',
  });
  const t = built.taskInfo as Record<string, Record<string, unknown>>;

  it('uses only snake_case fields the Mesos protos define', () => {
    expectFields(t, 'TaskInfo');
    expectFields(t.command, 'CommandInfo');
    expectFields(t.command!.environment, 'Environment');
    for (const v of (t.command!.environment as { variables: unknown[] }).variables) expectFields(v, 'Variable');
    expectFields(t.container, 'ContainerInfo');
    expectFields(t.container!.docker, 'DockerInfo');
    for (const v of t.container!.volumes as unknown[]) expectFields(v, 'Volume');
    for (const r of t.resources as unknown as unknown[]) expectFields(r, 'Resource');
    expectFields(t.kill_policy, 'KillPolicy');
    expectFields(t.labels, 'Labels');
    for (const l of (t.labels as unknown as { labels: unknown[] }).labels) expectFields(l, 'Label');
    expectFields(t.task_id, 'Id');
    expectFields(t.agent_id, 'Id');
    expect(JSON.stringify(t)).not.toMatch(/"[a-z]+[A-Z][a-zA-Z]*":/);
  });

  it('runs the image with network HOST, as the framework user, hardened, certs read-only at /certs and the declared volumes', () => {
    expect(t.container).toEqual({
      type: 'DOCKER',
      docker: {
        image: 'sparkctl/spark-fake:test',
        network: 'HOST',
        parameters: [
          { key: 'user', value: '1000:1000' },
          { key: 'cap-drop', value: 'ALL' },
          { key: 'security-opt', value: 'no-new-privileges' },
        ],
      },
      volumes: [
        { container_path: '/certs', host_path: '/etc/mesos/certs', mode: 'RO' },
        { container_path: '/in', host_path: '/data/in', mode: 'RO' },
        { container_path: '/out', host_path: 'sparkctl-outputs/out', mode: 'RW' },
      ],
    });
  });

  it('takes cpus and mem (with overhead) from the offer, keeping the offer resource shape', () => {
    expect(t.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*', allocation_info: { role: '*' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 896 }, role: '*', allocation_info: { role: '*' } },
    ]);
    expect(t.agent_id).toEqual({ value: 'M-S1' });
  });

  it('execs spark-submit (shell false; value is argv[0], arguments the rest) in client deploy mode, the secret only in the environment', () => {
    const c = t.command as { shell: boolean; value: string; arguments: string[]; environment: { variables: unknown[] } };
    expect(c.shell).toBe(false);
    expect(c.value).toBe('/opt/spark/bin/spark-submit');
    expect(c.arguments.slice(0, 4)).toEqual(['--master', 'mesos://10.0.0.5:5050', '--deploy-mode', 'client']);
    expect(JSON.stringify([c.value, c.arguments, t.labels, t.name, t.task_id])).not.toContain('s3cr3t-value');
    expect(c.environment.variables).toContainEqual({ name: 'K', value: 'V' });
    expect(c.environment.variables.at(-1)).toEqual({ name: 'SPARK_MESOS_SECRET', value: 's3cr3t-value' });
    expect(c.arguments).toContain('spark.mesos.principal=spark');
    expect(c.arguments).toContain('spark.mesos.executor.docker.image=sparkctl/spark-fake:test');
  });

  it('points the Spark local dirs at the sandbox and has the fetcher create each outputs folder as the task user', () => {
    const c = t.command as { environment: { variables: Array<{ name: string; value: string }> }; uris: unknown[] };
    expect(c.environment.variables).toContainEqual({ name: 'SPARK_LOCAL_DIRS', value: '/mnt/mesos/sandbox' });
    expect(c.environment.variables).toContainEqual({ name: 'K', value: 'V' });
    expect((t.command as { user: string }).user).toBe('spark');
    expect(c.uris).toEqual([{ value: '/dev/null', output_file: 'sparkctl-outputs/out/.sparkctl-keep', extract: false, cache: false }]);
  });

  it('keeps a SPARK_LOCAL_DIRS the manifest sets', () => {
    const own = mesosSpec({ driver: { cores: 1, memory: '512m', env: [{ name: 'SPARK_LOCAL_DIRS', value: '/mnt/mesos/sandbox/tmp' }] } });
    const b = buildTaskInfo({
      run: runOf(own),
      offer: offer(),
      instance: 'i',
      user: { name: 'spark', dockerUser: 'spark' },
      driverMaster: 'mesos://m:5050',
    });
    const vars = (b.taskInfo.command as { environment: { variables: Array<{ name: string; value: string }> } }).environment.variables;
    expect(vars.filter((v) => v.name === 'SPARK_LOCAL_DIRS')).toEqual([{ name: 'SPARK_LOCAL_DIRS', value: '/mnt/mesos/sandbox/tmp' }]);
  });

  it('keeps the secret out of the argv meant for logs, and a driver env entry cannot replace it', () => {
    expect(built.redactedArgv.join(' ')).not.toContain('s3cr3t-value');
    const spoof = mesosSpec({ driver: { cores: 1, memory: '512m', env: [{ name: 'SPARK_MESOS_SECRET', value: 'spoofed' }] } });
    const env = (
      buildTaskInfo({
        run: runOf(spoof),
        offer: offer(),
        instance: 'i',
        secret: 'real',
        user: { name: 'spark', dockerUser: 'spark' },
        driverMaster: 'mesos://m:5050',
      }).taskInfo.command as { environment: { variables: Array<{ name: string; value: string }> } }
    ).environment.variables;
    expect(env.filter((v) => v.name === 'SPARK_MESOS_SECRET')).toEqual([{ name: 'SPARK_MESOS_SECRET', value: 'real' }]);
  });

  it('labels the task with job, spec hash, attempt and instance', () => {
    expect((t.labels as unknown as { labels: unknown[] }).labels).toEqual([
      { key: LABELS.managedBy, value: 'sparkctl' },
      { key: LABELS.job, value: 'spark-pi' },
      { key: LABELS.specHash, value: '9f2c1a7b3d4e5f60718293a4b5c6d7e8' },
      { key: LABELS.attempt, value: '1' },
      { key: LABELS.instance, value: 'inst-1' },
    ]);
  });
});

describe('sandboxPathOfOutput', () => {
  it('reads sandbox paths in place and maps other folders under sparkctl-outputs', () => {
    expect(sandboxPathOfOutput('/mnt/mesos/sandbox/r.txt')).toBe('r.txt');
    expect(sandboxPathOfOutput('/out/a/r.txt')).toBe('sparkctl-outputs/out/a/r.txt');
    expect(sandboxPathOfOutput('/r.txt')).toBeUndefined();
  });
});
