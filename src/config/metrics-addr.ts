import { isIP } from 'node:net';
import { SparkctlError } from '../errors.js';

/** Where metrics are served when `--metrics-addr` is given without a value. */
export const DEFAULT_METRICS_ADDR = '127.0.0.1:9464';

/** `--metrics-addr` is malformed, or names a non-loopback address that was not asked for explicitly. */
export class MetricsAddressError extends SparkctlError {
  override readonly code = 'SPARKCTL_METRICS_ADDRESS';
  override readonly errorClass = 'terminal' as const;
  override readonly reason = 'InvalidMetricsAddress';
}

/** Splits `host:port` or `[v6]:port`; throws MetricsAddressError naming the flag and the fix. */
export function parseMetricsAddr(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  if (!m || host === '' || port > 65535) {
    throw new MetricsAddressError(
      `--metrics-addr ${JSON.stringify(value)} is not host:port: write it like ${DEFAULT_METRICS_ADDR} or [::1]:9464`,
    );
  }
  return { host, port };
}

/** Whether a host is the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}
