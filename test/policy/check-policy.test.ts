import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { checkPolicy, enforcePolicy } from '../../src/policy/check-policy.js';
import { DEFAULT_POLICY, preparePolicy, type Policy } from '../../src/policy/policy.js';
import { isUnderPrefix, resolveHostPath } from '../../src/policy/resolve-host-path.js';

const spec = (extra: Record<string, unknown>) =>
  SparkJobSpecSchema.parse({ image: 'x', mainApplicationFile: 'local:///a.jar', mainClass: 'A', ...extra });
const volume = (hostPath: string) => spec({ volumes: [{ hostPath, containerPath: '/v' }] });

describe('the policy', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-policy-'));
    await mkdir(join(root, 'allowed', 'data'), { recursive: true });
    await symlink(join(root, 'allowed'), join(root, 'allowed-link'));
    await symlink(join(root, 'allowed', 'data', 'not-yet'), join(root, 'allowed', 'dangling'));
    await symlink('/etc', join(root, 'out-link'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resolves the prefixes once, at start: a prefix given as a link grants its real folder', async () => {
    const policy = await preparePolicy({ allowHostNetwork: false, allowedHostPaths: [join(root, 'allowed-link')] });
    expect(policy.allowedHostPaths).toEqual([join(root, 'allowed')]);
    expect((await checkPolicy(volume(join(root, 'allowed', 'data')), policy)).violations).toEqual([]);
    expect((await checkPolicy(volume(join(root, 'allowed-link', 'data')), policy)).spec.volumes[0]!.hostPath).toBe(
      join(root, 'allowed', 'data'),
    );
  });

  it('refuses empty, relative and missing prefixes and bad variable names, naming the flag', async () => {
    const p = (allowedHostPaths: string[], allowedSecretEnv: string[] = []) =>
      preparePolicy({ allowHostNetwork: false, allowedHostPaths, allowedSecretEnv });
    await expect(p([''])).rejects.toThrow(/--allow-host-path was given an empty prefix/);
    await expect(p(['data'])).rejects.toThrow(/--allow-host-path data is relative/);
    await expect(p([join(root, 'nope')])).rejects.toThrow(/--allow-host-path .*nope cannot be resolved \(ENOENT\)/);
    await expect(p([], ['A=B'])).rejects.toThrow(/--allow-secret-env "A=B" is not an environment variable name/);
  });

  it('lets a path whose tail does not exist yet pass the check when its existing part is inside, and fails it at launch as missing', async () => {
    const policy: Policy = { allowHostNetwork: false, allowedHostPaths: [join(root, 'allowed')] };
    const s = volume(join(root, 'allowed', 'data', 'later', 'deeper'));
    const check = await checkPolicy(s, policy);
    expect(check.violations).toEqual([]);
    expect(check.missing).toEqual([
      { path: 'spec.volumes[0].hostPath', message: expect.stringContaining('does not exist on this host') as string },
    ]);
    await expect(enforcePolicy(s, policy)).rejects.toMatchObject({ reason: 'InvalidSpec', errorClass: 'terminal' });
  });

  it('refuses a link to nothing, even one whose target would be inside (it may appear anywhere later)', async () => {
    expect(await resolveHostPath(join(root, 'allowed', 'dangling'))).toEqual({ ok: false, code: 'ENOENT: a link to nothing' });
    const policy: Policy = { allowHostNetwork: false, allowedHostPaths: [join(root, 'allowed')] };
    expect((await checkPolicy(volume(join(root, 'allowed', 'dangling')), policy)).violations.map((v) => v.path)).toEqual([
      'spec.volumes[0].hostPath',
    ]);
  });

  it('grants secretRef.env only for variables named by --allow-secret-env, and never quotes a value', async () => {
    const s = spec({ master: 'mesos://127.0.0.1:5050', mode: 'cluster', mesos: { secretRef: { env: 'MESOS_SECRET' } } });
    const refused = await checkPolicy(s, DEFAULT_POLICY);
    expect(refused.violations).toEqual([
      { path: 'spec.mesos.secretRef.env', message: expect.stringContaining('--allow-secret-env MESOS_SECRET') as string },
    ]);
    await expect(enforcePolicy(s, DEFAULT_POLICY)).rejects.toMatchObject({ reason: 'PolicyViolation', code: 'SPARKCTL_POLICY_VIOLATION' });
    expect((await checkPolicy(s, { ...DEFAULT_POLICY, allowedSecretEnv: ['OTHER'] })).violations).toHaveLength(1);
    expect((await checkPolicy(s, { ...DEFAULT_POLICY, allowedSecretEnv: ['MESOS_SECRET'] })).violations).toEqual([]);
  });

  it('says nothing about a path outside every prefix: existing, missing, a link or unreadable, the message is the same', async () => {
    const policy: Policy = { allowHostNetwork: false, allowedHostPaths: [join(root, 'allowed')] };
    const message = async (p: string) => (await checkPolicy(volume(p), policy)).violations[0]!.message.replaceAll(p, 'P');
    const outside = [join(root, 'out-link'), '/etc/shadow', '/no/such/path', join(root, 'nope', 'deeper')];
    const messages = await Promise.all(outside.map(message));
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toBe('host path P is not allowed by this controller; start it with --allow-host-path <prefix of P>');
  });

  it('compares whole path components', () => {
    expect(isUnderPrefix('/data', '/data')).toBe(true);
    expect(isUnderPrefix('/data/x', '/data/')).toBe(true);
    expect(isUnderPrefix('/data-evil', '/data')).toBe(false);
    expect(isUnderPrefix('/anything', '/')).toBe(true);
    expect(isUnderPrefix('/data/x', 'data')).toBe(false);
  });
});
