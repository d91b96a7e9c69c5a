import path from 'node:path';
import { readSecretFile } from '../../secrets/read-secret-file.js';
import { MesosCertsError, MesosSecretError } from './errors.js';
import type { TlsMaterial } from './scheduler-client.js';

/** Where the secret comes from: an environment variable or a file (never the secret itself). */
export type SecretRef = { readonly env: string } | { readonly file: string };

/**
 * Reads the secret behind a secretRef; errors name the source, never the value. A file is read
 * without ever blocking (a FIFO or device is refused), at most 64 KiB, trimmed: the caller hands
 * in a path the policy has resolved and granted.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '')
      throw new MesosSecretError(
        `spec.mesos.secretRef.env: the variable ${ref.env} is not set in the controller's environment; export it or use secretRef.file`,
      );
    return v;
  }
  return readSecretFile(ref.file, 'spec.mesos.secretRef.file');
}

/** The Authorization header for HTTP Basic authentication as `principal`. */
export function basicAuthorization(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64')}`;
}

/** Files expected in spec.mesos.certsDir. */
export const CERT_FILES = { cert: 'mesos.crt', key: 'mesos.key', ca: 'trustedroot.crt' } as const;

/** The largest certificate file read (a CA bundle fits; a device never gets read whole). */
const MAX_CERT_FILE_BYTES = 1024 * 1024;

/**
 * Loads mesos.crt, mesos.key and trustedroot.crt from certsDir for TLS to masters and agents.
 * Each must be a plain file in that (resolved) folder: read without blocking, never through a
 * link (a link could hand another file to the master the manifest names), at most 1 MiB.
 */
export function loadTls(certsDir: string): TlsMaterial {
  const read = (name: string): Buffer => {
    const file = path.join(certsDir, name);
    try {
      return Buffer.from(`${readSecretFile(file, 'spec.mesos.certsDir', MAX_CERT_FILE_BYTES)}\n`, 'utf8');
    } catch (cause) {
      throw new MesosCertsError(`${(cause as Error).message}; the folder needs plain files mesos.crt, mesos.key and trustedroot.crt`, {
        cause,
      });
    }
  };
  return { cert: read(CERT_FILES.cert), key: read(CERT_FILES.key), ca: read(CERT_FILES.ca) };
}
