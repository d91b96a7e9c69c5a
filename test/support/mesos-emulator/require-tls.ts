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
 * What a driver needs to reach a TLS-only Mesos cluster (Mesos docs/ssl.md: with
 * LIBPROCESS_SSL_ENABLED=true|1, LIBPROCESS_SSL_CERT_FILE and LIBPROCESS_SSL_KEY_FILE must be
 * supplied; the legacy `SSL_` prefix is accepted too; executors get them through
 * CommandInfo.environment and the files through ContainerInfo.volumes; without
 * LIBPROCESS_SSL_SUPPORT_DOWNGRADE on the master a plain driver is refused). Returns what is
 * missing, or undefined. Files mounted from the host must exist there.
 */
export function missingTlsSettings(env: readonly string[], binds: readonly string[]): string | undefined {
  const vars = new Map<string, string>();
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq > 0) vars.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const get = (name: string): string | undefined => vars.get(`LIBPROCESS_SSL_${name}`) ?? vars.get(`SSL_${name}`);
  const enabled = get('ENABLED');
  if (enabled === undefined || !TRUE.has(enabled.toLowerCase())) return 'LIBPROCESS_SSL_ENABLED=true is not in the task environment';
  for (const name of ['CERT_FILE', 'KEY_FILE']) {
    const value = get(name);
    if (!value) return `LIBPROCESS_SSL_${name} is not in the task environment`;
    const host = hostPathOf(value, binds);
    if (host !== undefined && !existsSync(host))
      return `LIBPROCESS_SSL_${name}=${value} does not exist in the container (missing from the volume mounted there)`;
  }
  return undefined;
}
