import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

const TRUE = new Set(['true', '1']);

/** The host file behind a container path, through the bind mounts (`host:container:mode`); undefined when it lies in the image. */
function hostPathOf(containerPath: string, binds: readonly string[]): string | undefined {
  for (const bind of binds) {
    const [host, target] = bind.split(':');
    if (!host || !target) continue;
    const rel = posix.relative(target, containerPath);
    if (rel !== '' && !rel.startsWith('..') && !posix.isAbsolute(rel)) return join(host, rel);
  }
  return undefined;
}

/**
 * What a driver needs to reach a TLS-only Mesos cluster (docs/ssl.md: libprocess reads
 * LIBPROCESS_SSL_ENABLED, and then requires LIBPROCESS_SSL_CERT_FILE and LIBPROCESS_SSL_KEY_FILE;
 * without LIBPROCESS_SSL_SUPPORT_DOWNGRADE on the master a plain driver is refused). Returns what
 * is missing, or undefined. Files mounted from the host must exist there.
 */
export function missingTlsSettings(env: readonly string[], binds: readonly string[]): string | undefined {
  const vars = new Map<string, string>();
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq > 0) vars.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const enabled = vars.get('LIBPROCESS_SSL_ENABLED') ?? vars.get('SSL_ENABLED');
  if (enabled === undefined || !TRUE.has(enabled.toLowerCase())) return 'LIBPROCESS_SSL_ENABLED=true is not in the task environment';
  for (const name of ['LIBPROCESS_SSL_CERT_FILE', 'LIBPROCESS_SSL_KEY_FILE']) {
    const value = vars.get(name);
    if (!value) return `${name} is not in the task environment`;
    const host = hostPathOf(value, binds);
    if (host !== undefined && !existsSync(host)) return `${name}=${value} does not exist in the container (missing from the volume mounted there)`;
  }
  return undefined;
}
