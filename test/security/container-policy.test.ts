import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { checkPolicy } from '../../src/policy/check-policy.js';
import { DEFAULT_POLICY, type Policy } from '../../src/policy/policy.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { ensureTestImages, testDocker } from '../support/docker.js';

const spec = (extra: Record<string, unknown>) =>
  SparkJobSpecSchema.parse({ image: 'x', mainApplicationFile: 'local:///a.jar', mainClass: 'A', ...extra });

describe('policy rules', () => {
  const violations = async (s: ReturnType<typeof spec>, policy: Policy) => (await checkPolicy(s, policy)).violations;

  it('refuses network: host unless --allow-host-network', async () => {
    const s = spec({ network: 'host' });
    expect(await violations(s, DEFAULT_POLICY)).toEqual([
      { path: 'spec.network', message: expect.stringMatching(/--allow-host-network/) as string },
    ]);
    expect(await violations(s, { ...DEFAULT_POLICY, allowHostNetwork: true })).toEqual([]);
  });

  it('refuses host paths outside every --allow-host-path prefix, by whole path components and after resolving ..', async () => {
    const policy = { allowHostNetwork: false, allowedHostPaths: ['/data'] };
    const paths = async (hostPath: string) =>
      (await violations(spec({ volumes: [{ hostPath, containerPath: '/in' }] }), policy)).map((v) => v.path);
    expect(await paths('/data')).toEqual([]);
    expect(await paths('/data/in/deeper')).toEqual([]);
    expect(await paths('/data-evil')).toEqual(['spec.volumes[0].hostPath']);
    // '..' is refused by the schema already; the policy resolves it anyway, as a second guard.
    const raw = { ...spec({}), volumes: [{ hostPath: '/data/../etc', containerPath: '/in', readOnly: false }] };
    expect((await violations(raw, policy)).map((v) => v.path)).toEqual(['spec.volumes[0].hostPath']);
    expect(await paths('/etc')).toEqual(['spec.volumes[0].hostPath']);
    expect(await paths('/')).toEqual(['spec.volumes[0].hostPath']);
    expect(await violations(spec({ volumes: [{ hostPath: '/data/x', containerPath: '/in' }] }), DEFAULT_POLICY)).toHaveLength(1);
  });

  it('treats mesos.certsDir as a host path', async () => {
    const s = spec({ master: 'mesos://127.0.0.1:5050', network: 'host', mesos: { certsDir: '/etc/mesos/certs' } });
    const policy = { allowHostNetwork: true, allowedHostPaths: ['/srv'] };
    expect(await violations(s, policy)).toEqual([
      { path: 'spec.mesos.certsDir', message: expect.stringMatching(/--allow-host-path/) as string },
    ]);
    expect(await violations(s, { ...policy, allowedHostPaths: ['/etc/mesos'] })).toEqual([]);
  });
});

