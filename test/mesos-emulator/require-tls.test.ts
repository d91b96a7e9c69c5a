import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingTlsSettings } from '../support/mesos-emulator/require-tls.js';

describe('missingTlsSettings (a TLS-only cluster, Mesos docs/ssl.md)', () => {
  const certs = mkdtempSync(join(tmpdir(), 'tls-'));
  writeFileSync(join(certs, 'mesos.crt'), 'c');
  writeFileSync(join(certs, 'mesos.key'), 'k');
  const binds = [`${certs}:/certs:ro`];

  it('needs ENABLED true|1 and both CERT_FILE and KEY_FILE, under either prefix', () => {
    expect(missingTlsSettings([], binds)).toMatch(/LIBPROCESS_SSL_ENABLED/);
    expect(missingTlsSettings(['LIBPROCESS_SSL_ENABLED=false'], binds)).toMatch(/LIBPROCESS_SSL_ENABLED/);
    expect(missingTlsSettings(['LIBPROCESS_SSL_ENABLED=1', 'LIBPROCESS_SSL_CERT_FILE=/certs/mesos.crt'], binds)).toMatch(/KEY_FILE is not/);
    expect(
      missingTlsSettings(['SSL_ENABLED=true', 'SSL_CERT_FILE=/certs/mesos.crt', 'SSL_KEY_FILE=/certs/mesos.key'], binds),
    ).toBeUndefined();
  });

  it('checks files that come from a mounted folder, and trusts paths inside the image', () => {
    const env = ['LIBPROCESS_SSL_ENABLED=true', 'LIBPROCESS_SSL_CERT_FILE=/certs/mesos.crt', 'LIBPROCESS_SSL_KEY_FILE=/certs/missing.key'];
    expect(missingTlsSettings(env, binds)).toMatch(/KEY_FILE=\/certs\/missing.key does not exist/);
    expect(missingTlsSettings(env, [])).toBeUndefined();
  });
});
