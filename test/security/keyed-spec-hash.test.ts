import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { LABELS } from '../../src/backends/ports.js';
import type { SparkJob } from '../../src/api/spark-job.js';
import type { SparkJobStatus } from '../../src/api/status.js';
import { isStale, verdictOf } from '../../src/cli/commands/wait.js';
import type { JobView } from '../../src/cli/find-job.js';
import type { WaitCondition } from '../../src/cli/wait-condition.js';
import { runHash } from '../../src/manifest/run-hash.js';
import { canonicalJson, SPEC_HASH_LENGTH, specHash } from '../../src/manifest/spec-hash.js';
import { HASH_KEY_FILE, loadHashKey, readHashKey } from '../../src/secrets/hash-key.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { ensureTestImages, testDocker } from '../support/docker.js';

const SIX_DIGITS = '867530';
const spec = SparkJobSpecSchema.parse({
  image: 'sparkctl/spark-fake:test',
  mainApplicationFile: 'local:///a.jar',
  mainClass: 'A',
  driver: {
    env: [
      { name: 'PIN', value: SIX_DIGITS, secret: true },
      { name: 'PLAIN', value: 'p' },
    ],
  },
});
const withValue = (value: string) => ({
  ...spec,
  driver: { ...spec.driver, env: [{ name: 'PIN', value, secret: true }, spec.driver.env[1]!] },
});
/** What the hash was before keys: sha256 of the canonical spec, secret value included. */
const plainHash = (s: unknown): string => createHash('sha256').update(canonicalJson(s)).digest('hex').slice(0, SPEC_HASH_LENGTH);

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sparkctl-key-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hash key file in the state dir', () => {
  it('is created on first use with mode 0600 and reused afterwards', () => {
    const dir = join(tempDir(), 'state');
    expect(readHashKey(dir)).toBeUndefined();
    const key = loadHashKey(dir);
    expect(key).toHaveLength(32);
    expect(statSync(join(dir, HASH_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadHashKey(dir).equals(key)).toBe(true);
    expect(readHashKey(dir)?.equals(key)).toBe(true);
    expect(loadHashKey(tempDir()).equals(key)).toBe(false);
  });

  it('gives every process racing to create it the same key', async () => {
    const dir = join(tempDir(), 'state');
    const module = join(import.meta.dirname, '..', '..', 'src', 'secrets', 'hash-key.ts');
    const code = `import { loadHashKey } from ${JSON.stringify(module)}; process.stdout.write(loadHashKey(${JSON.stringify(dir)}).toString('hex'));`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]).then((r) => r.stdout);
    const keys = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(readFileSync(join(dir, HASH_KEY_FILE), 'utf8').trim());
  });

  it('refuses a damaged key file instead of hashing with a guessable key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, HASH_KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(() => loadHashKey(dir)).toThrow(/does not hold a key/);
  });
});

describe('secret values in spec hashes', () => {
  it('differ between state dirs (keys) and stay stable with the same key', () => {
    const a = loadHashKey(tempDir());
    const b = loadHashKey(tempDir());
    expect(runHash(spec, a)).not.toBe(runHash(spec, b));
    expect(runHash(spec, a)).toBe(runHash(SparkJobSpecSchema.parse(structuredClone(spec)), a));
    expect(runHash(withValue('000000'), a)).not.toBe(runHash(spec, a));
  });

  it('equal nothing computable without the key: a brute force of all six-digit values finds the old hash but not the keyed one', () => {
    const key = loadHashKey(tempDir());
    const keyed = runHash(spec, key);
    const unkeyed = { ...spec, suspend: false, timeToLiveSeconds: undefined };
    const old = plainHash(unkeyed);
    expect(keyed).not.toBe(old);
    expect(specHash(spec)).not.toBe(plainHash(spec));
    // The canonical text with a hole where the secret goes: one sha256 per guess.
    const [before, after] = canonicalJson({
      ...unkeyed,
      driver: { ...spec.driver, env: [{ name: 'PIN', value: '@@@', secret: true }, spec.driver.env[1]] },
    }).split('"@@@"');
    const found: Record<string, string> = {};
    for (let n = 0; n < 1_000_000; n++) {
      const guess = String(n).padStart(6, '0');
      const h = createHash('sha256').update(`${before}"${guess}"${after}`).digest('hex').slice(0, SPEC_HASH_LENGTH);
      if (h === old) found.old = guess;
      if (h === keyed) found.keyed = guess;
    }
    expect(found).toEqual({ old: SIX_DIGITS });
  });

  it('leave specs without secrets hashed as before (no restart on upgrade), whatever the key', () => {
    const plain = SparkJobSpecSchema.parse({
      image: 'x',
      mainApplicationFile: 'local:///a.jar',
      mainClass: 'A',
      driver: { env: [{ name: 'A', value: 'b' }] },
    });
    expect(specHash(plain, loadHashKey(tempDir()))).toBe(plainHash(plain));
    expect(specHash(plain, loadHashKey(tempDir()))).toBe(specHash(plain));
  });
});

