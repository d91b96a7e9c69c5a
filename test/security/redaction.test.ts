import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparkJobSpecSchema } from '../../src/api/spark-job.js';
import { redactSecrets, secretValues, streamRedactor } from '../../src/secrets/redact.js';
import { createLogger } from '../../src/logger.js';

describe('driver log redaction', () => {
  const spec = SparkJobSpecSchema.parse({
    image: 'x',
    mainApplicationFile: 'local:///a.jar',
    mainClass: 'A',
    master: 'mesos://127.0.0.1:5050',
    network: 'host',
    mesos: { secretRef: { env: 'MS' } },
    driver: {
      env: [
        { name: 'T', value: 'tok-123', secret: true },
        { name: 'P', value: 'plain' },
      ],
    },
  });

  it('masks secret env values and the Mesos secret from secretRef.env, not plain values', () => {
    const secrets = secretValues(spec, { MS: 'mesos-pw' });
    expect(secrets.sort()).toEqual(['mesos-pw', 'tok-123']);
    expect(redactSecrets('a tok-123 b mesos-pw c plain', secrets)).toBe('a ****** b ****** c plain');
  });

  it('masks the Mesos secret read from secretRef.file (without its final newline)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sparkctl-secret-'));
    try {
      await writeFile(join(dir, 'secret'), 'file-pw-42\n');
      const fromFile = SparkJobSpecSchema.parse({ ...spec, mesos: { secretRef: { file: join(dir, 'secret') } } });
      const secrets = secretValues(fromFile, {});
      expect(secrets).toContain('file-pw-42');
      expect(redactSecrets('--conf spark.mesos.secret=file-pw-42', secrets)).toBe('--conf spark.mesos.secret=******');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('masks a secret with control characters as is, JSON-escaped and terminal-escaped', () => {
    const secret = 'k\u001b\u009bq\nz';
    const shown = [secret, JSON.stringify(secret).slice(1, -1), 'k\\x1b\\x9bq\\nz'];
    for (const text of shown) expect(redactSecrets(`a ${text} b`, [secret])).toBe('a ****** b');
    const r = streamRedactor([secret]);
    expect(r.push('a k\\x1b\\x9') + r.push('bq\\nz b') + r.end()).toBe('a ****** b');
  });

  it('masks a secret however the log is cut into chunks', () => {
    const secrets = ['s3cr3t-value', 'pw'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('s3cr3t-value', 'pw', 'x', '\n', 's3cr', 'p'), { maxLength: 30 }),
        fc.array(fc.nat(40), { maxLength: 8 }),
        (parts, cuts) => {
          const text = parts.join('');
          const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
          const r = streamRedactor(secrets);
          let out = '';
          let last = 0;
          for (const p of [...points, text.length]) {
            out += r.push(text.slice(last, p));
            last = p;
          }
          out += r.end();
          expect(out).toBe(redactSecrets(text, secrets));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('controller log redaction (pino paths)', () => {
  it('censors secret, password, authorization and env values wherever they are logged', () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(c: Buffer, _e, cb) {
          lines.push(c.toString());
          cb();
        },
      }),
    });
    logger.info({ secret: 'S1', password: 'S2', authorization: 'Basic S3', env: [{ name: 'A', value: 'S4' }] }, 'top level');
    logger.info({ job: { secret: 'S5', password: 'S6', authorization: 'S7', env: [{ name: 'B', value: 'S8' }] } }, 'nested');
    const text = lines.join('');
    for (const s of ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8']) expect(text).not.toContain(`"${s}`);
    expect(text.match(/\*\*\*\*\*\*/g)?.length).toBe(8);
  });
});
