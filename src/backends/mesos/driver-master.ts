import { isIP } from 'node:net';
import { MesosLoopbackMasterError } from './errors.js';
import type { MasterInfo } from './mesos-types.js';
import type { MasterEndpoint } from './parse-master-url.js';
import { DEFAULT_MASTER_PORT } from './parse-master-url.js';

/** How the master a cluster-mode driver dials is chosen. */
export interface DriverMasterOptions {
  /** The controller runs a single-host cluster (agents and master on one machine): loopback masters are fine. */
  readonly singleHost: boolean;
}

/** Whether a host name or address names this machine only (127.0.0.0/8, ::1, localhost, 0.0.0.0). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The leading master's address from SUBSCRIBED `master_info`: `address.ip`, else `address.hostname`, else the legacy packed `ip` /
 * `hostname`.
 */
export function advertisedMaster(info: MasterInfo | undefined): MasterEndpoint | undefined {
  if (!info) return undefined;
  const port = info.address?.port ?? info.port ?? DEFAULT_MASTER_PORT;
  const legacyIp = typeof info.ip === 'number' && info.ip > 0 ? [0, 8, 16, 24].map((s) => (info.ip! >>> s) & 0xff).join('.') : undefined;
  const host = info.address?.ip || info.address?.hostname || legacyIp || info.hostname;
  return host ? { host, port } : undefined;
}

/**
 * The `--master` the driver inside the cluster task gets. `mesos://zk://…` passes as written
 * (ZooKeeper finds the leader from anywhere); otherwise the leading master as SUBSCRIBED's
 * `master_info` advertises it, because the URL in the spec was resolved on the controller's host
 * (a `127.0.0.1` there is the agent inside the task). A loopback result is refused unless the
 * controller runs a single-host cluster (`--mesos-single-host`).
 */
export function driverMasterUrl(specMaster: string, info: MasterInfo | undefined, options: DriverMasterOptions): string {
  const rest = specMaster.slice('mesos://'.length);
  if (rest.startsWith('zk://')) {
    const hosts = (rest.slice('zk://'.length).split('/')[0] ?? '').split(',').map((hp) => hp.replace(/:[0-9]+$/, ''));
    if (!options.singleHost && hosts.some(isLoopbackHost)) throw loopback(specMaster, `ZooKeeper host ${hosts.find(isLoopbackHost)!}`);
    return specMaster;
  }
  const advertised = advertisedMaster(info);
  const master = advertised
    ? `mesos://${isIP(advertised.host) === 6 ? `[${advertised.host}]` : advertised.host}:${advertised.port}`
    : specMaster;
  const host = advertised?.host ?? rest.replace(/:[0-9]+\/*$/, '');
  if (!options.singleHost && isLoopbackHost(host)) throw loopback(specMaster, `the master advertises ${master}`);
  return master;
}

function loopback(specMaster: string, what: string): MesosLoopbackMasterError {
  return new MesosLoopbackMasterError(
    `spec.master ${specMaster}: ${what}, a loopback address; inside the driver task on an agent it names that agent, not the master, so the driver would never register. Give the masters a routable --advertise_ip/--hostname, or start the controller with --mesos-single-host when master and agents share this one host`,
  );
}