describe('wait and the keyed hash', () => {
  const key = loadHashKey(tempDir());
  const job = {
    apiVersion: 'sparkctl.io/v1alpha1',
    kind: 'SparkJob',
    metadata: { name: 'pin', labels: {}, annotations: {} },
    spec,
  } as unknown as SparkJob;
  const view = (observedSpecHash: string): JobView => {
    const status: SparkJobStatus = { phase: 'Succeeded', observedSpecHash, conditions: [], submissionAttempts: 1, executionAttempts: 1 };
    return { name: 'pin', job, status, record: { name: 'pin', file: 'pin.yaml', status, updatedAt: '' } };
  };

  it('judges a spec with secrets by the state dir key: current when the keyed hash matches, stale when it does not', () => {
    expect(isStale(view(runHash(spec, key)), key)).toBe(false);
    expect(verdictOf(view(runHash(spec, key)), { kind: 'phase', phase: 'Succeeded' } satisfies WaitCondition, key)).toBe('met');
    expect(isStale(view(runHash(withValue('111111'), key)), key)).toBe(true);
  });

  it('skips the spec comparison when it cannot read the key, rather than calling every status stale', () => {
    expect(isStale(view(runHash(spec, key)), undefined)).toBe(false);
    const plain = SparkJobSpecSchema.parse({ image: 'x', mainApplicationFile: 'local:///a.jar', mainClass: 'A' });
    const plainView: JobView = { ...view(runHash(spec, key)), job: { ...job, spec: plain } };
    expect(isStale(plainView, undefined)).toBe(true);
  });
});

describe('keyed hashes across a controller restart (real Docker)', () => {
  let h: Harness | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps the same observedSpecHash and adopts the running driver; status, label and hash never carry the secret', async () => {
    h = await createHarness();
    const file = join(h.jobsDir, 'pin.yaml');
    const manifest = fakeJob('pin', `  sparkConf: {spark.fake.sleepSeconds: "3"}\n`).replace(
      'memoryOverhead: 16m}',
      `memoryOverhead: 16m, env: [{name: PIN, value: "${SIX_DIGITS}", secret: true}, {name: SPARK_LOCAL_IP, value: 127.0.0.1}]}`,
    );
    expect(manifest).toContain(SIX_DIGITS);
    await h.write('pin.yaml', manifest);
    await h.start();
    const running = await waitForStatus(file, phaseIs('Running'));
    const key = readHashKey(h.stateDir)!;
    expect(key).toBeDefined();
    const [container] = await testDocker().listContainers({ all: true, filters: { label: [`${LABELS.instance}=${h.instance}`] } });
    expect(container?.Labels[LABELS.specHash]).toBe(running.observedSpecHash);
    const parsedSpec = SparkJobSpecSchema.parse({
      image: 'sparkctl/spark-fake:test',
      imagePullPolicy: 'Never',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      mainClass: 'org.apache.spark.examples.SparkPi',
      arguments: ['10'],
      driver: {
        cores: 0.5,
        memory: '64m',
        memoryOverhead: '16m',
        env: [
          { name: 'PIN', value: SIX_DIGITS, secret: true },
          { name: 'SPARK_LOCAL_IP', value: '127.0.0.1' },
        ],
      },
      sparkConf: { 'spark.fake.sleepSeconds': '3' },
    });
    expect(running.observedSpecHash).toBe(runHash(parsedSpec, key));
    expect(running.observedSpecHash).not.toBe(plainHash({ ...parsedSpec, suspend: false, timeToLiveSeconds: undefined }));

    await h.controller.stop();
    await h.start();
    const done = await waitForStatus(file, phaseIs('Succeeded'), 30_000);
    expect(done.observedSpecHash).toBe(running.observedSpecHash);
    expect(done.executionAttempts).toBe(1);
    expect(done.driver?.containerId).toBe(container?.Id);
    expect(readHashKey(h.stateDir)?.equals(key)).toBe(true);
    expect(readFileSync(file, 'utf8').match(new RegExp(SIX_DIGITS, 'g'))).toHaveLength(1);
  });
});
