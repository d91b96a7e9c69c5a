import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MesosCertsError, MesosSecretError } from './errors.js';
import type { TlsMaterial } from './scheduler-client.js';

/** Where the secret comes from: an environment variable or a file (never the secret itself). */
export type SecretRef = { readonly env: string } | { readonly file: string };

/** Reads the secret behind a secretRef; errors name the source, never the value. */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new MesosSecretError(`spec.mesos.secretRef.env: the variable ${ref.env} is not set in the controller's environment; export it or use secretRef.file`);
    return v;
  }
  try {
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new MesosSecretError(`spec.mesos.secretRef.file: cannot read ${ref.file} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); make it readable by the controller`, { cause });
  }
}

/** The Authorization header for HTTP Basic authentication as `principal`. */
export function basicAuthorization(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64')}`;
}

/** Files expected in spec.mesos.certsDir. */
export const CERT_FILES = { cert: 'mesos.crt', key: 'mesos.key', ca: 'trustedroot.crt' } as const;

/** Loads mesos.crt, mesos.key and trustedroot.crt from certsDir for TLS to masters and agents. */
export function loadTls(certsDir: string): TlsMaterial {
  const read = (name: string): Buffer => {
    const file = path.join(certsDir, name);
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new MesosCertsError(`spec.mesos.certsDir: cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); the folder needs mesos.crt, mesos.key and trustedroot.crt`, { cause });
    }
  };
  return { cert: read(CERT_FILES.cert), key: read(CERT_FILES.key), ca: read(CERT_FILES.ca) };
}
