import { isIPv4 } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** The address used when this host has no other: only drivers on this host can then be reached. */
export const LOOPBACK_ADVERTISE_ADDRESS = '127.0.0.1';

/**
 * A routable address of this host for client-mode Mesos drivers (LIBPROCESS_IP,
 * LIBPROCESS_ADVERTISE_IP, spark.driver.host): the first non-loopback, non-link-local IPv4
 * address of the interfaces, else loopback (a single-host setup, such as the tests here).
 * IPv4 only: libprocess in Mesos 1.x parses LIBPROCESS_IP as an IPv4 address.
 */
export function detectAdvertiseAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string {
  const names = Object.keys(interfaces).sort();
  for (const name of names) {
    for (const info of interfaces[name] ?? []) {
      if (info.family !== 'IPv4' || info.internal || info.address.startsWith('169.254.') || info.address.startsWith('127.')) continue;
      return info.address;
    }
  }
  return LOOPBACK_ADVERTISE_ADDRESS;
}

/** Checks a --advertise-address value: an IPv4 address (libprocess binds and advertises IPv4), never 0.0.0.0. */
export function checkAdvertiseAddress(value: string): string | undefined {
  if (!isIPv4(value)) return `--advertise-address takes an IPv4 address of this host, got '${value}'`;
  if (value === '0.0.0.0') return '--advertise-address must be an address executors can reach, not 0.0.0.0';
  return undefined;
}
