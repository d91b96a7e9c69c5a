import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicAuthorization, loadTls, resolveSecret } from '../../../src/backends/mesos/resolve-credentials.js';

describe('resolveSecret', () => {
  it('reads an environment variable', () => {
    expect(resolveSecret({ env: 'S' }, { S: 'top-secret' })).toBe('top-secret');
  });

  it('reads a file without its trailing newline', () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'sec-')), 'secret');
    writeFileSync(f, 'from-file\n');
    expect(resolveSecret({ file: f })).toBe('from-file');
  });

  it('names the source, never a value, when it is missing', () => {
    expect(() => resolveSecret({ env: 'NOPE' }, {})).toThrow(/secretRef.env: the variable NOPE is not set/);
    expect(() => resolveSecret({ file: '/nonexistent/secret' })).toThrow(/secretRef.file: cannot open \/nonexistent\/secret \(ENOENT\)/);
  });
});

describe('basicAuthorization', () => {
  it('encodes principal:secret in base64', () => {
    expect(basicAuthorization('spark', 's3cr3t')).toBe(`Basic ${Buffer.from('spark:s3cr3t').toString('base64')}`);
  });
});

describe('loadTls', () => {
  it('names the missing file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certs-'));
    writeFileSync(path.join(dir, 'mesos.crt'), 'x');
    expect(() => loadTls(dir)).toThrow(/mesos\.key \(ENOENT\)/);
  });
});
