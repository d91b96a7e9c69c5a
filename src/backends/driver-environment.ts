import { backendFor, DEFAULT_MESOS_NATIVE_LIBRARY, isMesosMaster, type SparkJobSpec } from '../api/spark-job.js';

/** Where the Mesos certificates are mounted inside a driver container. */
export const CERTS_MOUNT = '/certs';

/** The files libprocess reads from the certificates folder (the lcmap-spark layout: mesos.crt, mesos.key, trustedroot.crt). */
export const TLS_FILES = {
  cert: `${CERTS_MOUNT}/mesos.crt`,
  key: `${CERTS_MOUNT}/mesos.key`,
  ca: `${CERTS_MOUNT}/trustedroot.crt`,
} as const;

/** The loopback address a driver without a network (network: none) binds to and names itself by. */
export const LOOPBACK_DRIVER_HOST = '127.0.0.1';

/** What a backend knows about where its drivers run, beyond the spec. */
export interface DriverContext {
  /** A routable IPv4 address of this host (controller flag --advertise-address): Mesos and executors call client-mode drivers back here. */
  readonly advertiseAddress?: string;
}

/** One environment variable of a driver, as Docker (`NAME=value`) and Mesos (`{name, value}`) both take it. */
export interface DriverEnvVar {
  readonly name: string;
  readonly value: string;
}

/**
 * The host name a driver gives executors and the master (`spark.driver.host`), or undefined to
 * leave Spark's default (the host's own name, right for a cluster task on the agent's network).
 * network none: Docker writes no entry for the container's host name, so Spark's
 * InetAddress.getLocalHost lookup (core Utils.findLocalInetAddress) fails; loopback is all
 * there is. A client-mode Mesos driver: the advertised address, so executors reach it.
 */
export function driverHostFor(spec: SparkJobSpec, context: DriverContext = {}): string | undefined {
  if (backendFor(spec) === 'mesos') return undefined;
  if (spec.network === 'none') return LOOPBACK_DRIVER_HOST;
  if (isMesosMaster(spec.master)) return context.advertiseAddress;
  return undefined;
}

/**
 * The driver's environment for a spec, the same for the Docker container (client and local
 * modes) and the Mesos task (cluster mode); the spec's own `driver.env` comes last and wins.
 * - MESOS_NATIVE_JAVA_LIBRARY: Spark's Mesos scheduler loads libmesos through it
 *   (resource-managers/mesos MesosSchedulerUtils → org.apache.mesos.MesosNativeLibrary).
 * - LIBPROCESS_SSL_*: TLS to the master is libprocess's (Mesos docs/ssl.md), not Spark's
 *   spark.ssl.* (core SSLOptions, which secures Spark's own endpoints).
 * - SPARK_LOCAL_IP: network none (core Utils.findLocalInetAddress reads it before any lookup).
 * - LIBPROCESS_IP / LIBPROCESS_ADVERTISE_IP: the address libprocess binds and advertises, so
 *   the master can call a client-mode driver back.
 */
export function driverEnvironment(spec: SparkJobSpec, context: DriverContext = {}): DriverEnvVar[] {
  const env = new Map<string, string>();
  const clusterTask = backendFor(spec) === 'mesos';
  if (isMesosMaster(spec.master)) {
    env.set('MESOS_NATIVE_JAVA_LIBRARY', spec.mesos?.nativeLibrary ?? DEFAULT_MESOS_NATIVE_LIBRARY);
    if (spec.mesos?.certsDir !== undefined) {
      env.set('LIBPROCESS_SSL_ENABLED', 'true');
      env.set('LIBPROCESS_SSL_CERT_FILE', TLS_FILES.cert);
      env.set('LIBPROCESS_SSL_KEY_FILE', TLS_FILES.key);
      env.set('LIBPROCESS_SSL_CA_FILE', TLS_FILES.ca);
      const tls = spec.mesos.tls;
      if (tls?.verifyServerCert !== undefined) {
        // Mesos 1.10 renamed VERIFY_CERT to VERIFY_SERVER_CERT; older agents and libmesos read only the old name.
        env.set('LIBPROCESS_SSL_VERIFY_SERVER_CERT', String(tls.verifyServerCert));
        env.set('LIBPROCESS_SSL_VERIFY_CERT', String(tls.verifyServerCert));
      }
      if (tls?.supportDowngrade !== undefined) env.set('LIBPROCESS_SSL_SUPPORT_DOWNGRADE', String(tls.supportDowngrade));
    }
    if (!clusterTask && spec.network === 'host' && context.advertiseAddress !== undefined) {
      env.set('LIBPROCESS_IP', context.advertiseAddress);
      env.set('LIBPROCESS_ADVERTISE_IP', context.advertiseAddress);
    }
  }
  if (!clusterTask && spec.network === 'none') env.set('SPARK_LOCAL_IP', LOOPBACK_DRIVER_HOST);
  for (const e of spec.driver.env) {
    env.delete(e.name);
    env.set(e.name, e.value);
  }
  return [...env].map(([name, value]) => ({ name, value }));
}
