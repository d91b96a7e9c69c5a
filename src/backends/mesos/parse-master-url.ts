import { MesosMasterUrlError } from './errors.js';

/** Port a Mesos master listens on by default; ZooKeeper hosts are tried as masters on it. */
export const DEFAULT_MASTER_PORT = 5050;

/** One master sparkctl may try, in order. */
export interface MasterEndpoint {
  readonly host: string;
  readonly port: number;
}

/** What a `mesos://` URL names: the candidate masters and whether they came from a ZooKeeper list. */
export interface MasterCandidates {
  /** The URL as written in the spec (the key of the framework subscription). */
  readonly url: string;
  readonly viaZooKeeper: boolean;
  readonly endpoints: readonly MasterEndpoint[];
}

/** How ZooKeeper hosts become master candidates (sparkctl does not speak ZooKeeper). */
export interface ParseMasterOptions {
  /** Port the masters listen on when the URL names ZooKeeper hosts; default 5050. */
  readonly zkMasterPort?: number;
}

const HOST_PORT = /^([A-Za-z0-9.-]+):([0-9]{1,5})$/;

/**
 * Parses `mesos://host:port` or `mesos://zk://h1:2181,h2:2181/mesos`.
 * ZooKeeper is not contacted: each ZooKeeper host is tried as a Mesos master on `zkMasterPort`
 * (5050 unless given), because masters usually run next to the ensemble; a non-leader answers
 * 307 with the leader, so any one reachable master is enough.
 */
export function parseMasterUrl(master: string, options: ParseMasterOptions = {}): MasterCandidates {
  if (!master.startsWith('mesos://'))
    throw new MesosMasterUrlError(
      `spec.master ${JSON.stringify(master)} is not a mesos:// URL; use mesos://host:5050 or mesos://zk://host:2181/mesos`,
    );
  const rest = master.slice('mesos://'.length);
  if (rest.startsWith('zk://')) {
    const hostsPart = rest.slice('zk://'.length).split('/')[0] ?? '';
    const port = options.zkMasterPort ?? DEFAULT_MASTER_PORT;
    const endpoints = hostsPart.split(',').map((hp) => {
      const m = HOST_PORT.exec(hp);
      if (!m)
        throw new MesosMasterUrlError(
          `spec.master ${JSON.stringify(master)}: ZooKeeper host ${JSON.stringify(hp)} must look like host:2181`,
        );
      return { host: m[1]!, port };
    });
    return { url: master, viaZooKeeper: true, endpoints: dedupe(endpoints) };
  }
  const m = HOST_PORT.exec(rest.replace(/\/+$/, ''));
  if (!m) throw new MesosMasterUrlError(`spec.master ${JSON.stringify(master)} must look like mesos://host:5050`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new MesosMasterUrlError(`spec.master ${JSON.stringify(master)}: port ${port} is outside 1..65535`);
  return { url: master, viaZooKeeper: false, endpoints: [{ host: m[1]!, port }] };
}

function dedupe(endpoints: MasterEndpoint[]): MasterEndpoint[] {
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    const k = `${e.host}:${e.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Resolves a 307 `Location` (usually protocol-relative: `//leader:5050/api/v1/scheduler`) to the leader's host and port. */
export function parseLeaderLocation(location: string, scheme: 'http' | 'https'): MasterEndpoint {
  const absolute = location.startsWith('//')
    ? `${scheme}:${location}`
    : /^[a-z]+:\/\//i.test(location)
      ? location
      : `${scheme}://${location}`;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch (cause) {
    throw new MesosMasterUrlError(`the master redirected to ${JSON.stringify(location)}, which is not a URL`, { cause });
  }
  const port = url.port === '' ? DEFAULT_MASTER_PORT : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