describe('what the controller lets containers do (real engine)', () => {
  let h: Harness | undefined;
  const dirs: string[] = [];
  const scratch = async (prefix: string) => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  const containersOf = async (instance: string, job: string) =>
    testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`, `io.sparkctl.job=${job}`] } });

  it('runs drivers unprivileged, without capabilities, host PID or network; refuses host network and host paths the policy does not allow', async () => {
    const allowedDir = await scratch('sparkctl-allowed-');
    await mkdir(join(allowedDir, 'in'));
    h = await createHarness({ policy: { allowHostNetwork: false, allowedHostPaths: [allowedDir] } });
    await h.write('plain.yaml', fakeJob('plain', `  sparkConf: {spark.fake.sleepSeconds: "3"}\n`));
    await h.write(
      'mounted.yaml',
      fakeJob(
        'mounted',
        `  sparkConf: {spark.fake.requireFiles: /in/data.txt}\n  volumes: [{hostPath: ${allowedDir}/in, containerPath: /in, readOnly: true}]\n`,
      ),
    );
    await writeFile(join(allowedDir, 'in', 'data.txt'), 'input\n');
    await h.write('hostnet.yaml', fakeJob('hostnet', '  network: host\n'));
    await h.write('etc.yaml', fakeJob('etc', '  volumes: [{hostPath: /etc, containerPath: /host-etc, readOnly: true}]\n'));
    await h.write('sneaky.yaml', fakeJob('sneaky', `  volumes: [{hostPath: ${allowedDir}/../jobs, containerPath: /j}]\n`));
    await h.write('prefix.yaml', fakeJob('prefix', `  volumes: [{hostPath: ${allowedDir}-evil, containerPath: /j}]\n`));
    await h.write('certs.yaml', fakeJob('certs', `  master: mesos://127.0.0.1:5050\n  network: host\n  mesos: {certsDir: /etc/ssl}\n`));
    await h.start();
    const at = (f: string) => join(h!.jobsDir, f);

    await waitForStatus(at('plain.yaml'), phaseIs('Running'));
    const [plain] = await containersOf(h.instance, 'plain');
    const info = await testDocker().getContainer(plain!.Id).inspect();
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(info.HostConfig.PidMode).toBe('');
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.IpcMode).toBe('private');
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    // And inside: no effective capabilities, no new privileges, only loopback.
    const exec = await testDocker()
      .getContainer(plain!.Id)
      .exec({ Cmd: ['cat', '/proc/self/status', '/proc/net/dev'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    let out = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) out += chunk.toString('latin1');
    expect(out).toMatch(/CapEff:\s+0000000000000000/);
    expect(out).toMatch(/CapBnd:\s+0000000000000000/);
    expect(out).toMatch(/NoNewPrivs:\s+1/);
    expect(out).not.toMatch(/eth0|ens\d|docker0/);

    for (const [file, field, flag] of [
      ['hostnet.yaml', 'spec.network', '--allow-host-network'],
      ['etc.yaml', 'spec.volumes[0].hostPath', '--allow-host-path'],
      ['sneaky.yaml', 'spec.volumes.0.hostPath', "must not contain '..'"],
      ['prefix.yaml', 'spec.volumes[0].hostPath', '--allow-host-path'],
      ['certs.yaml', 'spec.mesos.certsDir', '--allow-host-path'],
    ] as const) {
      const s = await waitForStatus(at(file), phaseIs('Invalid'));
      expect(s.message, file).toContain(`${field}: `);
      expect(s.message, file).toContain(flag);
    }
    const mounted = await waitForStatus(at('mounted.yaml'), phaseIs('Succeeded', 'Failed'));
    expect(mounted.phase).toBe('Succeeded');
    await waitForStatus(at('plain.yaml'), phaseIs('Succeeded'));
    for (const job of ['hostnet', 'etc', 'sneaky', 'prefix', 'certs']) expect(await containersOf(h.instance, job), job).toEqual([]);
  });

  it('mounts certificates read-only from where they are, and never copies them', async () => {
    const certs = await scratch('sparkctl-certs-');
    const marker = `-----BEGIN CERTIFICATE-----\nsparkctl-test-cert-${Date.now()}\n-----END CERTIFICATE-----\n`;
    for (const f of ['mesos.crt', 'mesos.key', 'trustedroot.crt']) await writeFile(join(certs, f), marker);
    h = await createHarness({ policy: { allowHostNetwork: true, allowedHostPaths: [certs] } });
    await h.write(
      'tls.yaml',
      fakeJob(
        'tls',
        `  master: mesos://127.0.0.1:5050\n  network: host\n  mesos: {certsDir: ${certs}}\n  sparkConf: {spark.fake.sleepSeconds: "2", spark.fake.requireFiles: "/certs/mesos.crt,/certs/trustedroot.crt"}\n`,
      ),
    );
    await h.start();
    await waitForStatus(join(h.jobsDir, 'tls.yaml'), phaseIs('Running'));
    const [c] = await containersOf(h.instance, 'tls');
    const info = await testDocker().getContainer(c!.Id).inspect();
    const mount = info.Mounts.find((m) => m.Destination === '/certs');
    expect(mount).toMatchObject({ Type: 'bind', Source: certs, RW: false });
    expect(info.HostConfig.NetworkMode).toBe('host');
    expect((await waitForStatus(join(h.jobsDir, 'tls.yaml'), phaseIs('Succeeded', 'Failed'))).phase).toBe('Succeeded');
    // No file in the state dir or the jobs folder carries the certificate's bytes.
    const copies: string[] = [];
    const scan = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await scan(p);
        else if (e.isFile() && (await readFile(p, 'utf8')).includes('sparkctl-test-cert-')) copies.push(p);
      }
    };
    await scan(h.stateDir);
    await scan(h.jobsDir);
    expect(copies).toEqual([]);
  });
});
